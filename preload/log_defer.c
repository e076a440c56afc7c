/* Writes that a signal handler makes while its thread is inside the preload (a hook's
 * own work, the log pipeline, the output lock) cannot enter the pipeline there without
 * corrupting what the interrupted code holds, and written straight to the fd they would
 * go out undecorated and ahead of records the thread wrote before. So they wait, in
 * order, in a per-thread queue, and go into the pipeline as soon as the thread leaves the
 * preload. The queue's memory is mapped at a thread's first such write (mmap is safe in
 * a signal handler); a write that does not fit goes to the fd as before.
 *
 * Nested handlers only append (each reserves its room before filling it, and finishes
 * before the code it interrupted resumes), so the owner thread reads entries from the
 * front while handlers may add at the back; only the final "empty?" check and reset run
 * with signals blocked. */
#include "log_internal.h"

#include <signal.h>
#include <string.h>
#include <sys/mman.h>

#include "logs.h"
#include "sink.h"

#define QUEUE_CAP (64 * 1024)
#define ENTRY_HDR 5 /* stream (1 byte), length (4 bytes) */

static __thread char *queue __attribute__((tls_model("initial-exec")));
static __thread unsigned queued __attribute__((tls_model("initial-exec")));
__thread uint8_t hook_deferred __attribute__((tls_model("initial-exec")));

bool log_must_defer(void)
{
    return log_reentered() || sink_held_by_me();
}

bool log_defer(int stream, const struct iovec *iov, int cnt, ssize_t *result)
{
    size_t total = 0;
    for (int i = 0; i < cnt; i++)
        total += iov[i].iov_len;
    if (!queue) {
        void *m = mmap(NULL, QUEUE_CAP, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED)
            return false;
        queue = m;
    }
    unsigned at = queued;
    if (total > QUEUE_CAP || at + ENTRY_HDR + total > QUEUE_CAP)
        return false;
    queued = at + ENTRY_HDR + (unsigned)total; /* reserved: a nested handler appends after */
    char *e = queue + at;
    uint32_t n = (uint32_t)total;
    e[0] = (char)stream;
    memcpy(e + 1, &n, sizeof n);
    size_t off = ENTRY_HDR;
    for (int i = 0; i < cnt; i++) {
        memcpy(e + off, iov[i].iov_base, iov[i].iov_len);
        off += iov[i].iov_len;
    }
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    hook_deferred = 1;
    *result = (ssize_t)total;
    return true;
}

/* Signals blocked: is anything left past `done`? If not, the queue is empty again. */
static bool more_after(unsigned done)
{
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    bool more = queued > done;
    if (!more) {
        queued = 0;
        hook_deferred = 0;
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return more;
}

void hook_run_deferred(void)
{
    if (!queue || log_must_defer())
        return;
    unsigned done = 0;
    do {
        while (done < queued) {
            const char *e = queue + done;
            uint32_t n;
            memcpy(&n, e + 1, sizeof n);
            hook_busy = 1; /* writes of handlers meanwhile are queued behind this one */
            if (e[0] == LOG_DEFER_FRAMES)
                log_frames_feed(e + ENTRY_HDR, n);
            else
                log_feed(e[0], e + ENTRY_HDR, n);
            hook_busy = 0;
            done += ENTRY_HDR + n;
        }
    } while (more_after(done));
}

void log_defer_write_raw(void)
{
    /* A fatal signal: the thread cannot go back into the pipeline; what its handlers
     * queued goes to the fds as it is, after the records that were held. */
    for (unsigned done = 0; queue && done < queued;) {
        const char *e = queue + done;
        uint32_t n;
        memcpy(&n, e + 1, sizeof n);
        int fd = e[0] == LOG_DEFER_FRAMES ? log_cfg.tfd : e[0] == LOG_STDERR ? 2 : 1;
        if (fd >= 0)
            sink_write(fd, e + ENTRY_HDR, n, SINK_ONE);
        done += ENTRY_HDR + n;
    }
    queued = 0;
}
