/* Records from partial writes. Each thread writing to stdout or stderr gets a slot from
 * a fixed pool (no allocation) holding its unfinished line, its pending record (the
 * lines that later lines may still continue) and a batch of formatted records. A slot
 * is only ever touched by the one thread that moved its state away from IDLE, so the
 * hot path takes no lock; a thread's bytes stay in order, and records of concurrent
 * threads never interleave.
 *
 * Slot states (log_slot.h): FREE -> BUSY (its owner appending) <-> IDLE (owned, waiting)
 * -> FLUSHING (another thread writing it out: log_order.c's flushes, or a thread stealing
 * it when the pool is exhausted) -> IDLE or FREE. The owner finds its slot FLUSHING: it
 * waits, so its next text cannot overtake. After fork the child forgets every slot (the
 * parent writes what they hold). */
#include "log_slot.h"

#include <sched.h>
#include <string.h>

/* The slots' small headers are packed together (the flusher scans them all) and their
 * big buffers kept apart, so only the buffers of slots in use ever become resident. */
struct log_slot log_slots[LOG_SLOTS];
static char slot_buf[LOG_SLOTS][LOG_RECORD_MAX];
static char slot_out[LOG_SLOTS][LOG_SLOT_OUT_CAP];
__thread struct log_slot *log_mine[2] __attribute__((tls_model("initial-exec")));
__thread char log_me __attribute__((tls_model("initial-exec")));
/* Set while this thread works inside the pipeline (a slot BUSY or FLUSHING by it): a
 * signal handler's write then waits in log_defer.c's queue. */
__thread bool log_busy __attribute__((tls_model("initial-exec")));

bool log_reentered(void)
{
    return log_busy;
}

static void take_meta(struct log_meta *m, uint64_t now_us)
{
    m->us = now_us;
    m->rid_len = lifecycle_request_id(m->rid, sizeof m->rid);
}

/* Back to IDLE, telling other threads how old what it holds is (they write older
 * records of other threads first: output keeps the order it was written in). */
void slot_release(struct log_slot *s)
{
    uint64_t held = s->out.len ? s->out_us : s->line > s->start ? s->rec.us : UINT64_MAX;
    bool open = !s->out.len && s->line > s->start && log_cont_open(&s->cont);
    __atomic_store_n(&s->held_open, open, __ATOMIC_RELAXED);
    __atomic_store_n(&s->held_us, held, __ATOMIC_RELAXED);
    uint64_t head = held != UINT64_MAX ? held : s->len > s->line ? s->next.us : UINT64_MAX;
    __atomic_store_n(&s->head_us, head, __ATOMIC_RELAXED);
    __atomic_store_n(&s->state, SLOT_IDLE, __ATOMIC_RELEASE);
}


/* Slots not FREE: with one, no other thread holds anything (no scan below). */
static int slots_used;

/* Another thread holds something that began in [lo, hi) (as its slot last published). */
static bool other_began_between(struct log_slot *s, uint64_t lo, uint64_t hi)
{
    if (__atomic_load_n(&slots_used, __ATOMIC_RELAXED) <= 1)
        return false;
    for (int i = 0; i < LOG_SLOTS; i++) {
        struct log_slot *o = &log_slots[i];
        uint64_t h = __atomic_load_n(&o->head_us, __ATOMIC_RELAXED);
        if (o != s && h >= lo && h < hi && slot_state(o) != SLOT_FREE)
            return true;
    }
    return false;
}

/* Format buf[a..b) as one record with metadata m into the slot's batch. A batch leaves
 * as one piece, oldest piece first (log_order.c): so it never spans what another thread
 * holds from in between (a worker's lines between two lines of the thread that joined
 * it, when Python's join returned before the worker's exit wrote them out). */
