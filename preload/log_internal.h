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
#include <sys/types.h>

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
/* Pending text (an unfinished record or batch) is written at most this long after the
 * thread's last write (the flusher thread checks). Long enough that a cold JVM printing a
 * stack trace line by line still makes one record; CloudWatch's own delay is seconds. */
#define LOG_DEADLINE_NS (200 * 1000 * 1000ull)

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
int log_level_parse(const char *s, size_t n); /* NONE when not a level name */
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
    int level;                   /* from the prefix / JSON "level"; NONE if absent */
    const char *ts, *rid, *body; /* NODE/PYTHON: the prefix's fields and the rest */
    size_t ts_len, rid_len, body_len;
    bool has_timestamp, has_level, has_rid, has_message; /* JSON: top-level keys */
};
void log_parse(const char *p, size_t n, struct log_parsed *out);
/* True when p[0..n) is exactly one JSON object (whitespace around allowed), valid
 * UTF-8; fills the has_* fields and level. */
bool log_json_object(const char *p, size_t n, struct log_parsed *out);

/* log_continuation.c: does a line continue the pending record? */
struct log_cont {
    uint8_t tb; /* Python traceback state */
};
void log_cont_start(struct log_cont *c, const char *line, size_t n);
bool log_cont_joins(struct log_cont *c, const char *line, size_t n);

/* log_redact.c: mask secrets in place; returns the new length (never longer). */
void log_redact_init(void);
size_t log_redact(char *p, size_t n, bool allow_regex);

/* log_time.c */
size_t log_iso_time(uint64_t epoch_us, char out[32]); /* 2026-11-27T09:45:33.123Z */
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
void log_write_all(int fd, const char *p, size_t n);
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
void log_flush_own(void); /* this thread's pending text, before it writes a frame */
bool log_reentered(void); /* this thread is inside log_feed (a signal handler wrote) */
void log_flush_slots(bool wait, bool allow_regex);
void log_flush_idle(uint64_t now_us); /* the flusher: slots idle past the deadline */
bool log_any_pending(void);
void log_record_atfork_child(void);
/* Emit one record made by the pipeline itself (summary, drop count) on `stream`,
 * bypassing the level filter. */
void log_emit_own(int stream, int level, const char *msg, size_t len);

/* log_frames.c: frames the runtime writes to the telemetry fd. */
void log_frames_feed(const char *p, size_t n);
void log_frames_atfork_child(void);

/* log_fd.c */
enum log_fd_kind { LOG_FD_UNKNOWN = 0, LOG_FD_STDOUT, LOG_FD_STDERR, LOG_FD_TELEMETRY, LOG_FD_OTHER };
void log_fd_init(void);
int log_fd_kind(int fd);

/* log_importtime.c */
void log_importtime_init(void);
bool log_importtime_line(const char *line, size_t n); /* true: absorbed */
void log_importtime_report(bool init);
void log_importtime_atfork_child(void);

/* log_stdio.c */
void log_stdio_install(bool out, bool err);

/* log_flusher.c */
void log_flusher_kick(void); /* something is pending: make sure the flusher will look */
void log_flusher_atfork_child(void);

#endif
