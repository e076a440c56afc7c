/* The log pipeline's entry points, called by the preload core. Owner: logs (log_*.c). */
#ifndef LWRAP_LOGS_H
#define LWRAP_LOGS_H

#include <stdbool.h>
#include <sys/types.h>
#include <sys/uio.h>

/* True when the pipeline wants to see writes (LWRAP_LOGS not off, a level filter, the
 * importtime summary, ...). A plain global so the write hooks stay one load and one
 * branch when logs are off. Set once by logs_init. */
extern bool logs_enabled;

/* From the preload's constructor, after real_resolve and the telemetry fd capture. */
void logs_init(void);

/* The built-in redaction (AWS access key ids, the credential variables' values as they
 * were at start) for lwrap's own output: its warning lines and the debug channel. Init
 * first thing in the constructor; then mask p[0..n) in place, returning the new length
 * (never longer). No allocation, no lock. */
void logs_mask_secrets_init(void);
size_t logs_mask_secrets(char *p, size_t n);
/* Masks every occurrence of v[0..vn) in p[0..n) as the built-in redaction does ("****");
 * returns the new length. */
size_t logs_mask_value(char *p, size_t n, const char *v, size_t vn);

/* From the write-family hooks (write, writev, and send/sendto/sendmsg with no address,
 * send_call true for those) when logs_enabled, for every fd. Returns false to let the
 * hook pass the write through untouched (also whenever the kernel would refuse it or
 * cut it short: the real call then answers); true when the pipeline took it, with
 * *result what the caller must return (the byte count the runtime asked to write). */
bool logs_intercept(int fd, const struct iovec *iov, int iovcnt, bool send_call, ssize_t *result);

/* A write-family hook found this thread already inside the preload (a signal handler
 * interrupted it there): true when the write was queued for the log pipeline, with
 * *result what the caller returns; false: pass it through. */
bool logs_defer_write(int fd, const struct iovec *iov, int cnt, bool send_call, ssize_t *result);

/* fd is about to be written at an offset (pwrite, pwritev): when it is the runtime's
 * stdout, stderr or telemetry fd, every record held for it is written first, so the
 * held records cannot land later over what the positioned write put there. */
void logs_before_positioned_write(int fd);

/* Lifecycle events from the Runtime API observer. */
void logs_on_runtime_ready(void);
void logs_on_invoke_start(const char *request_id, const char *deadline_ms);
/* Before the response goes: what this invocation's thread holds, and every complete
 * record, go out. An unfinished line is cut into a record of its own, unless its end
 * could begin a credential (it stays held, to be masked whole), or another thread holds
 * it while other invocations are still in flight (nothing freezes: it stays whole). */
void logs_on_invoke_end(const char *request_id, bool others_in_flight);
/* The runtime is about to post init/error: what is held (the import-time summary too)
 * goes out before Lambda can have the error and end the environment. */
void logs_on_init_error(void);
/* SnapStart's after-restore phase ended (the next `next` or restore/error is about to
 * go out): what the hooks printed goes out first. */
void logs_on_restore_over(void);

/* fd is about to be closed or replaced (dup2/dup3): when it is the runtime's stdout,
 * stderr or telemetry fd, every record held for it is written now. */
void logs_fd_changing(int fd);

/* The same for close_range/closefrom over [lo, hi]. */
void logs_fd_range_changing(unsigned lo, unsigned hi);
void logs_fd_range_changed(unsigned lo, unsigned hi);

/* fd was closed, or dup2/dup3 made it refer to something else (call after the real call).
 * Lock-free and async-signal-safe: the pipeline caches which fds are the runtime's
 * stdout/stderr/telemetry fd, and a reused number must not inherit that. */
void logs_fd_changed(int fd);

/* The process is about to exec another program (the image, and what it holds, goes):
 * write out everything held; in a vfork child, what the forking thread held. */
void logs_before_exec(void);

/* True when the pipeline may hold records (LWRAP_LOGS text/json, the importtime summary):
 * then a death by signal must write them first (signals.c). */
bool logs_hold_records(void);

/* From the fatal-signal handler: write out everything held (bounded waits, no locks the
 * interrupted thread may hold, no allocation). */
void logs_on_fatal_signal(void);

/* The kernel is about to copy bytes to fd for this thread (sendfile, splice): when fd is
 * the runtime's stdout, stderr or telemetry fd, what the thread holds goes out first. */
void logs_before_raw_write(int fd);

/* The calling thread is about to start a child process (posix_spawn, system, popen):
 * what it holds goes out first, an unfinished line too, so the child's output cannot
 * overtake it. */
void logs_before_spawn(void);

/* The calling thread is about to start a thread: its complete records go out first,
 * so that what the new thread writes cannot overtake them (a batch of this thread's
 * records leaves as a whole, and one begun before the new thread's lines would
 * otherwise carry this thread's later records ahead of them too). */
void logs_before_thread(void);

#endif