static void emit(struct log_slot *s, size_t a, size_t b, const struct log_meta *m, bool allow_regex)
{
    if (s->out.len && other_began_between(s, s->out_us, m->us))
        log_out_flush(&s->out);
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
static inline void emit_pending(struct log_slot *s, bool allow_regex)
{
    if (s->line > s->start)
        emit(s, s->start, s->line, &s->rec, allow_regex);
    s->start = s->line;
}

void slot_emit_pending(struct log_slot *s, bool allow_regex)
{
    emit_pending(s, allow_regex);
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

/* Where to cut l[0..n), a line too long for one record: before the longest tail that
 * could begin a credential value or key id (each half would escape the mask) and before
 * an incomplete UTF-8 sequence. */
static size_t safe_cut(const char *l, size_t n)
{
    return utf8_cut(l, log_redact_cut(l, n));
}

/* Everything the slot holds goes out now, the unfinished line as a record of its own.
 * With keep_line (the line can still go on: a child starts, the deadline is near, fds
 * change) an unfinished line whose end could begin a credential value or key id stays
 * held, whole: its next bytes join it and the mask sees the credential whole. */
void slot_drain(struct log_slot *s, bool allow_regex, bool keep_line)
{
    emit_pending(s, allow_regex);
    size_t n = s->len - s->line;
    if (n && !(keep_line && log_redact_cut(s->buf + s->line, n) < n)) {
        emit(s, s->line, s->len, &s->next, allow_regex);
        s->split_line = true;
        s->len = s->line;
    }
    memmove(s->buf, s->buf + s->line, s->len - s->line);
    s->len -= s->line;
    s->start = s->line = 0;
    log_out_flush(&s->out);
}

static void reset(struct log_slot *s, int stream)
{
    __atomic_store_n(&s->stream, stream, __ATOMIC_RELAXED); /* slot_still_mine reads it */
    s->start = s->line = s->len = 0;
    s->split_line = false;
    s->unit = 1;
    s->line_unit = s->rec_unit = 0;
    s->buf = slot_buf[s - log_slots];
    s->out.buf = slot_out[s - log_slots];
    s->out.cap = LOG_SLOT_OUT_CAP;
    s->out.len = 0;
    s->out.stream = stream;
}

/* The idle flush: complete records go out; an unfinished line stays (a line written in
 * parts is one record, and a secret in it is masked whole). */
void slot_drain_complete(struct log_slot *s)
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
 * line was cut (or kept) stays its owner's, which must still learn that (see
 * line_done). */
bool slot_flush_and_free(struct log_slot *s, bool allow_regex, bool keep_line)
{
    slot_drain(s, allow_regex, keep_line);
    bool kept = s->len > 0;
    if (s->split_line || kept) {
        slot_release(s);
        return kept;
    }
    __atomic_store_n(&s->owner, NULL, __ATOMIC_RELEASE);
    __atomic_fetch_sub(&slots_used, 1, __ATOMIC_RELAXED);
    __atomic_store_n(&s->state, SLOT_FREE, __ATOMIC_RELEASE);
    return false;
}

static struct log_slot *acquire(int stream)
{
    if (!log_mine[0] && !log_mine[1])
        log_order_thread_has_slot();
    for (;;) {
        for (int i = 0; i < LOG_SLOTS; i++) {
            struct log_slot *s = &log_slots[i];
            if (slot_state(s) == SLOT_FREE && slot_cas(s, SLOT_FREE, SLOT_BUSY)) {
                __atomic_fetch_add(&slots_used, 1, __ATOMIC_RELAXED);
                __atomic_store_n(&s->owner, &log_me, __ATOMIC_RELEASE);
                reset(s, stream);
                return s;
            }
        }
        /* Pool exhausted: write out another thread's idle slot and take it over; first
         * one without an unfinished line (which would be cut in two). */
        for (int i = 0; i < 2 * LOG_SLOTS; i++) {
            struct log_slot *s = &log_slots[i % LOG_SLOTS];
            if (slot_state(s) != SLOT_IDLE || !slot_cas(s, SLOT_IDLE, SLOT_FLUSHING))
                continue;
            if (i < LOG_SLOTS && s->len > s->line) {
                slot_release(s);
                continue;
            }
            slot_drain(s, true, false);
            __atomic_store_n(&s->owner, &log_me, __ATOMIC_RELEASE);
            reset(s, stream);
            __atomic_store_n(&s->state, SLOT_BUSY, __ATOMIC_RELEASE);
            return s;
        }
        sched_yield();
    }
}

/* This thread's slot for stream, held BUSY. */
static struct log_slot *get(int stream)
{
    struct log_slot *s = log_mine[stream];
    while (s) {
        int st = slot_state(s);
        if (!slot_still_mine(s, stream))
            break;
        if (st == SLOT_IDLE && slot_cas(s, SLOT_IDLE, SLOT_BUSY)) {
            if (slot_still_mine(s, stream))
                return s;
            slot_release(s);
            break;
        }
        if (st == SLOT_FREE)
            break;
        sched_yield(); /* being written out: wait so our next bytes cannot overtake */
    }
    s = acquire(stream);
    log_mine[stream] = s;
    return s;
}

/* Room for n more bytes in buf; may write out the pending record or part of a huge
 * unfinished line. Returns how many bytes of the n fit now (> 0). */
static size_t make_room(struct log_slot *s, size_t n)
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
        /* One line fills the whole buffer: write it as a record, cut before what could
         * begin a credential and before an incomplete UTF-8 sequence; the rest
         * continues as a new record. */
        size_t cut = safe_cut(s->buf + s->line, s->len - s->line) + s->line;
        emit(s, s->line, cut, &s->next, true);
        memmove(s->buf, s->buf + cut, s->len - cut);
        s->len -= cut;
        s->start = s->line = 0;
    }
    return LOG_RECORD_MAX - s->len < n ? LOG_RECORD_MAX - s->len : n;
}

/* A complete line is buf[line..len-1] plus its '\n'. */
static void line_done(struct log_slot *s)
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

static void append(struct log_slot *s, const char *p, size_t n)
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
 * child may: keep its order): its complete records, and beyond LOG_OWN_COMPLETE its
 * unfinished line too (LOG_OWN_ALL: unless its end could begin a credential). */
