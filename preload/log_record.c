/* Records from partial writes. Each thread writing to stdout or stderr gets a slot from
 * a fixed pool (no allocation) holding its unfinished line, its pending record (the
 * lines that later lines may still continue) and a batch of formatted records. A slot
 * is only ever touched by the one thread that moved its state away from IDLE, so the
 * hot path takes no lock; a thread's bytes stay in order, and records of concurrent
 * threads never interleave.
 *
 * Slot states: FREE -> BUSY (its owner appending) <-> IDLE (owned, waiting) ->
 * FLUSHING (another thread writing it out: the flusher after the deadline, invoke end,
 * exit, a crash report, or a thread stealing it when the pool is exhausted) -> FREE.
 * The owner finds its slot FLUSHING: it waits, so its next text cannot overtake.
 * After fork the child forgets every slot (the parent writes what they hold). */
#include "log_internal.h"

#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <time.h>

#define SLOTS 32
#define OUT_CAP (LOG_EVENT_MAX + LOG_BATCH + 4096)

enum { FREE, IDLE, BUSY, FLUSHING };

struct meta {
    uint64_t us;
    size_t rid_len;
    char rid[LWRAP_REQUEST_ID_SIZE];
};

struct slot {
    int state;           /* atomic */
    const void *owner;   /* atomic: the owning thread's marker */
    uint64_t last_us;    /* atomic: CLOCK_REALTIME (us) of the owner's last write */
    uint64_t held_us;    /* atomic: when the oldest complete record held began (or MAX) */
    uint64_t head_us;    /* atomic: the same for anything held, unfinished line included */
    uint64_t out_us;     /* when the oldest record in out began */
    uint64_t now_us;     /* the current write's time (one clock read per write) */
    int stream;
    size_t start;        /* buf[start..line): the pending record, '\n'-terminated lines */
    size_t line;         /* buf[line..len): the unfinished line */
    size_t len;
    bool split_line;     /* the unfinished line was already written out by a flush */
    uint64_t unit;       /* counts the owner's writes (each iovec, each stdio chunk) */
    uint64_t line_unit;  /* the write the unfinished line began in */
    uint64_t rec_unit;   /* the write the pending record's last line ended in */
    struct log_cont cont;
    struct meta rec;     /* when the pending record began, and for which request */
    struct meta next;    /* the same for the unfinished line */
    struct log_out out;
    char *buf; /* LOG_RECORD_MAX bytes, slot_buf[i] */
};

/* The slots' small headers are packed together (the flusher scans them all) and their
 * big buffers kept apart, so only the buffers of slots in use ever become resident. */
static struct slot slots[SLOTS];
static char slot_buf[SLOTS][LOG_RECORD_MAX];
static char slot_out[SLOTS][OUT_CAP];
/* Which slot this thread writes each stream into; the address of `me` identifies it. */
static __thread struct slot *mine[2] __attribute__((tls_model("initial-exec")));
static __thread char me __attribute__((tls_model("initial-exec")));
/* Set while this thread holds a slot BUSY: a signal handler's stdio must not wait on it. */
static __thread bool busy __attribute__((tls_model("initial-exec")));

bool log_reentered(void)
{
    return busy;
}

static int load_state(struct slot *s)
{
    return __atomic_load_n(&s->state, __ATOMIC_ACQUIRE);
}

static bool cas_state(struct slot *s, int from, int to)
{
    return __atomic_compare_exchange_n(&s->state, &from, to, false, __ATOMIC_ACQ_REL,
                                       __ATOMIC_RELAXED);
}

static void take_meta(struct meta *m, uint64_t now_us)
{
    m->us = now_us;
    m->rid_len = lifecycle_request_id(m->rid, sizeof m->rid);
}

static bool has_content(struct slot *s)
{
    return s->len > s->start || s->out.len;
}

/* Held beyond an unfinished line: what the flusher must write out when the slot idles. */
static bool has_complete(struct slot *s)
{
    return s->line > s->start || s->out.len;
}

/* Back to IDLE, telling other threads how old what it holds is (they write older
 * records of other threads first: output keeps the order it was written in). */
static void release(struct slot *s)
{
    uint64_t held = s->out.len ? s->out_us : s->line > s->start ? s->rec.us : UINT64_MAX;
    __atomic_store_n(&s->held_us, held, __ATOMIC_RELAXED);
    __atomic_store_n(&s->head_us, held != UINT64_MAX ? held : s->len > s->line ? s->next.us : UINT64_MAX,
                     __ATOMIC_RELAXED);
    __atomic_store_n(&s->state, IDLE, __ATOMIC_RELEASE);
}

