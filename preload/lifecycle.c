/* Request ids for attribution (lifecycle.h) and the dispatch of lifecycle events.
 *
 * The process-wide in-flight set is a fixed array of slots, each guarded by a sequence
 * counter (a seqlock): the observer, rarely, writes under a tiny spinlock; readers (the
 * log pipeline on every write, the crash handler) never lock and never allocate. A
 * thread remembers the slot and sequence of the invocation it fetched, so an
 * invocation that ended or whose slot was reused is never reported again. */
#include "lifecycle.h"

#include <sched.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "config.h"
#include "debuglog.h"
#include "hook.h"
#include "lifecycle_events.h"
#include "logs.h"
#include "trace.h"
#include "trace_spans.h"
#include "uring_notice.h"

#define INFLIGHT_MAX 64

struct inflight {
    unsigned seq; /* odd while being written */
    bool live;
    int fd;       /* the connection it was fetched on (its per-connection owner) */
    int owner;    /* the thread that fetched it */
    char id[LWRAP_REQUEST_ID_SIZE];
};

static struct inflight inflight[INFLIGHT_MAX];
static int writer_lock;
static int live_count;         /* written under writer_lock, read lock-free: atomic */
static int sole = -1;          /* the slot when exactly one invocation is in flight */
static bool ready;
static bool seen_start;        /* the observer has derived at least one invocation */
static unsigned lost_count;
static struct inflight ext;    /* the extension's latest INVOKE (a fallback source) */

/* The invocation this thread fetched: slot + 1 (0: none) and its sequence. */
static __thread struct {
    int slot;
    unsigned seq;
    int tid;
} mine __attribute__((tls_model("initial-exec")));

static int my_tid(void)
{
    if (!mine.tid)
        mine.tid = (int)syscall(SYS_gettid);
    return mine.tid;
}

/* Another invocation fetched by this thread is in flight too (Node.js test loops fetch
 * several on one thread): then "the one this thread fetched" is a guess. */
static bool another_of_mine_live(int slot)
{
    if (__atomic_load_n(&live_count, __ATOMIC_RELAXED) <= 1)
        return false;
    int tid = my_tid();
    for (int i = 0; i < INFLIGHT_MAX; i++)
        if (i != slot && __atomic_load_n(&inflight[i].live, __ATOMIC_RELAXED) &&
            __atomic_load_n(&inflight[i].owner, __ATOMIC_RELAXED) == tid)
            return true;
    return false;
}

static void wlock(void)
{
    while (__atomic_exchange_n(&writer_lock, 1, __ATOMIC_ACQUIRE))
        sched_yield();
}

static void wunlock(void)
{
    __atomic_store_n(&writer_lock, 0, __ATOMIC_RELEASE);
}

static void slot_write(struct inflight *e, bool live, int fd, const char *id)
{
    __atomic_store_n(&e->seq, e->seq + 1, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_RELEASE);
    __atomic_store_n(&e->live, live, __ATOMIC_RELAXED);
    e->fd = fd;
    size_t i = 0;
    if (id)
        for (; id[i] && i < sizeof e->id - 1; i++)
            __atomic_store_n(&e->id[i], id[i], __ATOMIC_RELAXED);
    __atomic_store_n(&e->id[i], 0, __ATOMIC_RELAXED);
    __atomic_store_n(&e->seq, e->seq + 1, __ATOMIC_RELEASE);
}

/* Copy a live slot's id (only if it still has sequence `want`, when want != 0).
 * Bounded retries: a signal handler may interrupt this thread's own writer. */
