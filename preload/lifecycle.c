/* Request ids for attribution (lifecycle.h) and the dispatch of lifecycle events.
 *
 * The process-wide in-flight set is a fixed array of slots, each guarded by a sequence
 * counter (a seqlock): the observer, rarely, writes under a tiny spinlock; readers (the
 * log pipeline on every write, the crash handler) never lock and never allocate. Each
 * slot names the thread that fetched it; a reader checks owner and id under the same
 * sequence, so an invocation that ended or whose slot was reused is never reported. */
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
/* SnapStart: restore/next sent (the snapshot point), its answer arrived, and the
 * after-restore phase ended (the next `next`, or restore/error). */
enum { SNAP_NONE, SNAP_TAKEN, SNAP_RESTORING, SNAP_DONE };
static int snap;
static bool seen_start;        /* the observer has derived at least one invocation */
static unsigned lost_count;
static struct inflight ext;    /* the extension's latest INVOKE (a fallback source) */

/* Slots ever used (the array fills from the bottom): readers scan no further. */
static int slots_used;

static __thread int tid_cache __attribute__((tls_model("initial-exec")));

static int my_tid(void)
{
    if (!tid_cache)
        tid_cache = (int)syscall(SYS_gettid);
    return tid_cache;
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

static void slot_write(struct inflight *e, bool live, int fd, int owner, const char *id)
{
    __atomic_store_n(&e->seq, e->seq + 1, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_RELEASE);
    __atomic_store_n(&e->live, live, __ATOMIC_RELAXED);
    __atomic_store_n(&e->owner, owner, __ATOMIC_RELAXED);
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

/* Whether slot e holds a live invocation that thread tid fetched; its sequence then goes
 * to *seq, so that the id read afterwards is that very invocation's. */
static bool slot_owned(struct inflight *e, int tid, unsigned *seq)
{
    for (int tries = 0; tries < 64; tries++) {
        unsigned s1 = __atomic_load_n(&e->seq, __ATOMIC_ACQUIRE);
        if (s1 & 1) {
            sched_yield();
            continue;
        }
        bool yes = __atomic_load_n(&e->live, __ATOMIC_RELAXED) &&
                   __atomic_load_n(&e->owner, __ATOMIC_RELAXED) == tid;
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        if (__atomic_load_n(&e->seq, __ATOMIC_RELAXED) != s1)
            continue;
        *seq = s1;
        return yes;
    }
    return false;
}

/* The live invocations this thread fetched: returns how many (0, 1, or 2 meaning "more
 * than one"), the slot and sequence of the one when there is exactly one. */
static int own_invocations(int *slot, unsigned *seq)
{
    int tid = my_tid(), n = 0, used = __atomic_load_n(&slots_used, __ATOMIC_ACQUIRE);
    for (int i = 0; i < used; i++) {
        unsigned s;
        if (__atomic_load_n(&inflight[i].owner, __ATOMIC_RELAXED) != tid ||
            !slot_owned(&inflight[i], tid, &s))
            continue;
        if (++n > 1)
            return n; /* a Node.js worker thread with async invokes: any of them could be writing */
        *slot = i;
        *seq = s;
    }
    return n;
}

size_t lifecycle_request_id(char *buf, size_t size)
{
    if (__atomic_load_n(&live_count, __ATOMIC_RELAXED) > 0) {
        int slot = -1;
        unsigned seq = 0;
        int own = own_invocations(&slot, &seq);
        if (own > 1)
            return 0;
        if (own == 1) {
            size_t n = slot_read(&inflight[slot], seq, buf, size);
            if (n)
                return n;
        }
        /* Not this thread's. With one invocation at a time the only one in flight is
         * the answer (AWS's Node.js client fetches on a worker thread and runs the
         * handler on the main thread); where several can run at once it is a guess: a
         * thread that is about to fetch its own, or serves another process's, would
         * borrow a stranger's id. */
        if (config_concurrent())
            return 0;
        int s = __atomic_load_n(&sole, __ATOMIC_ACQUIRE);
        return s >= 0 ? slot_read(&inflight[s], 0, buf, size) : 0;
    }
    /* Observation impossible (never saw an invocation, or lost a connection): the
     * extension's INVOKE is the best remaining answer, with one invocation at a time. */
    if ((!__atomic_load_n(&seen_start, __ATOMIC_RELAXED) ||
         __atomic_load_n(&lost_count, __ATOMIC_RELAXED)) &&
        !config_concurrent())
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

bool lifecycle_at_snapshot(void)
{
    return __atomic_load_n(&snap, __ATOMIC_ACQUIRE) != SNAP_NONE;
}

static void note(const char *event, int fd, const char *key, long value)
{
    struct debugline line;
    struct fmt *f = debuglog_begin(&line, event);
    if (f) {
        debuglog_kvi(f, "fd", fd);
        if (key)
            debuglog_kvi(f, key, value);
        debuglog_end(f);
    }
}

/* The after-restore phase is over: its record, and what the hooks printed goes out before
 * the first invoke's `next` (or the restore error) can. */
static void restore_over(bool error)
{
    int want = SNAP_RESTORING;
    if (!__atomic_compare_exchange_n(&snap, &want, SNAP_DONE, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
        return;
    trace_restore_ended(error);
    logs_on_restore_over();
}

void lifecycle_restore_next_sending(int fd)
{
    int want = SNAP_NONE;
    if (!__atomic_compare_exchange_n(&snap, &want, SNAP_TAKEN, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
        return;
    /* Init ends at the snapshot point: what runs after the restore is the restore's. */
    end_of_init(false);
    note("snapshot", fd, NULL, 0);
    logs_on_runtime_ready();
    uring_notice_check();
}

void lifecycle_restored(int fd, int status)
{
    int want = SNAP_TAKEN;
    if (status != 200 ||
        !__atomic_compare_exchange_n(&snap, &want, SNAP_RESTORING, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
        note("restore-refused", fd, "status", status);
        return;
    }
    trace_restore_started();
    note("restore", fd, NULL, 0);
}

void lifecycle_restore_error_sending(int fd)
{
    (void)fd;
    restore_over(true);
}

void lifecycle_restore_error(int fd)
{
    restore_over(true);
    note("restore-error", fd, NULL, 0);
}

void lifecycle_next_sending(int fd)
{
    if (__atomic_load_n(&snap, __ATOMIC_ACQUIRE) == SNAP_RESTORING) {
        restore_over(false);
        note("restored", fd, NULL, 0);
        return;
    }
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
        if (slot >= slots_used)
            __atomic_store_n(&slots_used, slot + 1, __ATOMIC_RELEASE);
        slot_write(&inflight[slot], true, fd, my_tid(), id);
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
     * flushes now still carries it (and counts in live_count). */
    logs_on_invoke_end(id, __atomic_load_n(&live_count, __ATOMIC_RELAXED) > 1);
}

void lifecycle_invoke_end(int fd, const char *id, bool error)
{
    static unsigned ends;
    bool found = false;
    wlock();
    for (int i = 0; i < INFLIGHT_MAX; i++) {
        if (inflight[i].live && strcmp(inflight[i].id, id) == 0) {
            slot_write(&inflight[i], false, -1, 0, NULL);
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
    slot_write(&ext, true, -1, 0, id);
    /* Lambda sends INVOKE only after the invocation before it ended. Once the observer
     * lost a connection it may have missed that end (the response went out on a socket
     * it cannot see): with one invocation at a time, any other id still in flight is
     * over, and must not name this invocation's output. */
    bool stale = false;
    if (__atomic_load_n(&lost_count, __ATOMIC_RELAXED) && !config_concurrent()) {
        for (int i = 0; i < INFLIGHT_MAX; i++) {
            if (inflight[i].live && strcmp(inflight[i].id, id) != 0) {
                slot_write(&inflight[i], false, -1, 0, NULL);
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