/* The IDLE slots `due` takes, oldest held record first. */
static int collect(int out[SLOTS], bool (*due)(struct slot *, uint64_t), uint64_t arg)
{
    int n = 0;
    for (int i = 0; i < SLOTS; i++) {
        struct slot *s = &slots[i];
        if (load_state(s) != IDLE || !due(s, arg))
            continue;
        uint64_t held = __atomic_load_n(&s->held_us, __ATOMIC_RELAXED);
        int k = n++;
        while (k > 0 && __atomic_load_n(&slots[out[k - 1]].held_us, __ATOMIC_RELAXED) > held) {
            out[k] = out[k - 1];
            k--;
        }
        out[k] = i;
    }
    return n;
}

/* Format buf[a..b) as one record with metadata m into the slot's batch. */
static void emit(struct slot *s, size_t a, size_t b, const struct meta *m, bool allow_regex)
{
    if (!s->out.len)
        s->out_us = m->us;
    struct log_rec r = {
        .msg = s->buf + a,
        .len = b - a,
        .stream = s->stream,
        .ts_us = m->us,
        .rid = m->rid,
        .rid_len = m->rid_len,
    };
    log_render(&r, &s->out, true, allow_regex);
}

/* The pending record is complete: format it. */
static void emit_pending(struct slot *s, bool allow_regex)
{
    if (s->line > s->start)
        emit(s, s->start, s->line, &s->rec, allow_regex);
    s->start = s->line;
}

/* Everything the slot holds goes out now (the unfinished line as a record of its own). */
static void drain(struct slot *s, bool allow_regex)
{
    emit_pending(s, allow_regex);
    if (s->len > s->line) {
        emit(s, s->line, s->len, &s->next, allow_regex);
        s->split_line = true;
    }
    s->start = s->line = s->len = 0;
    log_out_flush(&s->out);
}

static void reset(struct slot *s, int stream)
{
    s->stream = stream;
    s->start = s->line = s->len = 0;
    s->split_line = false;
    s->unit = 1;
    s->line_unit = s->rec_unit = 0;
    s->buf = slot_buf[s - slots];
    s->out.buf = slot_out[s - slots];
    s->out.cap = OUT_CAP;
    s->out.len = 0;
    s->out.stream = stream;
}

/* The idle flush: complete records go out; an unfinished line stays (a line written in
 * parts is one record, and a secret in it is masked whole). */
static void drain_complete(struct slot *s)
{
    emit_pending(s, true);
    log_out_flush(&s->out);
    if (s->start > 0) {
        memmove(s->buf, s->buf + s->start, s->len - s->start);
        s->line -= s->start;
        s->len -= s->start;
        s->start = 0;
    }
}

/* Write out a slot this thread moved to FLUSHING, and free it; a slot whose unfinished
 * line was cut stays its owner's, which must still learn that (see line_done). */
static void flush_and_free(struct slot *s, bool allow_regex)
{
    drain(s, allow_regex);
    if (s->split_line) {
        release(s);
        return;
    }
    __atomic_store_n(&s->owner, NULL, __ATOMIC_RELEASE);
    __atomic_store_n(&s->state, FREE, __ATOMIC_RELEASE);
}

/* A thread that ends writes out what it held, after what other threads held from
 * earlier: a joined worker's lines come after what the joining thread printed before it
 * started the worker, and before what it prints next. The key's value is set once a
 * thread has a slot. */
static pthread_key_t gone_key;
static bool have_gone_key;

static struct slot *acquire(int stream)
{
    if (have_gone_key && !mine[0] && !mine[1])
        pthread_setspecific(gone_key, &me);
    for (;;) {
        for (int i = 0; i < SLOTS; i++) {
            struct slot *s = &slots[i];
            if (load_state(s) == FREE && cas_state(s, FREE, BUSY)) {
                __atomic_store_n(&s->owner, &me, __ATOMIC_RELEASE);
                reset(s, stream);
                return s;
            }
        }
        /* Pool exhausted: write out another thread's idle slot and take it over. */
        for (int i = 0; i < SLOTS; i++) {
            struct slot *s = &slots[i];
            if (load_state(s) == IDLE && cas_state(s, IDLE, FLUSHING)) {
                drain(s, true);
                __atomic_store_n(&s->owner, &me, __ATOMIC_RELEASE);
                reset(s, stream);
                __atomic_store_n(&s->state, BUSY, __ATOMIC_RELEASE);
                return s;
            }
        }
        sched_yield();
    }
}

