/* lambda-emu's decoder of what a runtime writes (tests/emulator/stream_events.c): the
 * telemetry pipe's frames (16-byte header: 0xA55A type, length, timestamp) and
 * stdout/stderr lines. Input: byte 0 (bit 0: telemetry frames or lines; bit 1: an
 * extension's stream), cut points (fuzz.h), then the bytes. Asserted:
 * - fed whole, cut at the chosen points, and byte by byte, the events are the same;
 * - they are exactly those of a reference decoder written here: each frame whole with its
 *   type and time, one "bad frame header" report and nothing more after a header that is
 *   not 0xA55A or claims more than 16 MiB, one "closed in the middle of a frame" report for
 *   a frame cut by the end; lines at each '\n' (and the rest at the end).
 * The events' printer (output.c) is replaced here by a recorder.
 * fuzz-options: -max_len=4096 */
#include "fuzz.h"

#include "emu.h"

static struct fuzz_log *events;

void out_log(const char *ext_name, enum stream_kind st, const char *req_id, const char *msg, size_t n,
             const struct frame_info *fi)
{
    FUZZ_CHECK((st == ST_TELEMETRY) == (fi != NULL), "frame info on a %d stream", (int)st);
    fuzz_log_fmt(events, "LOG %s %d %s", ext_name ? ext_name : "-", (int)st, req_id ? req_id : "-");
    if (fi)
        fuzz_log_fmt(events, " type=%08x ts=%lld", fi->type, (long long)fi->ts_us);
    fuzz_log_fmt(events, " %zu:", n);
    fuzz_log_add(events, msg, n);
    fuzz_log_str(events, "\n");
}

void out_emu(const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    fuzz_log_fmt(events, "EMU %s\n", tmp);
}

const char *life_current_request_id(void)
{
    return "8f7c2a1e-0b1d-4c4e-9f5a-3d2b1c0a9e8f";
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* ---- the reference decoder: the whole stream at once ---- */
static void reference(bool frames, const char *ext, const char *s, size_t n, struct fuzz_log *l)
{
    events = l;
    if (!frames) {
        for (size_t at = 0; at < n;) {
            const char *nl = memchr(s + at, '\n', n - at);
            size_t len = nl ? (size_t)(nl - s - at) : n - at;
            if (len > EMU_LINE_LIMIT) /* (beyond what max_len reaches; kept honest anyway) */
                len = EMU_LINE_LIMIT, nl = NULL;
            out_log(ext, ST_STDOUT, life_current_request_id(), s + at, len, NULL);
            at += len + (nl ? 1 : 0);
        }
        return;
    }
    const unsigned char *u = (const unsigned char *)s;
    size_t at = 0;
    while (n - at >= 16) {
        uint32_t type = be32(u + at), len = be32(u + at + 4);
        if ((type >> 16) != 0xA55A || len > EMU_FRAME_LIMIT) {
            out_emu("telemetry fd: bad frame header (type 0x%08X, length %u); ignoring the rest of the stream", type,
                    len);
            return;
        }
        if (n - at - 16 < len)
            break;
        struct frame_info fi = {type, (int64_t)((uint64_t)be32(u + at + 8) << 32 | be32(u + at + 12))};
        out_log(ext, ST_TELEMETRY, life_current_request_id(), s + at + 16, len, &fi);
        at += 16 + len;
    }
    if (at < n)
        out_emu("telemetry fd: closed in the middle of a frame (%zu bytes left)", n - at);
}

static void run(bool frames, struct proc *owner, const char *s, size_t len, const struct fuzz_cuts *cuts,
                size_t step, struct fuzz_log *l)
{
    struct stream st = {.fd = -1, .kind = frames ? ST_TELEMETRY : ST_STDOUT, .raw_fd = -1, .owner = owner};
    events = l;
    size_t at = 0;
    size_t end;
    for (size_t k = 0; fuzz_piece_end(k, at, len, step, cuts, &end); k++) {
        if (end > at)
            stream_events_feed(&st, s + at, end - at); /* (a read never returns 0 bytes) */
        at = end;
    }
    stream_events_end(&st);
    buf_free(&st.pending);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    bool frames = data[0] & 1;
    static struct proc runtime, extension;
    snprintf(extension.name, sizeof extension.name, "ext-a");
    extension.ext = (struct ext *)&extension; /* only tested for NULL */
    struct proc *owner = data[0] & 2 ? &extension : &runtime;
    struct fuzz_cuts cuts;
    size_t off = 1 + fuzz_take_cuts(data + 1, size - 1, &cuts);
    const char *s = (const char *)data + off;
    size_t len = size - off;
    struct fuzz_cuts none = {0};
    struct fuzz_log want = {0}, whole = {0}, cut = {0}, bytes = {0};
    reference(frames, owner == &extension ? "ext-a" : NULL, s, len, &want);
    run(frames, owner, s, len, &none, 0, &whole);
    run(frames, owner, s, len, &cuts, 0, &cut);
    run(frames, owner, s, len, &none, 1, &bytes);
    fuzz_log_same(&want, &whole, "the reference vs fed whole");
    fuzz_log_same(&whole, &cut, "whole vs cut at the chosen points");
    fuzz_log_same(&whole, &bytes, "whole vs byte by byte");
    fuzz_log_free(&want), fuzz_log_free(&whole), fuzz_log_free(&cut), fuzz_log_free(&bytes);
    return 0;
}