static size_t slot_read(struct inflight *e, unsigned want, char *buf, size_t size)
{
    for (int tries = 0; tries < 64; tries++) {
        unsigned s1 = __atomic_load_n(&e->seq, __ATOMIC_ACQUIRE);
        if (s1 & 1) {
            sched_yield();
            continue;
        }
        if ((want && s1 != want) || !__atomic_load_n(&e->live, __ATOMIC_RELAXED))
            return 0;
        size_t n = 0;
        char c;
        while (n < size && (c = __atomic_load_n(&e->id[n], __ATOMIC_RELAXED)) != 0)
            buf[n++] = c;
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        if (__atomic_load_n(&e->seq, __ATOMIC_RELAXED) != s1)
            continue;
        if (n == 0 || n >= size)
            return 0;
        buf[n] = 0;
        return n;
    }
    return 0;
}

size_t lifecycle_request_id(char *buf, size_t size)
{
    if (mine.slot) {
        size_t n = slot_read(&inflight[mine.slot - 1], mine.seq, buf, size);
        if (n)
            return another_of_mine_live(mine.slot - 1) ? 0 : n;
    }
    int s = __atomic_load_n(&sole, __ATOMIC_ACQUIRE);
    if (s >= 0)
        return slot_read(&inflight[s], 0, buf, size);
    /* Observation impossible (never saw an invocation, or lost a connection): the
     * extension's INVOKE is the best remaining answer, with one invocation at a time. */
    if (__atomic_load_n(&live_count, __ATOMIC_RELAXED) == 0 &&
        (!__atomic_load_n(&seen_start, __ATOMIC_RELAXED) ||
         __atomic_load_n(&lost_count, __ATOMIC_RELAXED)) &&
        config.max_concurrency <= 1)
        return slot_read(&ext, 0, buf, size);
    return 0;
}

bool lifecycle_runtime_ready(void)
{
    return __atomic_load_n(&ready, __ATOMIC_ACQUIRE);
}

static void update_sole(void)
{
    int found = -1;
    if (live_count == 1)
        for (int i = 0; i < INFLIGHT_MAX; i++)
            if (inflight[i].live)
                found = i;
    __atomic_store_n(&sole, found, __ATOMIC_RELEASE);
}

static void end_of_init(bool init_error)
{
    if (__atomic_exchange_n(&ready, true, __ATOMIC_ACQ_REL))
        return;
    __atomic_fetch_and(&hook_gate, (uint8_t)~GATE_INIT_COUNT, __ATOMIC_RELAXED);
    trace_init_ended(init_error);
}

void lifecycle_next_sending(int fd)
{
    if (lifecycle_runtime_ready())
        return;
    end_of_init(false);
    struct debugline line;
    struct fmt *f = debuglog_begin(&line, "ready");
    if (f) {
        debuglog_kvi(f, "fd", fd);
        debuglog_end(f);
    }
    logs_on_runtime_ready();
    uring_notice_check();
}

void lifecycle_invoke_start(int fd, const char *id, const char *deadline_ms, const char *trace_id)
{
    int slot = -1;
    wlock();
    for (int i = 0; i < INFLIGHT_MAX && slot < 0; i++)
        if (inflight[i].live && strcmp(inflight[i].id, id) == 0)
            slot = i; /* the same id again: one entry */
    for (int i = 0; i < INFLIGHT_MAX && slot < 0; i++)
        if (!inflight[i].live)
            slot = i;
    if (slot >= 0) {
        if (!inflight[slot].live)
            __atomic_store_n(&live_count, live_count + 1, __ATOMIC_RELAXED);
        __atomic_store_n(&inflight[slot].owner, my_tid(), __ATOMIC_RELAXED);
        slot_write(&inflight[slot], true, fd, id);
        mine.slot = slot + 1;
        mine.seq = inflight[slot].seq;
        update_sole();
    }
    wunlock();
    __atomic_store_n(&seen_start, true, __ATOMIC_RELAXED);
    if (config_trace_spans())
        trace_spans_invoke_start(id, trace_id);

    struct debugline line;
    struct fmt *f = debuglog_begin(&line, slot >= 0 ? "start" : "start-untracked");
    if (f) {
        debuglog_kvs(f, "id", id);
        debuglog_kvi(f, "fd", fd);
        debuglog_kvs(f, "deadline", deadline_ms[0] ? deadline_ms : "-");
        debuglog_kvs(f, "trace", trace_id[0] ? trace_id : "-");
        debuglog_kvi(f, "inflight", __atomic_load_n(&live_count, __ATOMIC_RELAXED));
        debuglog_end(f);
    }
    logs_on_invoke_start(id, deadline_ms);
}

