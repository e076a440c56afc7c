/* When held records leave, and in what order: the flusher's idle pass, the full flush
 * (invoke end, runtime ready, exit, exec, fatal signal), and a thread's exit. Records of
 * different threads leave oldest first, so one thread's later records do not overtake
 * another's earlier ones: a joined worker's lines come before what the joining thread
 * prints next. */
#include "log_slot.h"

#include <pthread.h>
#include <sched.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* The IDLE slots `due` takes, oldest held record first. */
static int collect(int out[LOG_SLOTS], bool (*due)(struct log_slot *, uint64_t), uint64_t arg)
{
    int n = 0;
    for (int i = 0; i < LOG_SLOTS; i++) {
        struct log_slot *s = &log_slots[i];
        if (slot_state(s) != SLOT_IDLE || !due(s, arg))
            continue;
        uint64_t held = __atomic_load_n(&s->held_us, __ATOMIC_RELAXED);
        int k = n++;
        while (k > 0 && __atomic_load_n(&log_slots[out[k - 1]].held_us, __ATOMIC_RELAXED) > held) {
            out[k] = out[k - 1];
            k--;
        }
        out[k] = i;
    }
    return n;
}

/* Unfinished lines: LINES_CUT writes them out too (the process is going); LINES_KEEP_SECRET:
 * the process goes on (an invoke ends, the deadline is near), so one whose end could begin
 * a credential value or key id stays held (slot_drain); LINES_KEEP_OTHERS: besides, other
 * threads' stay held whole (other invocations are still running: nothing freezes, and a
 * line written in parts stays one record). */
enum lines { LINES_CUT, LINES_KEEP_SECRET, LINES_KEEP_OTHERS };

