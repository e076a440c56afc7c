/* What a runtime's or extension's pipe carries, as events: stdout/stderr become one
 * event per '\n'-terminated line (as Lambda does), the telemetry pipe one event per
 * frame, so a multi-line record written as one frame stays one event. Bytes arrive in
 * any split; no I/O here (streams.c reads the pipes). */
#include "emu.h"

#include <string.h>

#define FRAME_HEAD 16

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static const char *ext_name(const struct stream *s)
{
    return s->owner->ext ? s->owner->name : NULL;
}

static void emit_lines(struct stream *s, bool eof)
{
    struct buf *b = &s->pending;
    size_t start = 0;
    if (!b->len)
        return;
    for (;;) {
        /* A line longer than the limit is cut there, whether or not its '\n' came in the
         * same read; one exactly as long waits for its '\n' (the events never depend on
         * how the pipe's bytes were split into reads). */
        size_t rest = b->len - start;
        char *nl = memchr(b->p + start, '\n', rest < EMU_LINE_LIMIT + 1 ? rest : EMU_LINE_LIMIT + 1);
        size_t len;
        if (nl)
            len = (size_t)(nl - (b->p + start));
        else if (rest > EMU_LINE_LIMIT || (eof && rest))
            len = rest < EMU_LINE_LIMIT ? rest : EMU_LINE_LIMIT;
        else
            break;
        out_log(ext_name(s), s->kind, life_current_request_id(), b->p + start, len, NULL);
        start += len + (nl ? 1 : 0);
    }
    buf_consume(b, start);
}

static void emit_frames(struct stream *s, bool eof)
{
    struct buf *b = &s->pending;
    size_t off = 0;
    while (!s->bad && b->len - off >= FRAME_HEAD) {
        const unsigned char *h = (const unsigned char *)b->p + off;
        uint32_t type = be32(h), len = be32(h + 4);
        if ((type >> 16) != 0xA55A || len > EMU_FRAME_LIMIT) {
            out_emu("telemetry fd: bad frame header (type 0x%08X, length %u); ignoring the rest of the stream", type,
                    len);
            s->bad = true;
            break;
        }
        if (b->len - off < FRAME_HEAD + (size_t)len)
            break;
        struct frame_info fi = {type, (int64_t)((uint64_t)be32(h + 8) << 32 | be32(h + 12))};
        out_log(ext_name(s), ST_TELEMETRY, life_current_request_id(), b->p + off + FRAME_HEAD, len, &fi);
        off += FRAME_HEAD + len;
    }
    if (s->bad)
        off = b->len;
    buf_consume(b, off);
    if (eof && b->len) {
        out_emu("telemetry fd: closed in the middle of a frame (%zu bytes left)", b->len);
        buf_reset(b);
    }
}

void stream_events_feed(struct stream *s, const char *data, size_t n)
{
    if (s->bad)
        return;
    if (s->cut && n) {
        /* print("x") reaches the pipe as "x" then "\n": when the invoke ended between
         * the two, the line was already cut and its '\n' is no new (empty) line */
        s->cut = false;
        if (*data == '\n') {
            data++;
            n--;
        }
    }
    buf_add(&s->pending, data, n);
    if (s->kind == ST_TELEMETRY)
        emit_frames(s, false);
    else
        emit_lines(s, false);
}

/* The invoke the bytes belong to ends: an unterminated line (printf 'x', echo -n,
 * process.stdout.write) becomes its own event now, with that invoke's request id,
 * instead of waiting for a '\n' that the next invoke (or nobody) writes. A telemetry
 * frame cannot be cut: a partial one keeps waiting for its remaining bytes. */
void stream_events_cut(struct stream *s)
{
    if (s->kind == ST_TELEMETRY || s->bad || !s->pending.len)
        return;
    emit_lines(s, true);
    s->cut = true;
}

void stream_events_end(struct stream *s)
{
    if (s->kind == ST_TELEMETRY)
        emit_frames(s, true);
    else
        emit_lines(s, true);
}
