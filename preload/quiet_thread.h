/* Background threads of the preload (the extension's event loop, the log flusher). */
#ifndef LWRAP_QUIET_THREAD_H
#define LWRAP_QUIET_THREAD_H

#include <stddef.h>

/* Start fn as a detached thread with stack_size bytes and every signal blocked: signals
 * belong to the runtime's own threads, never to ours. Returns 0 or an errno value. */
int quiet_thread_start(void *(*fn)(void *), size_t stack_size);

#endif