static void flush_own(int stream, enum log_own what)
{
    bool all = what != LOG_OWN_COMPLETE;
    struct log_slot *s = log_mine[stream];
    /* The flusher may be writing it right now: that goes first. */
    for (int spins = 0; s && slot_state(s) == SLOT_FLUSHING && spins < 100000; spins++)
        sched_yield();
    if (!s || !slot_still_mine(s, stream) || slot_state(s) != SLOT_IDLE)
        return;
    /* An idle slot's contents are for the thread that takes it to look at: what it
     * holds, and since when, is what slot_release published. */
    uint64_t since = __atomic_load_n(all ? &s->head_us : &s->held_us, __ATOMIC_RELAXED);
    if (since == UINT64_MAX)
        return;
    /* Older records of other threads first (a joined worker's lines before what the
     * joining thread printed to another stream after the join). */
    log_flush_older_than(since);
    if (!slot_cas(s, SLOT_IDLE, SLOT_BUSY))
        return;
    if (slot_still_mine(s, stream)) {
        if (all)
            slot_drain(s, true, what == LOG_OWN_ALL);
        else
            slot_drain_complete(s);
    }
    slot_release(s);
}

void log_flush_own(enum log_own what)
{
    bool was_busy = log_busy;
    log_busy = true;
    flush_own(LOG_STDOUT, what);
    flush_own(LOG_STDERR, what);
    log_busy = was_busy;
}

void log_flush_own_vfork_child(void)
{
    bool was_busy = log_busy;
    log_busy = true;
    for (int stream = LOG_STDOUT; stream <= LOG_STDERR; stream++) {
        int fd = log_dest_fd(stream);
        int want = fd == log_cfg.tfd      ? LOG_FD_TELEMETRY
                   : stream == LOG_STDERR ? LOG_FD_STDERR
                                          : LOG_FD_STDOUT;
        if (log_fd_still(fd, want))
            flush_own(stream, LOG_OWN_ALL); /* the forking thread goes on */
    }
    log_busy = was_busy;
}

/* Keep the held bytes at the front of buf: only the first pages of a slot are ever
 * touched (resident) while records are short. */
static void compact(struct log_slot *s)
{
    if (s->start < 4096)
        return;
    memmove(s->buf, s->buf + s->start, s->len - s->start);
    s->line -= s->start;
    s->len -= s->start;
    s->start = 0;
}

void log_feedv(int stream, const struct iovec *iov, int cnt)
{
    bool was_busy = log_busy;
    log_busy = true;
    /* What this thread wrote to the other stream comes first, as it was written (an
     * unfinished line there stays: it is one line of that stream). */
    int other = stream == LOG_STDOUT ? LOG_STDERR : LOG_STDOUT;
    if (log_mine[other])
        flush_own(other, LOG_OWN_COMPLETE);
    struct log_slot *s = get(stream);
    s->now_us = log_now_us();
    /* Each piece counts as a write of its own (libuv gathers queued console.log calls
     * into one writev), but nothing is written out between them. */
    for (int i = 0; i < cnt; i++) {
        if (!iov[i].iov_len)
            continue;
        s->unit++;
        append(s, iov[i].iov_base, iov[i].iov_len);
    }
    compact(s);
    if (log_exiting || log_hold_off(s->now_us))
        slot_drain(s, true, !log_exiting && !log_kill_near(s->now_us));
    else if (UNLIKELY(log_flusher_missing(s->now_us)))
        slot_drain_complete(s); /* an unfinished line waits for its end, as ever */
    /* Looked at before the release: an idle slot is another thread's to write out.
     * (An unfinished line too, when an invocation's deadline will need it written.) */
    bool kick = slot_has_complete(s) || (log_hold_off_at() && slot_has_content(s));
    uint64_t now_us = s->now_us;
    slot_release(s);
    log_busy = was_busy;
    if (kick) {
        log_flusher_kick();
        if (UNLIKELY(log_flusher_missing(now_us)))
            log_flush_own(LOG_OWN_COMPLETE); /* it could not start: nobody else will write this */
    }
}




void log_feed(int stream, const char *p, size_t n)
{
    struct iovec v = {(void *)p, n};
    log_feedv(stream, &v, 1);
}

void log_record_atfork_child(void)
{
    slots_used = 0;
    for (int i = 0; i < LOG_SLOTS; i++) {
        log_slots[i].owner = NULL;
        log_slots[i].start = log_slots[i].line = log_slots[i].len = 0;
        log_slots[i].out.len = 0;
        log_slots[i].state = SLOT_FREE;
    }
}

void log_emit_own(int stream, int level, const char *msg, size_t len)
{
    bool was_busy = log_busy;
    log_busy = true;
    struct log_slot *s = get(stream);
    slot_drain(s, true, false);
    size_t n = len < LOG_RECORD_MAX ? len : LOG_RECORD_MAX;
    memcpy(s->buf, msg, n);
    struct log_meta m;
    take_meta(&m, log_now_us());
    struct log_rec r = {
        .msg = s->buf, .len = n, .stream = stream, .level = level,
        .ts_us = m.us, .rid = m.rid, .rid_len = m.rid_len,
    };
    log_render(&r, &s->out, false, true);
    log_out_flush(&s->out);
    slot_release(s);
    log_busy = was_busy;
}




