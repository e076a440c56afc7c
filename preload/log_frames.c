/* Frames the runtime itself writes to the telemetry fd (its logger's records): each is
 * reassembled from however many writes carry it, then dropped when its level bits are
 * below LWRAP_LOG_LEVEL, redacted (LWRAP_LOGS not off) and, with LWRAP_LOGS=json,
 * turned into a JSON frame; with off the kept frames pass byte-exact. A frame
 * larger than 1 MiB passes through as it comes (filtered by its header only; other
 * writers to the fd wait until its last byte is out). Bytes that
 * are not frames make us stop parsing and pass everything through from then on.
 * The runtime serialises its own frame writes; our spin flag only guards against
 * threads that do not, and is reset in a forked child. */
#include "log_internal.h"

#include <sched.h>
#include <string.h>

#include "sink.h"

#define HDR 16
/* Frames up to 1 MiB (CloudWatch's event limit) are held whole; only the pages a frame
 * touches become resident. */
#define FRAME_CAP (1024 * 1024 + HDR)

static int lock;
static char frame[FRAME_CAP];
static size_t have;
static uint64_t pass_left, skip_left;
static bool broken;
static char outbuf[LOG_EVENT_MAX + LOG_BATCH + 4096];
static struct log_out out = {outbuf, 0, sizeof outbuf, LOG_STDOUT};

static uint32_t be32(const char *p)
{
    const unsigned char *u = (const unsigned char *)p;
    return (uint32_t)u[0] << 24 | (uint32_t)u[1] << 16 | (uint32_t)u[2] << 8 | u[3];
}

static uint64_t be64(const char *p)
{
    return (uint64_t)be32(p) << 32 | be32(p + 4);
}

static void put_be32(char *p, uint32_t v)
{
    p[0] = (char)(v >> 24), p[1] = (char)(v >> 16), p[2] = (char)(v >> 8), p[3] = (char)v;
}

static bool below(int level)
{
    if (log_cfg.threshold && level && level < log_cfg.threshold) {
        __atomic_fetch_add(&log_dropped, 1, __ATOMIC_RELAXED);
        return true;
    }
    return false;
}

static void one_frame(uint32_t type, char *msg, size_t len)
{
    int level = log_level_from_bits(type);
    if (below(level))
        return;
    if (log_cfg.mode == LOG_MODE_JSON) {
        struct log_rec r = {.msg = msg, .len = len, .stream = LOG_STDOUT, .level = level,
                            .ts_us = be64(msg - HDR + 8)};
        log_render(&r, &out, false, true);
        return;
    }
    if (log_cfg.mode == LOG_MODE_TEXT) {
        len = log_redact(msg, len, true);
        put_be32(msg - 4 - 8, (uint32_t)len);
    }
    if (out.cap - out.len < HDR + len)
        log_out_flush(&out);
    if (out.cap < HDR + len) {
        sink_write(log_cfg.tfd, msg - HDR, HDR + len, SINK_FRAMES);
        return;
    }
    memcpy(out.buf + out.len, msg - HDR, HDR + len);
    out.len += HDR + len;
}

static void feed(const char *p, size_t n)
{
    while (n) {
        if (broken) {
            log_out_flush(&out);
            sink_frame_part(log_cfg.tfd, p, n, true);
            return;
        }
        if (pass_left || skip_left) {
            uint64_t left = pass_left ? pass_left : skip_left;
            size_t k = left < n ? (size_t)left : n;
            if (pass_left) {
                log_out_flush(&out);
                pass_left -= k;
                sink_frame_part(log_cfg.tfd, p, k, pass_left == 0);
            } else {
                skip_left -= k;
            }
            p += k, n -= k;
            continue;
        }
        if (have < HDR) {
            size_t k = HDR - have < n ? HDR - have : n;
            memcpy(frame + have, p, k);
            have += k, p += k, n -= k;
            if (have < HDR)
                return;
            if ((be32(frame) >> 16) != 0xA55Au) {
                broken = true;
                log_out_flush(&out);
                sink_frame_part(log_cfg.tfd, frame, have, true);
                have = 0;
                continue;
            }
        }
        uint32_t len = be32(frame + 4);
        if (len > FRAME_CAP - HDR) {
            /* Too big to hold: decide on the header alone, stream the rest. */
            if (below(log_level_from_bits(be32(frame)))) {
                skip_left = len;
            } else {
                log_out_flush(&out);
                pass_left = len;
                sink_frame_part(log_cfg.tfd, frame, HDR, len == 0);
            }
            have = 0;
            continue;
        }
        size_t want = HDR + len - have;
        size_t k = want < n ? want : n;
        memcpy(frame + have, p, k);
        have += k, p += k, n -= k;
        if (have == HDR + len) {
            one_frame(be32(frame), frame + HDR, len);
            have = 0;
        }
    }
}

void log_frames_feed(const char *p, size_t n)
{
    while (__atomic_exchange_n(&lock, 1, __ATOMIC_ACQUIRE))
        sched_yield();
    feed(p, n);
    log_out_flush(&out);
    __atomic_store_n(&lock, 0, __ATOMIC_RELEASE);
}

void log_frames_atfork_child(void)
{
    lock = 0;
    out.len = 0;
}
