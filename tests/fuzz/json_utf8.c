/* The preload's JSON-object reader and UTF-8 validator (preload/log_parse.c's
 * log_json_object, log_format_json.c's log_utf8_multibyte and log_json_escape) against
 * independent references written here (ref_json.h: RFC 8259 with UTF-8 decoded code point
 * by code point). Input: byte 0 picks an output capacity for the escaper, the rest is
 * the text. Asserted:
 * - log_json_object accepts exactly what the reference accepts as one JSON object
 *   (whitespace around it, nesting up to 64 containers), and reports the same top-level
 *   timestamp/level/requestId/message keys; a refused text reports nothing;
 * - log_utf8_multibyte gives, at every offset, the length of the valid 2-4 byte sequence
 *   there, or 0, exactly as the reference decoder does;
 * - log_json_escape's output is the reference escaping of the input it says it used (valid
 *   UTF-8 as is, \" \\ \n \r \t \b \f, other bytes below 0x20 and every byte that is not
 *   valid UTF-8 as \u00xx), it stops only before a character whose escape would not fit,
 *   the result is a valid JSON string, and decoding it gives back the input (\u00xx as
 *   byte xx);
 * - log_parse never points outside the record, and calls a record JSON only when
 *   log_json_object does.
 * fuzz-options: -max_len=4096 */
#include "fuzz.h"
#include "ref_json.h"

#include "log_internal.h"

/* ---- reference escaping ---- */
static size_t ref_escape_char(const unsigned char *p, size_t n, char out[8], size_t *used)
{
    static const char hex[] = "0123456789abcdef";
    unsigned c = p[0];
    *used = 1;
    if (c >= 0x80) {
        size_t l = ref_utf8_len(p, n);
        if (l >= 2) {
            memcpy(out, p, l);
            *used = l;
            return l;
        }
    } else if (c >= 0x20 && c != '"' && c != '\\') {
        out[0] = (char)c;
        return 1;
    } else {
        const char *e = c == '"' ? "\\\"" : c == '\\' ? "\\\\" : c == '\n' ? "\\n" : c == '\r' ? "\\r"
                      : c == '\t' ? "\\t" : c == '\b' ? "\\b" : c == '\f' ? "\\f" : NULL;
        if (e) {
            memcpy(out, e, 2);
            return 2;
        }
    }
    memcpy(out, "\\u00", 4);
    out[4] = hex[c >> 4];
    out[5] = hex[c & 15];
    return 6;
}

static int unhex(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* The JSON string body s[0..n) decoded, \u00xx as the byte xx (lwrap's convention). */
static void decode(const char *s, size_t n, struct fuzz_log *out)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '\\') {
            fuzz_log_add(out, s + i, 1);
            continue;
        }
        char e = s[++i], c;
        switch (e) {
        case 'n': c = '\n'; break;
        case 'r': c = '\r'; break;
        case 't': c = '\t'; break;
        case 'b': c = '\b'; break;
        case 'f': c = '\f'; break;
        case 'u':
            FUZZ_CHECK(s[i + 1] == '0' && s[i + 2] == '0', "an escape above \\u00ff");
            c = (char)(unhex(s[i + 3]) * 16 + unhex(s[i + 4]));
            i += 4;
            break;
        default: c = e; break;
        }
        fuzz_log_add(out, &c, 1);
    }
}