/* This thread's slot for stream, held BUSY. */
/* Whether s is still this thread's slot for stream (mine[] can point at a slot that was
 * freed and then taken again, by this thread for the other stream or by another). */
static bool still_mine(struct slot *s, int stream)
{
    return __atomic_load_n(&s->owner, __ATOMIC_ACQUIRE) == &me && s->stream == stream;
}

static struct slot *get(int stream)
{
    struct slot *s = mine[stream];
    while (s) {
        int st = load_state(s);
        if (!still_mine(s, stream))
            break;
        if (st == IDLE && cas_state(s, IDLE, BUSY)) {
            if (still_mine(s, stream))
                return s;
            release(s);
            break;
        }
        if (st == FREE)
            break;
        sched_yield(); /* being written out: wait so our next bytes cannot overtake */
    }
    s = acquire(stream);
    mine[stream] = s;
    return s;
}

/* Where to cut p[0..n) so that no UTF-8 sequence is split (n when none is open). */
static size_t utf8_cut(const char *p, size_t n)
{
    for (size_t back = 1; back <= 3 && back < n; back++) {
        unsigned c = (unsigned char)p[n - back];
        if (c < 0x80)
            return n;
        if (c >= 0xC0) {
            size_t need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
            return need > back ? n - back : n;
        }
    }
    return n;
}

/* Room for n more bytes in buf; may write out the pending record or part of a huge
 * unfinished line. Returns how many bytes of the n fit now (> 0). */
static size_t make_room(struct slot *s, size_t n)
{
    if (s->len + n <= LOG_RECORD_MAX)
        return n;
    if (s->line > s->start && s->len - s->start + n > LOG_RECORD_MAX)
        emit_pending(s, true);
    if (s->start > 0) {
        memmove(s->buf, s->buf + s->start, s->len - s->start);
        s->line -= s->start;
        s->len -= s->start;
        s->start = 0;
    }
    if (s->len + n <= LOG_RECORD_MAX)
        return n;
    if (s->len == LOG_RECORD_MAX) {
        /* One line fills the whole buffer: write it as a record, cut before an
         * incomplete UTF-8 sequence; the rest continues as a new record. */
        size_t cut = utf8_cut(s->buf + s->line, s->len - s->line) + s->line;
        emit(s, s->line, cut, &s->next, true);
        memmove(s->buf, s->buf + cut, s->len - cut);
        s->len -= cut;
        s->start = s->line = 0;
    }
    return LOG_RECORD_MAX - s->len < n ? LOG_RECORD_MAX - s->len : n;
}

/* A complete line is buf[line..len-1] plus its '\n'. */
static void line_done(struct slot *s)
{
    const char *l = s->buf + s->line;
    size_t n = s->len - 1 - s->line;
    if (s->split_line) {
        /* Its beginning already went out (deadline flush): the rest is its own record,
         * and a bare newline that ended it is not an empty record. */
        s->split_line = false;
        if (n == 0) {
            s->len = s->line;
            return;
        }
    }
    if (log_cfg.importtime && s->stream == LOG_STDERR && n >= 12 && l[0] == 'i' &&
        log_importtime_line(l, n)) {
        s->len = s->line; /* absorbed */
        return;
    }
    /* A line begun by the write that ended the record's last line was written together
     * with it (print("a\nb"), one console.log call): same record, unless a JSON-object
     * line is involved (pino writes many in one write). Otherwise only the shape of the
     * line (indentation, stack-trace forms) continues a record. */
    bool together = s->line_unit == s->rec_unit;
    if (s->line > s->start && log_cont_joins_write(&s->cont, l, n, together)) {
        s->line = s->len;
        s->rec_unit = s->unit;
        return;
    }
    emit_pending(s, true);
    s->rec_unit = s->unit;
    s->rec = s->next;
    log_cont_start(&s->cont, l, n);
    s->line = s->len;
    if (s->out.len >= LOG_BATCH)
        log_out_flush(&s->out);
}

