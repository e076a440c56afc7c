/* Reading what the runtime and extensions write: stdout/stderr become one event
 * per '\n'-terminated line (as Lambda does), the telemetry pipe one event per
 * frame, so a multi-line record written as one frame stays one event. */
#include "emu.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

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
        char *nl = memchr(b->p + start, '\n', b->len - start);
        size_t len;
        if (nl)
            len = (size_t)(nl - (b->p + start));
        else if (b->len - start >= EMU_LINE_LIMIT || (eof && b->len > start))
            len = b->len - start < EMU_LINE_LIMIT ? b->len - start : EMU_LINE_LIMIT;
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

void stream_close(struct stream *s)
{
    if (s->fd < 0)
        return;
    if (s->kind == ST_TELEMETRY)
        emit_frames(s, true);
    else
        emit_lines(s, true);
    close(s->fd);
    s->fd = -1;
}

/* n bytes just read from s: the raw copy, then events. */
static void stream_take(struct stream *s, const char *data, size_t n)
{
    if (s->raw_fd >= 0) {
        const char *p = data;
        size_t left = n;
        while (left) {
            ssize_t w = write(s->raw_fd, p, left);
            if (w <= 0)
                break;
            p += w;
            left -= (size_t)w;
        }
    }
    if (s->bad)
        return;
    buf_add(&s->pending, data, n);
    if (s->kind == ST_TELEMETRY)
        emit_frames(s, false);
    else
        emit_lines(s, false);
}

void stream_on_readable(struct stream *s)
{
    char tmp[65536];
    for (int rounds = 0; rounds < 16 && s->fd >= 0; rounds++) {
        ssize_t n = read(s->fd, tmp, sizeof tmp);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return;
            stream_close(s);
            return;
        }
        if (n == 0) {
            stream_close(s);
            return;
        }
        stream_take(s, tmp, (size_t)n);
    }
}

/* Read until the pipe is empty (EAGAIN) or closed. stream_on_readable stops after a
 * few reads to keep the poll loop fair; this is for the moments when everything the
 * process wrote so far must be accounted to the current invoke first: a /response or
 * /error arriving, a timeout, an exit. The cap only stops a writer that never pauses
 * (a grandchild in a loop) from holding the emulator here. */
#define DRAIN_CAP (64u * 1024 * 1024)

void stream_drain(struct stream *s)
{
    size_t total = 0;
    char tmp[65536];
    while (s->fd >= 0 && total < DRAIN_CAP) {
        ssize_t n = read(s->fd, tmp, sizeof tmp);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                stream_close(s);
            return;
        }
        if (n == 0) {
            stream_close(s);
            return;
        }
        total += (size_t)n;
        stream_take(s, tmp, (size_t)n);
    }
}

/* Every pipe of the runtime and of the external extensions. */
void streams_drain_all(void)
{
    if (E.runtime)
        for (int k = 0; k < 3; k++)
            stream_drain(&E.runtime->s[k]);
    for (int i = 0; i < EMU_MAX_EXTENSIONS; i++)
        if (E.exts[i].used && E.exts[i].proc)
            for (int k = 0; k < 3; k++)
                stream_drain(&E.exts[i].proc->s[k]);
}