static void check_escape(const char *in, size_t n, size_t cap)
{
    char *out = malloc(cap ? cap : 1);
    if (!out)
        abort();
    size_t used = (size_t)-1;
    size_t len = log_json_escape(in, n, out, cap, &used);
    FUZZ_CHECK(used <= n && len <= cap, "used %zu of %zu, wrote %zu of %zu", used, n, len, cap);
    struct fuzz_log want = {0}, quoted = {0}, back = {0};
    const unsigned char *u = (const unsigned char *)in;
    size_t i = 0;
    char e[8];
    while (i < used) {
        size_t k, l = ref_escape_char(u + i, n - i, e, &k);
        fuzz_log_add(&want, e, l);
        i += k;
    }
    FUZZ_CHECK(i == used, "stopped inside a character (%zu, %zu)", used, i);
    struct fuzz_log got = {out, len, len};
    fuzz_log_same(&want, &got, "log_json_escape vs the reference");
    if (used < n) { /* stopped: the next character's escape must not have fitted */
        size_t k, l = ref_escape_char(u + used, n - used, e, &k);
        FUZZ_CHECK(len + l > cap, "stopped at %zu of %zu with room for the next character", used, n);
    }
    fuzz_log_add(&quoted, "\"", 1);
    fuzz_log_add(&quoted, out, len);
    fuzz_log_add(&quoted, "\"", 1);
    FUZZ_CHECK(ref_json_valid((const unsigned char *)quoted.p, quoted.len, false, 0, NULL), "not a JSON string: %.*s",
               (int)quoted.len, quoted.p);
    decode(out, len, &back);
    struct fuzz_log orig = {(char *)in, used, used};
    fuzz_log_same(&orig, &back, "escaped and decoded vs the input");
    fuzz_log_free(&want), fuzz_log_free(&quoted), fuzz_log_free(&back);
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t cap_pick = data[0];
    /* a copy of exactly the text: ASan sees any read past it */
    size_t n = size - 1;
    char *p = malloc(n ? n : 1);
    if (!p)
        abort();
    memcpy(p, data + 1, n);
    const unsigned char *u = (const unsigned char *)p;

    struct log_parsed ps;
    memset(&ps, 0, sizeof ps); /* (log_parse clears it before; the reader only sets) */
    bool got = log_json_object(p, n, &ps);
    struct ref_json_keys keys;
    bool want = ref_json_valid(u, n, true, 64, &keys);
    FUZZ_CHECK(got == want, "log_json_object says %d, the reference %d", got, want);
    if (got)
        FUZZ_CHECK(ps.kind == LOG_KIND_JSON && ps.has_timestamp == keys.timestamp && ps.has_level == keys.level &&
                       ps.has_rid == keys.request_id && ps.has_message == keys.message,
                   "top-level keys differ from the reference");
    else
        FUZZ_CHECK(!ps.has_timestamp && !ps.has_level && !ps.has_rid && !ps.has_message &&
                       ps.level == LOG_LVL_NONE && !ps.level_unknown,
                   "a refused text reports fields");
    if (got)
        FUZZ_CHECK(ps.level_unknown ? ps.level == LOG_LVL_NONE : true, "an unknown level with a level");

    for (size_t i = 0; i < n; i++) {
        size_t l = log_utf8_multibyte(u + i, n - i), r = ref_utf8_len(u + i, n - i);
        FUZZ_CHECK(l == (r >= 2 ? r : 0), "UTF-8 at %zu (%02x): %zu, reference %zu", i, u[i], l, r);
    }

    check_escape(p, n, 6 * n);
    check_escape(p, n, cap_pick < 6 * n ? cap_pick : 6 * n);

    log_parse(p, n, &ps);
    FUZZ_CHECK(ps.body >= p && ps.body + ps.body_len <= p + n, "body outside the record");
    if (ps.ts_len)
        FUZZ_CHECK(ps.ts >= p && ps.ts + ps.ts_len <= p + n, "timestamp outside the record");
    if (ps.rid_len)
        FUZZ_CHECK(ps.rid >= p && ps.rid + ps.rid_len <= p + n, "request id outside the record");
    FUZZ_CHECK(ps.level >= LOG_LVL_NONE && ps.level <= LOG_LVL_FATAL, "level %d", ps.level);
    if (ps.kind == LOG_KIND_JSON) {
        struct log_parsed again;
        FUZZ_CHECK(log_json_object(p, n, &again), "log_parse calls a non-object JSON");
    }
    free(p);
    return 0;
}
