/* What every hook shares: the gate that keeps hooks near-free when no feature is on, and
 * the per-thread re-entry guard around the preload's own work inside a hook. */
#ifndef LWRAP_HOOK_H
#define LWRAP_HOOK_H

#include <stdbool.h>
#include <stdint.h>

#define HIDDEN __attribute__((visibility("hidden")))
#define EXPORT __attribute__((visibility("default")))
#define LIKELY(x) __builtin_expect(!!(x), 1)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)

/* Which hook paths have work to do; 0 until the constructor has read the settings. */
enum {
    GATE_LOGS = 1,       /* write family: the log pipeline wants to see writes */
    GATE_OBSERVE = 2,    /* socket calls: the Runtime API observer is on */
    GATE_INIT_COUNT = 4, /* open/read/dlopen: the startup trace counts init's I/O */
    GATE_ECHO = 8,       /* debug channel: stdout/stderr writes with their request id */
};
extern HIDDEN uint8_t hook_gate;

static inline uint8_t gate(void)
{
    return __atomic_load_n(&hook_gate, __ATOMIC_RELAXED);
}

/* The process our state belongs to (the constructor's, then a forked child's). A vfork
 * child (posix_spawn, Python's subprocess) shares our memory but not our fds or signal
 * actions: what it closes or redirects before exec must not change our tables. */
extern HIDDEN int hook_pid;
bool hook_in_vfork_child(void) __attribute__((visibility("hidden")));

/* Set while this thread runs preload code from inside a hook; a hook entered again
 * (our own I/O, a signal handler doing I/O) then just calls the real function. */
extern HIDDEN __thread uint8_t hook_busy __attribute__((tls_model("initial-exec")));

static inline bool guard_enter(void)
{
    if (hook_busy)
        return false;
    hook_busy = 1;
    return true;
}

/* Set when a signal handler's write had to wait while this thread was inside the
 * preload (log_defer.c); it goes into the log pipeline when the thread leaves. */
extern HIDDEN __thread uint8_t hook_deferred __attribute__((tls_model("initial-exec")));
void hook_run_deferred(void) __attribute__((visibility("hidden")));

static inline void guard_leave(void)
{
    hook_busy = 0;
    if (UNLIKELY(hook_deferred))
        hook_run_deferred();
}

#endif
