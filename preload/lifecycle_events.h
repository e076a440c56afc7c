/* Lifecycle events as the observer and the internal extension derive them; lifecycle.c
 * keeps the in-flight set behind lifecycle.h and tells the log pipeline, the startup
 * trace and the debug channel. */
#ifndef LWRAP_LIFECYCLE_EVENTS_H
#define LWRAP_LIFECYCLE_EVENTS_H

#include <stdbool.h>

/* A `next` request is about to go out on fd (the first one: runtime ready, init ends). */
void lifecycle_next_sending(int fd);
/* A `next` response's headers arrived on fd. The calling thread fetched it. */
void lifecycle_invoke_start(int fd, const char *id, const char *deadline_ms, const char *trace_id);
/* An invocation's `response` or `error` request is about to go out (its request line
 * is in the bytes being sent): the log pipeline writes what it holds for it now, before
 * Lambda can have the response and freeze the sandbox. */
void lifecycle_invoke_ending(int fd, const char *id);
/* An invocation's `response` (error: `error`) request was completely sent on fd. */
void lifecycle_invoke_end(int fd, const char *id, bool error);
/* An `init/error` request is about to go out on fd. */
void lifecycle_init_error_sending(int fd);
/* `init/error` was completely sent on fd. */
void lifecycle_init_error(int fd);
/* SnapStart (README: SnapStart and Managed Instances). `restore/next` is about to go out
 * on fd: the snapshot point, init ends here. */
void lifecycle_restore_next_sending(int fd);
/* Its answer's headers arrived (status: the HTTP status): the process was restored (or
 * Lambda refused); after-restore hooks run until the next `next` or `restore/error`. */
void lifecycle_restored(int fd, int status);
/* `restore/error` is about to go out on fd / was completely sent. */
void lifecycle_restore_error_sending(int fd);
void lifecycle_restore_error(int fd);
/* The observer stopped watching a Runtime API connection. */
void lifecycle_lost(int fd, const char *why);
/* The internal extension received INVOKE for id. */
void lifecycle_extension_invoke(const char *id);

#endif
