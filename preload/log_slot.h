/* The per-thread slots of the log pipeline, shared by log_record.c (records from a
 * thread's writes) and log_order.c (when held records leave, and in what order). A slot
 * is only ever touched by the one thread that moved its state away from IDLE. */
#ifndef LWRAP_LOG_SLOT_H
#define LWRAP_LOG_SLOT_H

#include "log_internal.h"

/* Threads that hold records at once; more share slots (an unfinished line of a thread
 * whose slot is taken over is cut there). Only the buffers of slots in use are resident. */
#define LOG_SLOTS 64
#define LOG_SLOT_OUT_CAP (LOG_EVENT_MAX + LOG_BATCH + 4096)

/* FREE -> BUSY (its owner appending) <-> IDLE (owned, waiting) -> FLUSHING (another thread
 * writing it out) -> IDLE or FREE. */
enum { SLOT_FREE, SLOT_IDLE, SLOT_BUSY, SLOT_FLUSHING };

struct log_meta {
    uint64_t us;
    size_t rid_len;
    char rid[LWRAP_REQUEST_ID_SIZE];
};

struct log_slot {
    int state;           /* atomic */
    const void *owner;   /* atomic: the owning thread's marker */
    uint64_t held_us;    /* atomic: when the oldest complete record held began (or MAX) */
    uint64_t head_us;    /* atomic: the same for anything held, unfinished line included */
    bool held_open;      /* atomic: that record is an open traceback (LOG_OPEN_HOLD_NS) */
    uint64_t out_us;     /* when the oldest record in out began */
    uint64_t now_us;     /* the current write's time (one clock read per write) */
    int stream;          /* atomic where a thread not holding the slot reads it */
    size_t start;        /* buf[start..line): the pending record, '\n'-terminated lines */
    size_t line;         /* buf[line..len): the unfinished line */
    size_t len;
    bool split_line;     /* the unfinished line was already written out by a flush */
    uint64_t unit;       /* counts the owner's writes (each iovec, each stdio chunk) */
    uint64_t line_unit;  /* the write the unfinished line began in */
    uint64_t rec_unit;   /* the write the pending record's last line ended in */
    struct log_cont cont;
    struct log_meta rec;     /* when the pending record began, and for which request */
    struct log_meta next;    /* the same for the unfinished line */
    struct log_out out;
    char *buf; /* LOG_RECORD_MAX bytes, slot_buf[i] */
};

extern HIDDEN struct log_slot log_slots[LOG_SLOTS];
/* Which slot this thread writes each stream into; the address of `log_me` identifies
 * the thread (a vfork child runs on its parent thread's thread-local data). */
extern HIDDEN __thread struct log_slot *log_mine[2] __attribute__((tls_model("initial-exec")));
extern HIDDEN __thread char log_me __attribute__((tls_model("initial-exec")));
/* This thread works inside the pipeline (log_reentered()). */
extern HIDDEN __thread bool log_busy __attribute__((tls_model("initial-exec")));

static inline int slot_state(struct log_slot *s)
{
    return __atomic_load_n(&s->state, __ATOMIC_ACQUIRE);
}

static inline bool slot_cas(struct log_slot *s, int from, int to)
{
    return __atomic_compare_exchange_n(&s->state, &from, to, false, __ATOMIC_ACQ_REL,
                                       __ATOMIC_RELAXED);
}

static inline bool slot_has_content(struct log_slot *s)
{
    return s->len > s->start || s->out.len;
}

/* Held beyond an unfinished line: what the flusher must write out when the slot idles. */
static inline bool slot_has_complete(struct log_slot *s)
{
    return s->line > s->start || s->out.len;
}

/* Whether s is still this thread's slot for stream (log_mine[] can point at a slot that
 * was freed and then taken again, by this thread for the other stream or by another,
 * which may be setting its stream right now). */
static inline bool slot_still_mine(struct log_slot *s, int stream)
{
    return __atomic_load_n(&s->owner, __ATOMIC_ACQUIRE) == &log_me &&
           __atomic_load_n(&s->stream, __ATOMIC_RELAXED) == stream;
}

/* log_record.c: what a slot's owner (or the thread that moved it to FLUSHING) does. */
void slot_release(struct log_slot *s);        /* back to IDLE, publishing held_us/head_us */
void slot_emit_pending(struct log_slot *s, bool allow_regex); /* the pending record is complete */
/* everything, now (keep_line: but an unfinished line whose end could begin a credential
 * value or key id) */
void slot_drain(struct log_slot *s, bool allow_regex, bool keep_line);
void slot_drain_complete(struct log_slot *s);  /* complete records; an unfinished line stays */
/* (true: it still holds such a line, and stays its owner's) */
bool slot_flush_and_free(struct log_slot *s, bool allow_regex, bool keep_line);

/* log_order.c */
void log_order_thread_has_slot(void); /* the thread's first slot: write out at its exit */
/* Write out what other threads hold that began before t (CLOCK_REALTIME us): before this
 * thread writes its own records out of turn (a stream switch, a child, its exit). */
void log_flush_older_than(uint64_t t);

#endif