static void flush_slots(bool wait, bool allow_regex, enum lines lines)
{
    bool keep_line = lines != LINES_CUT;
    bool was_busy = log_busy;
    log_busy = true; /* a signal handler's write meanwhile waits in the queue */
    /* First let other threads finish what they are writing right now (maybe to a slow
     * pipe; the flusher may be writing this thread's own slot): up to about 5 s (1000
     * yields from a signal handler). Never for this thread's own slot held BUSY (a signal
     * handler interrupted it there). */
    for (int i = 0; i < LOG_SLOTS; i++) {
        struct log_slot *s = &log_slots[i];
        for (int spins = 0;; spins++) {
            int st = slot_state(s);
            if (st == SLOT_FREE || st == SLOT_IDLE ||
                (st == SLOT_BUSY && __atomic_load_n(&s->owner, __ATOMIC_ACQUIRE) == &log_me) ||
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
    uint64_t kept = 0; /* slots left holding only such a line: done */
    for (int round = 0; round < LOG_SLOTS * 8; round++) {
        struct log_slot *s = NULL;
        uint64_t oldest = UINT64_MAX;
        for (int i = 0; i < LOG_SLOTS; i++) {
            uint64_t h = __atomic_load_n(&log_slots[i].head_us, __ATOMIC_RELAXED);
            if (slot_state(&log_slots[i]) == SLOT_IDLE && h != UINT64_MAX && !(kept >> i & 1) &&
                (!s || h < oldest)) {
                s = &log_slots[i];
                oldest = h;
            }
        }
        if (!s)
            break;
        if (!slot_cas(s, SLOT_IDLE, SLOT_FLUSHING))
            continue;
        if (s->out.len) {
            log_out_flush(&s->out);
        } else if (s->line > s->start) {
            slot_emit_pending(s, allow_regex);
            log_out_flush(&s->out);
        } else if (lines == LINES_KEEP_OTHERS && __atomic_load_n(&s->owner, __ATOMIC_ACQUIRE) != &log_me) {
            kept |= 1ull << (s - log_slots); /* only its unfinished line is left */
        } else {
            if (slot_flush_and_free(s, allow_regex, keep_line))
                kept |= 1ull << (s - log_slots);
            continue;
        }
        slot_release(s);
    }
    log_busy = was_busy;
}

void log_flush_slots(bool wait, bool allow_regex)
{
    flush_slots(wait, allow_regex, LINES_CUT);
}

void log_flush_at_invoke_end(bool others_in_flight)
{
    flush_slots(true, true, others_in_flight ? LINES_KEEP_OTHERS : LINES_KEEP_SECRET);
}

static uint64_t hold_us(struct log_slot *s)
{
    return (__atomic_load_n(&s->held_open, __ATOMIC_RELAXED) ? LOG_OPEN_HOLD_NS : LOG_HOLD_NS) / 1000;
}

/* A complete record leaves LOG_HOLD_NS after it began (an open traceback
 * LOG_OPEN_HOLD_NS), however busy its thread is (a steady writer must not starve the
 * flusher: what is held when SIGKILL comes is lost). One that began after now_us (the
 * pass began) is not due yet, unless the clock stepped back by more than a second
 * (better early than never). */
static bool held_past_hold(struct log_slot *s, uint64_t now_us)
{
    uint64_t held = __atomic_load_n(&s->held_us, __ATOMIC_RELAXED);
    if (held == UINT64_MAX)
        return false;
    return now_us >= held ? now_us - held >= hold_us(s) : held - now_us > 1000 * 1000;
}

/* Whether a slot of this stream that the flusher cannot take (its owner is writing it:
 * a worker's exit flush, say) holds a record older than `than`: then the stream's younger
 * records wait for the next pass, or they would overtake it (a joined worker's lines
 * must come before what its joiner printed after the join). */
static bool older_in_use(int stream, uint64_t than, uint64_t now_us)
{
    for (int i = 0; i < LOG_SLOTS; i++) {
        struct log_slot *s = &log_slots[i];
        int st = slot_state(s);
        if (st == SLOT_FREE || st == SLOT_IDLE ||
            __atomic_load_n(&s->stream, __ATOMIC_RELAXED) != stream ||
            (__atomic_load_n(&s->held_open, __ATOMIC_RELAXED) && !held_past_hold(s, now_us)))
            continue;
        if (__atomic_load_n(&s->held_us, __ATOMIC_RELAXED) < than)
            return true;
    }
    return false;
}

uint64_t log_flush_idle(uint64_t now_us)
{
    /* Oldest piece first across slots (a batch of records, or a pending record), each
     * only once it is due: a slot's newer records wait behind another thread's older
     * ones, as in the full flush (even while that thread is writing them itself); not
     * behind an open traceback still waiting for its end, though. */
    unsigned waiting = 0; /* streams whose oldest record is in a slot in use */
    for (int round = 0; round < LOG_SLOTS * 8; round++) {
        struct log_slot *s = NULL;
        uint64_t oldest = UINT64_MAX;
        for (int i = 0; i < LOG_SLOTS; i++) {
            uint64_t h = __atomic_load_n(&log_slots[i].held_us, __ATOMIC_RELAXED);
            bool open_not_due = __atomic_load_n(&log_slots[i].held_open, __ATOMIC_RELAXED) &&
                                !held_past_hold(&log_slots[i], now_us);
            if (h < oldest && !open_not_due && slot_state(&log_slots[i]) == SLOT_IDLE &&
                !(waiting >> (__atomic_load_n(&log_slots[i].stream, __ATOMIC_RELAXED) & 31) & 1)) {
                s = &log_slots[i];
                oldest = h;
            }
        }
        if (!s || !held_past_hold(s, now_us))
            break;
        int stream = __atomic_load_n(&s->stream, __ATOMIC_RELAXED);
        if (older_in_use(stream, oldest, now_us)) {
            waiting |= 1u << (stream & 31);
            continue;
        }
        if (!slot_cas(s, SLOT_IDLE, SLOT_FLUSHING))
            continue;
        if (s->out.len)
            log_out_flush(&s->out);
        else
            slot_drain_complete(s);
        slot_release(s);
    }
    /* When the next held record falls due (a slot being written right now: soon). */
    uint64_t next = 0;
    for (int i = 0; i < LOG_SLOTS; i++) {
        struct log_slot *s = &log_slots[i];
        int st = slot_state(s);
        uint64_t held = __atomic_load_n(&s->held_us, __ATOMIC_RELAXED);
        if (st == SLOT_FREE || (st == SLOT_IDLE && held == UINT64_MAX))
            continue;
        uint64_t at = st == SLOT_IDLE && now_us >= held ? held + hold_us(s) : now_us + LOG_HOLD_NS / 1000;
        next = next && next < at ? next : at;
    }
    return next;
}

uint64_t log_flush_at_deadline(uint64_t now_us)
{
    uint64_t at = log_hold_off_at();
    if (!at)
        return 0;
    bool held = false;
    for (int i = 0; i < LOG_SLOTS && !held; i++)
        held = slot_state(&log_slots[i]) != SLOT_FREE &&
               __atomic_load_n(&log_slots[i].head_us, __ATOMIC_RELAXED) != UINT64_MAX;
    if (!held)
        return 0;
    if (now_us < at)
        return at;
    /* A line whose end could begin a credential stays held until the kill is near. */
    bool kill_near = log_kill_near(now_us);
    flush_slots(false, true, kill_near ? LINES_CUT : LINES_KEEP_SECRET);
    return kill_near ? 0 : at + LOG_DEADLINE_MARGIN_US - LOG_DEADLINE_LAST_US;
}

static bool held_before(struct log_slot *s, uint64_t t)
{
    return __atomic_load_n(&s->owner, __ATOMIC_ACQUIRE) != &log_me &&
           __atomic_load_n(&s->held_us, __ATOMIC_RELAXED) < t;
}

/* When the oldest thing this thread holds began (an unfinished line too). */
static uint64_t my_oldest(void)
{
    uint64_t t = UINT64_MAX;
    for (int i = 0; i < 2; i++) {
        struct log_slot *s = log_mine[i];
        if (s && slot_still_mine(s, i) && __atomic_load_n(&s->head_us, __ATOMIC_RELAXED) < t)
            t = __atomic_load_n(&s->head_us, __ATOMIC_RELAXED);
    }
    return t;
}

/* A thread that ends writes out what it held, after what other threads held from
 * earlier. The key's value is set once a thread has a slot. */
static pthread_key_t gone_key;
static bool have_gone_key;

void log_flush_older_than(uint64_t t)
{
    if (t == UINT64_MAX)
        return;
    /* Another thread writing its older records right now (a worker ending just as its
     * joiner writes again): let it finish first (briefly, about 20 ms at most, even on a
     * loaded machine: it is never waiting on us, but may be on a slow pipe). */
    for (int i = 0; i < LOG_SLOTS; i++) {
        struct log_slot *s = &log_slots[i];
        for (int spins = 0; spins < 1020; spins++) {
            int st = slot_state(s);
            if (st == SLOT_FREE || st == SLOT_IDLE ||
                __atomic_load_n(&s->owner, __ATOMIC_ACQUIRE) == &log_me ||
                __atomic_load_n(&s->head_us, __ATOMIC_RELAXED) >= t)
                break;
            if (spins < 1000) {
                sched_yield();
            } else {
                struct timespec ms = {0, 1000 * 1000};
                syscall(SYS_nanosleep, &ms, NULL);
            }
        }
    }
    int older[LOG_SLOTS];
    int n = t == UINT64_MAX ? 0 : collect(older, held_before, t);
    for (int k = 0; k < n; k++) {
        struct log_slot *s = &log_slots[older[k]];
        if (!slot_cas(s, SLOT_IDLE, SLOT_FLUSHING))
            continue;
        log_out_flush(&s->out);
        /* (an open traceback waits for its end: it holds up nobody) */
        if (s->line > s->start && s->rec.us < t && !log_cont_open(&s->cont)) {
            slot_emit_pending(s, true);
            log_out_flush(&s->out);
        }
        slot_release(s);
    }
}

static void thread_gone(void *arg)
{
    (void)arg;
    log_busy = true;
    /* Records the flusher is writing right now go first. */
    for (int i = 0; i < LOG_SLOTS; i++)
        for (int spins = 0; slot_state(&log_slots[i]) == SLOT_FLUSHING && spins < 100000; spins++)
            sched_yield();
    /* Then what other threads wrote before this thread's oldest held record (Python's
     * and Java's join return before the thread's exit: the joining thread may already be
     * writing again, and that comes later). */
    log_flush_older_than(my_oldest());
    log_flush_own(LOG_OWN_LAST);
    log_busy = false;
}

void log_order_thread_has_slot(void)
{
    if (have_gone_key)
        pthread_setspecific(gone_key, &log_me);
}

void log_order_init(void)
{
    have_gone_key = pthread_key_create(&gone_key, thread_gone) == 0;
}
