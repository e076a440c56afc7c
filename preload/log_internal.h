/* The log pipeline's internal interfaces (log_*.c). Owner: logs.
 *
 * Flow: a write to the runtime's stdout/stderr (the write hooks, or the stdio cookie)
 * -> log_record.c appends it to the calling thread's slot, assembles lines, joins
 * continuation lines (log_continuation.c) into records -> a finished record is redacted
 * (log_redact.c), its level found (log_parse.c) and filtered, formatted (log_format_*.c)
 * into the slot's output batch -> the batch is written with one write per batch of whole
 * records, to the telemetry fd as frames or to the original stream as lines. */
#ifndef LWRAP_LOG_INTERNAL_H
#define LWRAP_LOG_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "hook.h"
#include "lifecycle.h"

/* A record holds at most this many raw bytes; a longer one is split (at a UTF-8
 * boundary). 128 KiB stays under Lambda's 256 KiB event limit with any text prefix. */
#define LOG_RECORD_MAX (128 * 1024)
/* One formatted record (frame header included) never exceeds this: a JSON message whose
 * escaping would grow past it continues in the next record. */
#define LOG_EVENT_MAX (256 * 1024 - 1024)
/* Whole records are batched per thread and written when this much is waiting, or when
 * the flush deadline passes, or at invoke end / runtime ready / exit. */
#define LOG_BATCH (16 * 1024)
/* A complete record is held at most this long after it began, waiting for a
 * continuation line (a traceback or stack trace written line by line) and for more
 * records to batch; the flusher thread writes it then. Short, because whatever is held
 * when the process is killed is lost. An unfinished line (no newline yet) is held until
 * it ends, or the invoke ends, or the process execs, forks, exits or dies of a signal. */
#define LOG_HOLD_NS (10 * 1000 * 1000ull)
/* ... but a Python traceback whose exception line has not come yet is certainly not
 * complete: it waits for that line up to this long. A runtime whose CPU is throttled (a
 * small Lambda gets a fraction of a vCPU) or preempted between two lines of a traceback
 * would otherwise see it cut into several events. It holds up no other thread's records. */
#define LOG_OPEN_HOLD_NS (1000 * 1000 * 1000ull)
/* In the last this-many microseconds before the invocation's deadline (Lambda kills the
 * runtime with SIGKILL at a timeout) nothing is held: each write goes out at once. */
#define LOG_DEADLINE_MARGIN_US (300 * 1000ull)
/* ... except an unfinished line whose end could begin a credential (it waits for its
 * rest, to be masked whole), until the last this-many microseconds,
 * when the kill is near enough that it goes out as it is rather than be lost. */
#define LOG_DEADLINE_LAST_US (50 * 1000ull)

enum log_mode { LOG_MODE_OFF, LOG_MODE_TEXT, LOG_MODE_JSON };
enum log_stream { LOG_STDOUT = 0, LOG_STDERR = 1 };
enum log_level {
    LOG_LVL_NONE = 0,
    LOG_LVL_TRACE,
    LOG_LVL_DEBUG,
    LOG_LVL_INFO,
    LOG_LVL_WARN,
    LOG_LVL_ERROR,
    LOG_LVL_FATAL,
};

struct log_config {
    enum log_mode mode;
    int threshold;          /* enum log_level; NONE = keep everything */
    bool streams;           /* stdout/stderr go through the pipeline (mode != off) */
    bool frames;            /* the runtime's telemetry frames are parsed (filter/redact) */
    int tfd;                /* telemetry fd or -1 */
    bool importtime;        /* absorb `import time:` lines */
    bool importtime_raw;    /* ... and keep them too */
    int importtime_top;
};
extern HIDDEN struct log_config log_cfg;
extern HIDDEN volatile bool log_exiting; /* after our destructor: write records at once */
extern HIDDEN uint64_t log_dropped;      /* records dropped by the level filter (atomic) */
extern HIDDEN pid_t log_pid;             /* the process the pipeline's state belongs to */

/* log_level.c */
const char *log_level_name(int level);
int log_level_parse(const char *s, size_t n);  /* NONE when not one of Lambda's names */
int log_level_word(const char *s, size_t n);   /* a JSON logger's level value; NONE if unknown */
int log_level_number(const char *s, size_t n); /* pino/bunyan 10..60, Google 100..800; else NONE */
static inline uint32_t log_level_bits(int level)
{
    return level == LOG_LVL_NONE ? 0 : (uint32_t)level * 4u;
}
static inline int log_level_from_bits(uint32_t type)
{
    return (int)((type >> 2) & 7u) <= LOG_LVL_FATAL ? (int)((type >> 2) & 7u) : LOG_LVL_NONE;
}

