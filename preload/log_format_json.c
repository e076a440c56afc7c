/* LWRAP_LOGS=json: one JSON object per record with Lambda's field names (timestamp,
 * level, requestId, message). A record that already is a JSON object stays that object,
 * with the missing fields added in front; a record with Lambda's Node or Python text
 * prefix gives its timestamp, request id and level to the fields. Any byte sequence is
 * escaped correctly: bytes that are not valid UTF-8 become \u00XX (one per byte, the
 * same convention as lambda-emu). */
#include "log_internal.h"

#include <string.h>

static const char hex[] = "0123456789abcdef";

/* Length of the valid UTF-8 sequence of two to four bytes at p (0 when invalid or
 * ASCII): what JSON may carry as is. Shared with the JSON-object reader. */
size_t log_utf8_multibyte(const unsigned char *p, size_t avail)
{
    unsigned c = p[0];
    if (c >= 0xC2 && c <= 0xDF)
        return avail >= 2 && (p[1] & 0xC0) == 0x80 ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        if (avail < 3 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80)
            return 0;
        if ((c == 0xE0 && p[1] < 0xA0) || (c == 0xED && p[1] > 0x9F))
            return 0;
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (avail < 4 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80)
            return 0;
        if ((c == 0xF0 && p[1] < 0x90) || (c == 0xF4 && p[1] > 0x8F))
            return 0;
        return 4;
    }
    return 0;
}

/* Bytes copied as they are: printable ASCII but the quote and the backslash. */
static bool plain(unsigned c)
{
    return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

size_t log_json_escape(const char *in, size_t n, char *out, size_t cap, size_t *used)
{
    const unsigned char *p = (const unsigned char *)in;
    size_t i = 0, o = 0;
    while (i < n) {
        unsigned c = p[i];
        if (plain(c)) {
            /* A run of plain bytes in one copy (most log text is ASCII). */
            size_t j = i + 1, room = cap - o;
            while (j < n && j - i < room && plain(p[j]))
                j++;
            if (room == 0)
                break;
            memcpy(out + o, p + i, j - i);
            o += j - i;
            i = j;
            continue;
        }
        if (c < 0x80) {
            const char *e = NULL;
            switch (c) {
            case '"': e = "\\\""; break;
            case '\\': e = "\\\\"; break;
            case '\n': e = "\\n"; break;
            case '\r': e = "\\r"; break;
            case '\t': e = "\\t"; break;
            case '\b': e = "\\b"; break;
            case '\f': e = "\\f"; break;
            default: break;
            }
            if (e) {
                if (o + 2 > cap)
                    break;
                out[o++] = e[0];
                out[o++] = e[1];
                i++;
                continue;
            }
        } else {
            size_t k = log_utf8_multibyte(p + i, n - i);
            if (k) {
                if (o + k > cap)
                    break;
                memcpy(out + o, p + i, k);
                o += k;
                i += k;
                continue;
            }
        }
        if (o + 6 > cap)
            break;
        memcpy(out + o, "\\u00", 4);
        out[o + 4] = hex[c >> 4];
        out[o + 5] = hex[c & 15];
        o += 6;
        i++;
    }
    *used = i;
    return o;
}

struct buf {
    char *p;
    size_t len;
};

static void put(struct buf *b, const char *s, size_t n)
{
    memcpy(b->p + b->len, s, n);
    b->len += n;
}
#define PUTS(b, s) put(b, s, sizeof(s) - 1)

static void put_str(struct buf *b, const char *s, size_t n)
{
    size_t used;
    b->len += log_json_escape(s, n, b->p + b->len, 6 * n, &used);
}

/* The fields a record lacks, each followed by a comma. */
static void fields(struct buf *b, const struct log_rec *r, const struct log_parsed *ps, int level,
                   bool ts, bool lvl, bool rid)
{
    if (ts) {
        PUTS(b, "\"timestamp\":\"");
        if (ps->ts_len)
            put_str(b, ps->ts, ps->ts_len);
        else
            b->len += log_iso_time(r->ts_us, b->p + b->len);
        PUTS(b, "\",");
    }
    if (lvl) {
        PUTS(b, "\"level\":\"");
        const char *name = log_level_name(level);
        put(b, name, strlen(name));
        PUTS(b, "\",");
    }
    if (rid) {
        const char *id = ps->rid_len ? ps->rid : r->rid;
        size_t idn = ps->rid_len ? ps->rid_len : r->rid_len;
        /* Node prints "undefined" outside an invoke, AWS's Node client "-": no id. */
        if (idn && !(idn == 9 && memcmp(id, "undefined", 9) == 0) && !(idn == 1 && id[0] == '-')) {
            PUTS(b, "\"requestId\":\"");
            put_str(b, id, idn);
            PUTS(b, "\",");
        }
    }
}

size_t log_format_json(const struct log_rec *r, const struct log_parsed *ps, int level,
                       bool frame, char *out, size_t cap, size_t from, size_t *next)
{
    struct buf b = {out, 0};
    if (ps->kind == LOG_KIND_JSON) {
        const char *p = r->msg, *end = r->msg + r->len;
        while (p < end && *p != '{')
            p++;
        while (end > p && end[-1] != '}')
            end--;
        PUTS(&b, "{");
        size_t mark = b.len;
        fields(&b, r, ps, level, !ps->has_timestamp, !ps->has_level, !ps->has_rid);
        const char *rest = p + 1;
        while (rest < end && (*rest == ' ' || *rest == '\t' || *rest == '\n' || *rest == '\r'))
            rest++;
        if (*rest == '}' && b.len > mark)
            b.len--; /* "{}" plus fields: drop the trailing comma */
        /* A pretty-printed object spans lines: its raw newlines can only be whitespace
         * between tokens (the validator refused them inside strings), so they become
         * spaces and the record stays one line. */
        size_t at = b.len;
        put(&b, rest, (size_t)(end - rest));
        for (char *q = out + at; (q = memchr(q, '\n', (size_t)(out + b.len - q))) != NULL;)
            *q++ = ' ';
        for (char *q = out + at; (q = memchr(q, '\r', (size_t)(out + b.len - q))) != NULL;)
            *q++ = ' ';
        if (!frame)
            PUTS(&b, "\n");
        *next = r->len;
        return b.len;
    }
    PUTS(&b, "{");
    fields(&b, r, ps, level, true, true, true);
    PUTS(&b, "\"message\":\"");
    size_t start = (size_t)(ps->body - r->msg);
    if (from > start)
        start = from;
    size_t used;
    b.len += log_json_escape(r->msg + start, r->len - start, out + b.len, cap - b.len - 4, &used);
    PUTS(&b, "\"}");
    if (!frame)
        PUTS(&b, "\n");
    *next = start + used;
    return b.len;
}