void lifecycle_invoke_ending(int fd, const char *id)
{
    (void)fd;
    /* The id stays in flight until the request is sent, so whatever the pipeline
     * flushes now still carries it. */
    logs_on_invoke_end(id);
}

void lifecycle_invoke_end(int fd, const char *id, bool error)
{
    static unsigned ends;
    bool found = false;
    wlock();
    for (int i = 0; i < INFLIGHT_MAX; i++) {
        if (inflight[i].live && strcmp(inflight[i].id, id) == 0) {
            slot_write(&inflight[i], false, -1, NULL);
            __atomic_store_n(&live_count, live_count - 1, __ATOMIC_RELAXED);
            found = true;
        }
    }
    update_sole();
    wunlock();
    if (config_trace_spans())
        trace_invoke_ended(trace_spans_invoke_end(id, error));
    struct debugline line;
    struct fmt *f = debuglog_begin(&line, found ? "end" : "end-unknown");
    if (f) {
        debuglog_kvs(f, "id", id);
        debuglog_kvs(f, "via", error ? "error" : "response");
        debuglog_kvi(f, "fd", fd);
        debuglog_kvi(f, "inflight", __atomic_load_n(&live_count, __ATOMIC_RELAXED));
        debuglog_end(f);
    }
    /* A ring the handler set up during its first invocation is found here. */
    if (__atomic_fetch_add(&ends, 1, __ATOMIC_RELAXED) == 0)
        uring_notice_check();
}

void lifecycle_init_error_sending(int fd)
{
    (void)fd;
    /* The trace record and what is held go out before Lambda can have the error and end
     * the environment. */
    end_of_init(true);
    logs_on_init_error();
}

void lifecycle_init_error(int fd)
{
    end_of_init(true);
    struct debugline line;
    struct fmt *f = debuglog_begin(&line, "init-error");
    if (f) {
        debuglog_kvi(f, "fd", fd);
        debuglog_end(f);
    }
}

void lifecycle_lost(int fd, const char *why)
{
    __atomic_fetch_add(&lost_count, 1, __ATOMIC_RELAXED);
    struct debugline line;
    struct fmt *f = debuglog_begin(&line, "lost");
    if (f) {
        debuglog_kvi(f, "fd", fd);
        debuglog_kvs(f, "why", why);
        debuglog_end(f);
    }
}

void lifecycle_extension_invoke(const char *id)
{
    wlock();
    slot_write(&ext, true, -1, id);
    /* Lambda sends INVOKE only after the invocation before it ended. Once the observer
     * lost a connection it may have missed that end (the response went out on a socket
     * it cannot see): with one invocation at a time, any other id still in flight is
     * over, and must not name this invocation's output. */
    bool stale = false;
    if (__atomic_load_n(&lost_count, __ATOMIC_RELAXED) && config.max_concurrency <= 1) {
        for (int i = 0; i < INFLIGHT_MAX; i++) {
            if (inflight[i].live && strcmp(inflight[i].id, id) != 0) {
                slot_write(&inflight[i], false, -1, NULL);
                live_count--;
                stale = true;
            }
        }
        update_sole();
    }
    wunlock();
    if (stale) {
        struct debugline sl;
        struct fmt *sf = debuglog_begin(&sl, "end-stale");
        if (sf) {
            debuglog_kvs(sf, "by", id);
            debuglog_end(sf);
        }
    }
    struct debugline line;
    struct fmt *f = debuglog_begin(&line, "ext-invoke");
    if (f) {
        debuglog_kvs(f, "id", id);
        debuglog_end(f);
    }
}