/* log_parse.c: what a record already says about itself. */
enum log_kind { LOG_KIND_PLAIN, LOG_KIND_NODE, LOG_KIND_PYTHON, LOG_KIND_JSON };
struct log_parsed {
    enum log_kind kind;
    int level;                   /* from the prefix / JSON level field; NONE if absent */
    /* JSON: the first level-like field ("level", "levelname", "severity", "log.level",
     * {"log":{"level"}}, ...) names no known level: keep the record whatever the
     * threshold (fail open). */
    bool level_unknown;
    const char *ts, *rid, *body; /* NODE/PYTHON: the prefix's fields and the rest */
    size_t ts_len, rid_len, body_len;
    bool has_timestamp, has_level, has_rid, has_message; /* JSON: these exact top-level keys */
};
void log_parse(const char *p, size_t n, struct log_parsed *out);
/* True when p[0..n) is exactly one JSON object (whitespace around allowed), valid
 * UTF-8; fills the has_* fields, level and level_unknown (all cleared when false). */
bool log_json_object(const char *p, size_t n, struct log_parsed *out);

/* log_continuation.c: does a line continue the pending record? */
struct log_cont {
    uint8_t tb; /* Python traceback state */
    bool json;  /* the record is a JSON-object line: nothing continues it */
};
void log_cont_start(struct log_cont *c, const char *line, size_t n);
/* same_write: the line came with the same write call as the record's last line, which
 * joins it too, except where a JSON-object line is involved (never joined). */
bool log_cont_joins_write(struct log_cont *c, const char *line, size_t n, bool same_write);
/* The record certainly goes on: a Python traceback before its exception line. */
bool log_cont_open(const struct log_cont *c);

/* log_redact.c: mask secrets in place; returns the new length (never longer). */
void log_redact_init(void);
size_t log_redact(char *p, size_t n, bool allow_regex);
/* Where to cut p[0..n), a line too long for one record, so that no credential value or
 * key id is split between two records (each half would escape the mask): before the
 * longest tail that could begin one (n when none), and never inside a whole one. The
 * LWRAP_REDACT patterns are not known this way. */
size_t log_redact_cut(const char *p, size_t n);

/* log_time.c */
size_t log_iso_time(uint64_t epoch_us, char out[32]); /* 2026-11-27T09:45:33.123Z */
/* log_clock.c */
uint64_t log_now_us(void);

/* A finished record on its way out. */
struct log_rec {
    char *msg;
    size_t len;
    int stream;       /* LOG_STDOUT/LOG_STDERR; the default level comes from it */
    int level;        /* known level (a runtime frame's bits) or NONE */
    bool raw;         /* a runtime frame already in its final shape (text mode) */
    uint64_t ts_us;
    const char *rid;
    size_t rid_len;
};

/* log_format_text.c / log_format_json.c: format the record's message from byte `from`
 * into out[0..cap) (cap is at least a few KiB more than LOG_RECORD_MAX); returns the
 * bytes written and sets *next to where a further record must continue (== r->len when
 * done: only JSON escaping can need that). `frame`: the text goes into a telemetry frame
 * (inner newlines kept) instead of a line (inner newlines become \r, '\n' appended). */
size_t log_format_text(const struct log_rec *r, const struct log_parsed *ps, int level,
                       bool frame, char *out, size_t cap, size_t from, size_t *next);
size_t log_format_json(const struct log_rec *r, const struct log_parsed *ps, int level,
                       bool frame, char *out, size_t cap, size_t from, size_t *next);
/* JSON string body (no quotes) of p[0..n) into out[0..cap): \u00XX for every byte that is
 * not valid UTF-8; stops before a character that would not fit. *used = input taken. */
size_t log_utf8_multibyte(const unsigned char *p, size_t avail);
size_t log_json_escape(const char *p, size_t n, char *out, size_t cap, size_t *used);

/* log_output.c: batches of whole records and the one place bytes leave the pipeline. */
struct log_out {
    char *buf;
    size_t len, cap; /* cap >= LOG_EVENT_MAX + LOG_BATCH */
    int stream;
};
void log_out_flush(struct log_out *o);
/* Where a stream's records go: the telemetry fd (frames) or the stream's own fd. */
static inline int log_dest_fd(int stream)
{
    return log_cfg.tfd >= 0 ? log_cfg.tfd : (stream == LOG_STDERR ? 2 : 1);
}
/* Redact, find the level, filter (unless !filter), format r into o (flushing o first
 * when it lacks room for one more event). Returns false when the filter dropped it. */
bool log_render(struct log_rec *r, struct log_out *o, bool filter, bool allow_regex);

/* log_record.c */
void log_feed(int stream, const char *p, size_t n);
void log_feedv(int stream, const struct iovec *iov, int cnt); /* one write call's pieces */
/* This thread's held records: before it writes to the other stream or a frame
 * (LOG_OWN_COMPLETE), before a child starts or an fd changes (LOG_OWN_ALL: its
 * unfinished lines too, but one whose end could begin a credential value or key id
 * waits for its rest), when it ends (LOG_OWN_LAST: everything). */
