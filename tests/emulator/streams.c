/* Reading what the runtime and extensions write from their pipes (stream_events.c
 * turns the bytes into events). */
#include "emu.h"

#include <errno.h>
#include <unistd.h>

void stream_close(struct stream *s)
{
    if (s->fd < 0)
        return;
    stream_events_end(s);
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
    stream_events_feed(s, data, n);
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
    logsock_drain_all();
}
