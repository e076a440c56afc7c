/* What the Runtime API observer has learned about the runtime's place in Lambda's
 * lifecycle. Owner: preload core (observer). Read by the log pipeline and the trace. */
#ifndef LWRAP_LIFECYCLE_H
#define LWRAP_LIFECYCLE_H

#include <stdbool.h>
#include <stddef.h>

/* Room for a request id plus NUL; Lambda's are 36-character UUIDs, longer ones are
 * truncated by nobody: an id that does not fit is not tracked. */
#define LWRAP_REQUEST_ID_SIZE 128

/* The request id that output written now, by the calling thread, belongs to: the
 * invocation this thread fetched if it has one in flight, else the only invocation in
 * flight in the process (Node fetches on a worker thread and runs the handler on the
 * main thread). Writes a NUL-terminated id and returns its length; returns 0 when there
 * is none or the answer would be a guess (several in flight, none of them this thread's). */
size_t lifecycle_request_id(char *buf, size_t size);

/* True once the runtime has asked for its first invocation (init is over). */
bool lifecycle_runtime_ready(void);

#endif