enum log_own { LOG_OWN_COMPLETE, LOG_OWN_ALL, LOG_OWN_LAST };
void log_flush_own(enum log_own what);
/* The same from a vfork child about to exec (it runs on the forking thread's stack and
 * thread-local data, the thread waiting): only to a destination the child still shares
 * with us (the child may have closed or redirected fds). */
void log_flush_own_vfork_child(void);
bool log_reentered(void); /* this thread is inside log_feed (a signal handler wrote) */
void log_record_atfork_child(void);
/* Emit one record made by the pipeline itself (summary, drop count) on `stream`,
 * bypassing the level filter. */
void log_emit_own(int stream, int level, const char *msg, size_t len);

/* log_order.c */
void log_order_init(void);
/* Everything held, oldest first. wait: give other threads' writes in progress up to
 * about 5 s (else a few ms: a signal handler). */
void log_flush_slots(bool wait, bool allow_regex);
void log_flush_at_invoke_end(bool others_in_flight); /* see logs_on_invoke_end */
/* The flusher: writes the complete records of slots idle past LOG_HOLD_NS; returns when
 * (CLOCK_REALTIME us) the next held record falls due, 0 when nothing is held. */
uint64_t log_flush_idle(uint64_t now_us);
/* Near the invocation's deadline: hold nothing (log_init.c); when that begins (0: no
 * invocation with a deadline). */
bool log_hold_off(uint64_t now_us);
uint64_t log_hold_off_at(void);
/* The last LOG_DEADLINE_LAST_US before the deadline. */
static inline bool log_kill_near(uint64_t now_us)
{
    uint64_t at = log_hold_off_at();
    return at && now_us >= at + LOG_DEADLINE_MARGIN_US - LOG_DEADLINE_LAST_US;
}
/* The flusher, as the deadline comes near: everything held goes out, an unfinished line
 * too. Returns when to look again (0: nothing to wait for). */
uint64_t log_flush_at_deadline(uint64_t now_us);

/* log_defer.c: writes of a signal handler that interrupted this thread inside the
 * preload wait in a queue (stream LOG_STDOUT, LOG_STDERR or LOG_DEFER_FRAMES). */
#define LOG_DEFER_FRAMES 2
bool log_must_defer(void); /* this thread is inside the pipeline or holds the output lock */
bool log_defer(int stream, const struct iovec *iov, int cnt, ssize_t *result);
void log_defer_write_raw(void); /* a fatal signal: what is queued, to the fds as it is */

/* log_frames.c: frames the runtime writes to the telemetry fd. */
void log_frames_feed(const char *p, size_t n);
void log_frames_atfork_child(void);

/* log_fd.c */
enum log_fd_kind { LOG_FD_UNKNOWN = 0, LOG_FD_STDOUT, LOG_FD_STDERR, LOG_FD_TELEMETRY, LOG_FD_OTHER };
void log_fd_init(void);
int log_fd_kind(int fd);
bool log_fd_socket(int fd); /* fd is a socket (cached with its kind) */
bool log_fd_still(int fd, int kind); /* fd is that kind now (uncached: a vfork child's view) */
/* A write to fd (a copy of the runtime's stdout or stderr) may become records of stream:
 * they are written to the stream's own fd 1 or 2 (no telemetry fd), which must still be
 * that stream; after `close(1)` + `open(file)` a saved copy of stdout is not fd 1. */
bool log_fd_home_ok(int stream, int fd);

/* log_importtime.c */
void log_importtime_init(void);
bool log_importtime_line(const char *line, size_t n); /* true: absorbed */
void log_importtime_report(bool init); /* runtime ready (init) / invoke end */
/* The process is ending some other way (init/error posted, exit, _exit, a fatal
 * signal): write what was counted and not yet reported, once; from then on import
 * lines pass through. Idempotent, errno kept, nothing in a vfork child. in_signal:
 * from a signal handler: no allocation, no stdio, no waiting on a lock the interrupted
 * thread may hold (if that thread was inside the pipeline, the summary goes to fd 2
 * as plain lines, or nowhere if it held the summary's own lock). */
void log_importtime_final(bool in_signal);
void log_importtime_atfork_child(void);

/* log_exit.c */
void log_exit_init(void); /* quick_exit's handlers end with glibc's own _exit */

/* log_stdio.c: false when the streams could not be made (out of memory): then C stdio
 * would bypass the pipeline, and the caller turns the pipeline off. */
bool log_stdio_install(bool out, bool err);
/* glibc's own FILE behind f when f is our stdout or stderr, which then goes back to it
 * for good (log_stdio_limits.c: wide output, freopen); else NULL. */
FILE *log_stdio_original(FILE *f);

/* log_flusher.c */
void log_flusher_kick(void); /* something is pending: make sure the flusher will look */
/* No flusher thread could be started (out of memory): complete records may not be
 * held, since nobody would write them out in time. Tries again once a second. */
bool log_flusher_missing(uint64_t now_us);
void log_flusher_atfork_child(void);

#endif
