/* Records leave the pipeline here: redaction, level filter, formatting into a batch of
 * whole records, and the real write (never through our own hooks). */
#include "log_internal.h"

#include <errno.h>
#include <string.h>

#include "sink.h"

uint64_t log_dropped;

void log_out_flush(struct log_out *o)
{
    if (o->len) {
        int saved = errno;
        int fd = log_dest_fd(o->stream);
        sink_write(fd, o->buf, o->len, fd == log_cfg.tfd ? SINK_FRAMES : SINK_LINES);
        errno = saved;
        o->len = 0;
    }
}

static void put_be32(char *p, uint32_t v)
{
    p[0] = (char)(v >> 24), p[1] = (char)(v >> 16), p[2] = (char)(v >> 8), p[3] = (char)v;
}

static void put_be64(char *p, uint64_t v)
{
    put_be32(p, (uint32_t)(v >> 32));
    put_be32(p + 4, (uint32_t)v);
}

/* The default level of a stream's text: stdout INFO, stderr ERROR (Lambda's Node
 * runtime files console.error as ERROR; tracebacks land on stderr). */
static int stream_level(int stream)
{
    return stream == LOG_STDERR ? LOG_LVL_ERROR : LOG_LVL_INFO;
}

bool log_render(struct log_rec *r, struct log_out *o, bool filter, bool allow_regex)
{
    /* The newline that ends the record is the line format's; a blank line before it is
     * the program's ("Fatal Python error: ...\n\n" keeps its blank line). */
    if (r->len && r->msg[r->len - 1] == '\n')
        r->len--;
    if (log_cfg.mode != LOG_MODE_OFF)
        r->len = log_redact(r->msg, r->len, allow_regex);
    struct log_parsed ps;
    log_parse(r->msg, r->len, &ps);
    int level = r->level ? r->level : ps.level ? ps.level : stream_level(r->stream);
    /* A level field that names no known level: kept whatever the threshold (fail open). */
    bool unknown = !r->level && ps.level_unknown;
    if (filter && log_cfg.threshold && level < log_cfg.threshold && !unknown) {
        __atomic_fetch_add(&log_dropped, 1, __ATOMIC_RELAXED);
        return false;
    }
    bool frame = log_cfg.tfd >= 0;
    bool json = log_cfg.mode == LOG_MODE_JSON;
    size_t from = 0;
    do {
        if (o->cap - o->len < LOG_EVENT_MAX)
            log_out_flush(o);
        char *dst = o->buf + o->len;
        size_t hdr = frame ? 16 : 0;
        size_t next;
        size_t n = json ? log_format_json(r, &ps, level, frame, dst + hdr, LOG_EVENT_MAX - hdr, from, &next)
                        : log_format_text(r, &ps, level, frame, dst + hdr, LOG_EVENT_MAX - hdr, from, &next);
        if (frame) {
            uint32_t type = (json ? 0xA55A0002u : 0xA55A0003u) | log_level_bits(level);
            put_be32(dst, type);
            put_be32(dst + 4, (uint32_t)n);
            put_be64(dst + 8, r->ts_us);
        }
        o->len += hdr + n;
        if (next <= from)
            break; /* cannot happen with LOG_EVENT_MAX room; never loop forever */
        from = next;
    } while (from < r->len);
    return true;
}