static void append(struct slot *s, const char *p, size_t n)
{
    while (n) {
        if (s->len == s->line) {
            take_meta(&s->next, s->now_us);
            s->line_unit = s->unit;
        }
        const char *nl = memchr(p, '\n', n);
        size_t k = nl ? (size_t)(nl - p) + 1 : n;
        size_t fit = make_room(s, k);
        memcpy(s->buf + s->len, p, fit);
        s->len += fit;
        p += fit;
        n -= fit;
        if (fit == k && nl)
            line_done(s);
    }
}

/* Write out what this thread holds for stream now (it is about to write elsewhere, or a
 * child may: keep its order): its complete records, and with `all` (the process image
 * is about to go) its unfinished line too. */
static void flush_own(int stream, bool all)
{
    struct slot *s = mine[stream];
    if (!s || !still_mine(s, stream) || load_state(s) != IDLE ||
        !(all ? has_content(s) : has_complete(s)) || !cas_state(s, IDLE, BUSY))
        return;
    if (still_mine(s, stream)) {
        if (all)
            drain(s, true);
        else
            drain_complete(s);
    }
    release(s);
}

void log_flush_own(bool all)
{
    busy = true;
    flush_own(LOG_STDOUT, all);
    flush_own(LOG_STDERR, all);
    busy = false;
}

void log_flush_own_vfork_child(void)
{
    busy = true;
    for (int stream = LOG_STDOUT; stream <= LOG_STDERR; stream++) {
        int fd = log_dest_fd(stream);
        int want = fd == log_cfg.tfd ? LOG_FD_TELEMETRY : stream == LOG_STDERR ? LOG_FD_STDERR : LOG_FD_STDOUT;
        if (log_fd_still(fd, want))
            flush_own(stream, false);
    }
    busy = false;
}

/* Keep the held bytes at the front of buf: only the first pages of a slot are ever
 * touched (resident) while records are short. */
static void compact(struct slot *s)
{
    if (s->start < 4096)
        return;
    memmove(s->buf, s->buf + s->start, s->len - s->start);
    s->line -= s->start;
    s->len -= s->start;
    s->start = 0;
}

void log_feed(int stream, const char *p, size_t n)
{
    busy = true;
    /* What this thread wrote to the other stream comes first, as it was written (an
     * unfinished line there stays: it is one line of that stream). */
    flush_own(stream == LOG_STDOUT ? LOG_STDERR : LOG_STDOUT, false);
    struct slot *s = get(stream);
    s->now_us = log_now_us();
    s->unit++;
    append(s, p, n);
    compact(s);
    if (log_exiting || log_hold_off(s->now_us))
        drain(s, true);
    __atomic_store_n(&s->last_us, s->now_us, __ATOMIC_RELAXED);
    release(s);
    busy = false;
    if (has_complete(s))
        log_flusher_kick();
}

void log_flush_slots(bool wait, bool allow_regex)
{
    /* First let other threads finish what they are writing right now (maybe to a slow
     * pipe): up to about 5 s (1000 yields from a signal handler or before exec). Never
     * this thread's own slot (a signal handler interrupted it there). */
    for (int i = 0; i < SLOTS; i++) {
        struct slot *s = &slots[i];
        for (int spins = 0;; spins++) {
            int st = load_state(s);
            if (st == FREE || st == IDLE || __atomic_load_n(&s->owner, __ATOMIC_ACQUIRE) == &me ||
                spins > (wait ? 6000 : 1000))
                break;
            if (spins < 1000) {
                sched_yield();
            } else {
                struct timespec ms = {0, 1000 * 1000};
                nanosleep(&ms, NULL);
            }
        }
    }
    /* Then everything held, merged by age: each round writes the oldest piece held
     * (a batch of records, a pending record, an unfinished line) of any slot, so one
     * thread's later records do not overtake another's earlier ones. (Bounded: threads
     * that keep writing meanwhile are not chased forever.) */
    for (int round = 0; round < SLOTS * 8; round++) {
        struct slot *s = NULL;
        uint64_t oldest = UINT64_MAX;
        for (int i = 0; i < SLOTS; i++) {
            uint64_t h = __atomic_load_n(&slots[i].head_us, __ATOMIC_RELAXED);
            if (load_state(&slots[i]) == IDLE && h != UINT64_MAX && (!s || h < oldest)) {
                s = &slots[i];
                oldest = h;
            }
        }
        if (!s)
            break;
        if (!cas_state(s, IDLE, FLUSHING))
            continue;
        if (s->out.len) {
            log_out_flush(&s->out);
        } else if (s->line > s->start) {
            emit_pending(s, allow_regex);
            log_out_flush(&s->out);
        } else {
            flush_and_free(s, allow_regex);
            continue;
        }
        release(s);
    }
}

