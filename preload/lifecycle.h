/* What the Runtime API observer has learned about the runtime's place in Lambda's
 * lifecycle. Owner: preload core (observer). Read by the log pipeline and the trace. */
#ifndef LWRAP_LIFECYCLE_H
#define LWRAP_LIFECYCLE_H

#include <stdbool.h>
#include <stddef.h>

/* Room for a request id plus NUL; Lambda's are 36-character UUIDs, longer ones are
 * truncated by nobody: an id that does not fit is not tracked. */
#define LWRAP_REQUEST_ID_SIZE 128

/* The request id that output written now, by the calling thread, belongs to, as far as
 * the evidence goes:
 *  - this thread fetched exactly one invocation still in flight: that one;
 *  - it fetched several still in flight (a Node.js worker thread with async invokes): none;
 *  - it fetched none in flight: with one invocation at a time, the only one in flight in
 *    the process (Node fetches on a worker thread and runs the handler on the main
 *    thread); where several can run at once (Managed Instances, AWS_LAMBDA_MAX_CONCURRENCY
 *    > 1): none, since the only one in flight may be another thread's.
 * Each process has its own set (Python's worker processes fetch their own).
 * Writes a NUL-terminated id and returns its length; returns 0 for none. */
size_t lifecycle_request_id(char *buf, size_t size);

/* True once the runtime has asked for its first invocation (init is over). */
bool lifecycle_runtime_ready(void);

/* True once the runtime sent SnapStart's `restore/next` (init ended at the snapshot). */
bool lifecycle_at_snapshot(void);

#endif
