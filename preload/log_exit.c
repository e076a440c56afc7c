/* _exit, _Exit and quick_exit: flush the pipeline first. A process that ends with _exit runs no
 * destructors (Python's os._exit, which every multiprocessing child uses after printing),
 * so records still pending would be lost. Only in the process that owns the pipeline
 * state: a vfork child (posix_spawn, Python's _posixsubprocess on exec failure) shares
 * our memory but runs no atfork handler, so its pid differs from log_pid and it just
 * exits. The exit itself is the exit_group system call, which is all _exit does. */
#include "log_internal.h"
#include "trace.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

pid_t log_pid;

static void before_exit(void)
{
    if (log_cfg.streams && log_pid && (pid_t)syscall(SYS_getpid) == log_pid && !log_reentered()) {
        /* The process ends right after: a SIGTERM now (multiprocessing's terminate())
         * must not cut this flush short; it would find our lock held and could write
         * nothing itself. */
        sigset_t all;
        sigfillset(&all);
        pthread_sigmask(SIG_BLOCK, &all, NULL);
        log_exiting = true;
        log_flush_slots(true, true);
    }
    log_importtime_final(false);
    trace_exit_before_ready();
}

EXPORT void _exit(int status)
{
    before_exit();
    for (;;)
        syscall(SYS_exit_group, status);
}

EXPORT void _Exit(int status)
{
    before_exit();
    for (;;)
        syscall(SYS_exit_group, status);
}

/* quick_exit runs the at_quick_exit handlers, then glibc's own _exit, not ours. Ours,
 * registered in the constructor, runs after the program's (they run in reverse order). */
static void after_quick_exit_handlers(void)
{
    before_exit();
}

void log_exit_init(void)
{
    at_quick_exit(after_quick_exit_handlers);
}
