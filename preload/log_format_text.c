/* LWRAP_LOGS=text: Lambda's Node-style prefix "ISO\trequestId\tLEVEL\t" on records that
 * lack one (records already carrying Node's or the Python runtime's prefix are kept
 * as they are). As a line, inner newlines become \r (what Lambda's Node runtime does,
 * so CloudWatch keeps the record as one event); in a telemetry frame they stay. */
#include "log_internal.h"

#include <string.h>

static size_t copy_cr(char *out, const char *p, size_t n)
{
    size_t o = 0;
    while (n) {
        const char *nl = memchr(p, '\n', n);
        size_t k = nl ? (size_t)(nl - p) : n;
        memcpy(out + o, p, k);
        o += k;
        if (!nl)
            break;
        out[o++] = '\r';
        p += k + 1;
        n -= k + 1;
    }
    return o;
}

size_t log_format_text(const struct log_rec *r, const struct log_parsed *ps, int level,
                       bool frame, char *out, size_t cap, size_t from, size_t *next)
{
    size_t o = 0;
    bool prefix = !r->raw && log_cfg.mode != LOG_MODE_OFF && ps->kind != LOG_KIND_NODE &&
                  ps->kind != LOG_KIND_PYTHON;
    if (prefix) {
        o += log_iso_time(r->ts_us, out);
        out[o++] = '\t';
        if (r->rid_len) {
            memcpy(out + o, r->rid, r->rid_len);
            o += r->rid_len;
        } else {
            memcpy(out + o, "undefined", 9); /* what Lambda's Node runtime prints */
            o += 9;
        }
        out[o++] = '\t';
        const char *name = log_level_name(level);
        size_t k = strlen(name);
        memcpy(out + o, name, k);
        o += k;
        out[o++] = '\t';
    }
    size_t n = r->len - from;
    if (n > cap - o - 1)
        n = cap - o - 1;
    if (frame) {
        memcpy(out + o, r->msg + from, n);
        o += n;
    } else {
        o += copy_cr(out + o, r->msg + from, n);
        out[o++] = '\n';
    }
    *next = from + n;
    return o;
}