static bool idle_past_hold(struct slot *s, uint64_t now_us)
{
    uint64_t last = __atomic_load_n(&s->last_us, __ATOMIC_RELAXED);
    /* (a clock stepped back counts as idle too: better early than never) */
    return __atomic_load_n(&s->held_us, __ATOMIC_RELAXED) != UINT64_MAX &&
           (now_us < last || now_us - last >= LOG_HOLD_NS / 1000);
}

uint64_t log_flush_idle(uint64_t now_us)
{
    int due[SLOTS];
    int n = collect(due, idle_past_hold, now_us);
    for (int k = 0; k < n; k++) {
        struct slot *s = &slots[due[k]];
        if (cas_state(s, IDLE, FLUSHING)) {
            drain_complete(s);
            release(s);
        }
    }
    /* When the next held record falls due. */
    uint64_t next = 0;
    for (int i = 0; i < SLOTS; i++) {
        struct slot *s = &slots[i];
        int st = load_state(s);
        if (st == FREE || (st == IDLE && __atomic_load_n(&s->held_us, __ATOMIC_RELAXED) == UINT64_MAX))
            continue;
        uint64_t last = __atomic_load_n(&s->last_us, __ATOMIC_RELAXED);
        uint64_t at = st == IDLE && now_us >= last ? last + LOG_HOLD_NS / 1000 : now_us + LOG_HOLD_NS / 1000;
        next = next && next < at ? next : at;
    }
    return next;
}

void log_record_atfork_child(void)
{
    for (int i = 0; i < SLOTS; i++) {
        slots[i].owner = NULL;
        slots[i].start = slots[i].line = slots[i].len = 0;
        slots[i].out.len = 0;
        slots[i].state = FREE;
    }
}

void log_emit_own(int stream, int level, const char *msg, size_t len)
{
    busy = true;
    struct slot *s = get(stream);
    drain(s, true);
    size_t n = len < LOG_RECORD_MAX ? len : LOG_RECORD_MAX;
    memcpy(s->buf, msg, n);
    struct meta m;
    take_meta(&m, log_now_us());
    struct log_rec r = {
        .msg = s->buf, .len = n, .stream = stream, .level = level,
        .ts_us = m.us, .rid = m.rid, .rid_len = m.rid_len,
    };
    log_render(&r, &s->out, false, true);
    log_out_flush(&s->out);
    release(s);
    busy = false;
}

static bool held_before(struct slot *s, uint64_t t)
{
    return __atomic_load_n(&s->owner, __ATOMIC_ACQUIRE) != &me &&
           __atomic_load_n(&s->held_us, __ATOMIC_RELAXED) < t;
}

static uint64_t my_oldest(void)
{
    uint64_t t = UINT64_MAX;
    for (int i = 0; i < 2; i++) {
        struct slot *s = mine[i];
        if (s && still_mine(s, i) && __atomic_load_n(&s->held_us, __ATOMIC_RELAXED) < t)
            t = __atomic_load_n(&s->held_us, __ATOMIC_RELAXED);
    }
    return t;
}

static void thread_gone(void *arg)
{
    (void)arg;
    /* Records the flusher is writing right now go first. */
    for (int i = 0; i < SLOTS; i++)
        for (int spins = 0; load_state(&slots[i]) == FLUSHING && spins < 100000; spins++)
            sched_yield();
    /* Then what other threads wrote before this thread's oldest held record (Python's
     * join returns before the thread's exit: the joining thread may already be writing
     * again, and that comes later). */
    uint64_t t = my_oldest();
    int older[SLOTS];
    int n = t == UINT64_MAX ? 0 : collect(older, held_before, t);
    for (int k = 0; k < n; k++) {
        struct slot *s = &slots[older[k]];
        if (!cas_state(s, IDLE, FLUSHING))
            continue;
        log_out_flush(&s->out);
        if (s->line > s->start && s->rec.us < t) {
            emit_pending(s, true);
            log_out_flush(&s->out);
        }
        release(s);
    }
    log_flush_own(true);
}

void log_record_init(void)
{
    have_gone_key = pthread_key_create(&gone_key, thread_gone) == 0;
}
