/* The flusher: a small thread, started the first time something is pending, that writes
 * out records nobody else would (a line printed before a long silence: the pipeline
 * holds each line until the next one shows it is not continued, and batches records).
 * It sleeps until the earliest held record falls due while something is held, and on a
 * futex otherwise, so an idle function costs nothing; after IDLE_EXIT_NS with nothing
 * held it ends, and the next held record starts it again: a process whose main thread
 * called pthread_exit must end when its last thread does, not live on for our thread.
 * All signals are blocked in it (the runtime's handlers run on its own threads). Not
 * running in a forked child until the child writes something. */
#include "log_internal.h"
#include "config.h"
#include "quiet_thread.h"

#include <errno.h>
#include <linux/futex.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define IDLE_EXIT_NS (250 * 1000 * 1000L)

static int started;  /* atomic: a flusher is running (or being started) */
static int sleeping; /* atomic: 1 while the flusher waits on the futex */

static void *flusher(void *arg)
{
    (void)arg;
    prctl(PR_SET_NAME, "lwrap-logs", 0, 0, 0);
    for (;;) {
        uint64_t now = log_now_us();
        uint64_t due = log_flush_idle(now);
        /* An unfinished line held when the invoke's deadline comes near goes out then. */
        uint64_t edge = log_flush_at_deadline(now);
        if (!due) {
            __atomic_store_n(&sleeping, 1, __ATOMIC_SEQ_CST);
            long woken = 0;
            if (!log_flush_idle(log_now_us())) {
                uint64_t ns = edge > now ? (edge - now) * 1000 : (uint64_t)IDLE_EXIT_NS;
                struct timespec idle = {(time_t)(ns / 1000000000), (long)(ns % 1000000000)};
                woken = syscall(SYS_futex, &sleeping, FUTEX_WAIT_PRIVATE, 1, &idle, NULL, 0);
            }
            __atomic_store_n(&sleeping, 0, __ATOMIC_SEQ_CST);
            if (woken == -1 && errno == ETIMEDOUT && !edge) {
                /* Leave, unless something came meanwhile and no new flusher took it. */
                __atomic_store_n(&started, 0, __ATOMIC_SEQ_CST);
                if (!log_flush_idle(log_now_us()) || __atomic_exchange_n(&started, 1, __ATOMIC_SEQ_CST))
                    return NULL;
            }
            continue;
        }
        uint64_t wait_us = due > now ? due - now : 0;
        if (wait_us > LOG_HOLD_NS / 1000)
            wait_us = LOG_HOLD_NS / 1000;
        struct timespec ts = {0, (long)(wait_us * 1000 + 200 * 1000)};
        syscall(SYS_nanosleep, &ts, NULL);
    }
    return NULL;
}

/* When the flusher last could not start (no memory for a thread); 0: it could. */
static uint64_t failed_at;

static void start(void)
{
    if (quiet_thread_start(flusher, 256 * 1024) == 0) {
        __atomic_store_n(&failed_at, 0, __ATOMIC_RELAXED);
        return;
    }
    config_out_of_memory("the log flusher thread did not start; records are written at once");
    uint64_t now = log_now_us();
    __atomic_store_n(&failed_at, now ? now : 1, __ATOMIC_RELAXED);
    __atomic_store_n(&started, 0, __ATOMIC_RELEASE);
}

bool log_flusher_missing(uint64_t now_us)
{
    uint64_t f = __atomic_load_n(&failed_at, __ATOMIC_RELAXED);
    if (LIKELY(!f))
        return false;
    if (now_us - f >= 1000 * 1000) /* try again, once a second */
        log_flusher_kick();
    return __atomic_load_n(&failed_at, __ATOMIC_RELAXED) != 0;
}

void log_flusher_kick(void)
{
    if (UNLIKELY(!__atomic_load_n(&started, __ATOMIC_RELAXED)) &&
        !__atomic_exchange_n(&started, 1, __ATOMIC_ACQ_REL))
        start();
    /* Pairs with the flusher's store of `sleeping` and its second look for work. */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (__atomic_load_n(&sleeping, __ATOMIC_SEQ_CST) &&
        __atomic_exchange_n(&sleeping, 0, __ATOMIC_SEQ_CST))
        syscall(SYS_futex, &sleeping, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

void log_flusher_atfork_child(void)
{
    started = 0;
    sleeping = 0;
}
