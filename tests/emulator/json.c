/* Reading JSON: a strict validator (RFC 8259 grammar, UTF-8 text, depth-bounded) and the few
 * accessors the Telemetry/Logs API subscriptions need: an object's member, a string,
 * an integer, the elements of an array. Values are (pointer, length) views into the
 * caller's text; nothing is allocated except decoded strings. */
#include "emu.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define JSON_MAX_DEPTH 64

/* Where the innermost failure of the last json_valid() happened (the first one recorded
 * while the recursion unwinds), so a caller can say "at offset N" instead of only "not
 * valid". SIZE_MAX: none recorded. The emulator is one thread. */
static size_t fail_at = SIZE_MAX;

static size_t bad(size_t i)
{
    if (fail_at == SIZE_MAX)
        fail_at = i;
    return 0;
}

static size_t skip_ws(const char *p, size_t n, size_t i)
{
    while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\n' || p[i] == '\r'))
        i++;
    return i;
}

static size_t value_end(const char *p, size_t n, size_t i, int depth);

static size_t string_end(const char *p, size_t n, size_t i)
{
    if (i >= n || p[i] != '"')
        return bad(i);
    for (i++; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c == '"')
            return i + 1;
        if (c < 0x20)
            return bad(i);
        if (c >= 0x80) { /* text embedded as is must be valid UTF-8 for the listener */
            size_t l = utf8_seq((const unsigned char *)p + i, n - i);
            if (!l)
                return bad(i);
            i += l - 1;
            continue;
        }
        if (c == '\\') {
            if (++i >= n)
                return bad(i);
            if (p[i] == 'u') {
                for (int k = 1; k <= 4; k++)
                    if (i + (size_t)k >= n || !strchr("0123456789abcdefABCDEF", p[i + (size_t)k]) || !p[i + (size_t)k])
                        return bad(i + (size_t)k);
                i += 4;
            } else if (!strchr("\"\\/bfnrt", p[i]) || !p[i]) {
                return bad(i);
            }
        }
    }
    return bad(i);
}

static size_t number_end(const char *p, size_t n, size_t i)
{
    size_t s = i;
    if (i < n && p[i] == '-')
        i++;
    if (i < n && p[i] == '0')
        i++;
    else if (i < n && p[i] >= '1' && p[i] <= '9')
        while (i < n && p[i] >= '0' && p[i] <= '9')
            i++;
    else
        return bad(i);
    if (i < n && p[i] == '.') {
        size_t d = ++i;
        while (i < n && p[i] >= '0' && p[i] <= '9')
            i++;
        if (i == d)
            return bad(i);
    }
    if (i < n && (p[i] == 'e' || p[i] == 'E')) {
        i++;
        if (i < n && (p[i] == '+' || p[i] == '-'))
            i++;
        size_t d = i;
        while (i < n && p[i] >= '0' && p[i] <= '9')
            i++;
        if (i == d)
            return bad(i);
    }
    return i > s ? i : 0;
}

/* i: index of '{' or '['; returns the index after the matching close, 0 if invalid */
static size_t container_end(const char *p, size_t n, size_t i, int depth)
{
    char close = p[i] == '{' ? '}' : ']';
    bool obj = p[i] == '{';
    i = skip_ws(p, n, i + 1);
    if (i < n && p[i] == close)
        return i + 1;
    for (;;) {
        if (obj) {
            i = string_end(p, n, i);
            if (!i)
                return 0;
            i = skip_ws(p, n, i);
            if (i >= n || p[i] != ':')
                return bad(i);
            i = skip_ws(p, n, i + 1);
        }
        i = value_end(p, n, i, depth + 1);
        if (!i)
            return 0;
        i = skip_ws(p, n, i);
        if (i < n && p[i] == ',') {
            i = skip_ws(p, n, i + 1);
            continue;
        }
        return i < n && p[i] == close ? i + 1 : bad(i);
    }
}

static size_t value_end(const char *p, size_t n, size_t i, int depth)
{
    if (i >= n || depth > JSON_MAX_DEPTH)
        return bad(i);
    switch (p[i]) {
    case '{':
    case '[': return container_end(p, n, i, depth);
    case '"': return string_end(p, n, i);
    case 't': return n - i >= 4 && memcmp(p + i, "true", 4) == 0 ? i + 4 : bad(i);
    case 'f': return n - i >= 5 && memcmp(p + i, "false", 5) == 0 ? i + 5 : bad(i);
    case 'n': return n - i >= 4 && memcmp(p + i, "null", 4) == 0 ? i + 4 : bad(i);
    default: return number_end(p, n, i);
    }
}

bool json_valid(const char *p, size_t n, char first)
{
    fail_at = SIZE_MAX;
    size_t i = skip_ws(p, n, 0);
    if (i >= n || (first && p[i] != first))
        return bad(i);
    size_t e = value_end(p, n, i, 0);
    if (e && skip_ws(p, n, e) != n)
        return bad(skip_ws(p, n, e)); /* text after the value */
    return e != 0;
}

size_t json_error_offset(void)
{
    return fail_at;
}

bool json_member(const char *obj, size_t n, const char *key, const char **val, size_t *vlen)
{
    size_t i = skip_ws(obj, n, 0), kl = strlen(key);
    if (i >= n || obj[i] != '{')
        return false;
    i = skip_ws(obj, n, i + 1);
    while (i < n && obj[i] == '"') {
        size_t ke = string_end(obj, n, i);
        if (!ke)
            return false;
        bool match = ke - i - 2 == kl && memcmp(obj + i + 1, key, kl) == 0;
        if (!match && memchr(obj + i + 1, '\\', ke - i - 2)) { /* "\u0074ypes" is "types" too */
            struct buf k = {0};
            match = json_string(obj + i, ke - i, &k) && k.len == kl && memcmp(k.p, key, kl) == 0;
            buf_free(&k);
        }
        i = skip_ws(obj, n, ke);
        if (i >= n || obj[i] != ':')
            return false;
        i = skip_ws(obj, n, i + 1);
        size_t ve = value_end(obj, n, i, 1);
        if (!ve)
            return false;
        if (match) {
            *val = obj + i;
            *vlen = ve - i;
            return true;
        }
        i = skip_ws(obj, n, ve);
        if (i < n && obj[i] == ',')
            i = skip_ws(obj, n, i + 1);
    }
    return false;
}

static unsigned hexval(char c)
{
    return c <= '9' ? (unsigned)(c - '0') : (unsigned)((c | 0x20) - 'a' + 10);
}

static void add_utf8(struct buf *b, unsigned cp)
{
    if (cp < 0x80) {
        buf_addc(b, (char)cp);
    } else if (cp < 0x800) {
        buf_addc(b, (char)(0xC0 | cp >> 6));
        buf_addc(b, (char)(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        buf_addc(b, (char)(0xE0 | cp >> 12));
        buf_addc(b, (char)(0x80 | ((cp >> 6) & 0x3F)));
        buf_addc(b, (char)(0x80 | (cp & 0x3F)));
    } else {
        buf_addc(b, (char)(0xF0 | cp >> 18));
        buf_addc(b, (char)(0x80 | ((cp >> 12) & 0x3F)));
        buf_addc(b, (char)(0x80 | ((cp >> 6) & 0x3F)));
        buf_addc(b, (char)(0x80 | (cp & 0x3F)));
    }
}

/* Four hex digits at s (n bytes available) as a number; -1 when they are not there. */
static long hex4(const char *s, size_t n)
{
    if (n < 4)
        return -1;
    long v = 0;
    for (int k = 0; k < 4; k++) {
        if (!s[k] || !strchr("0123456789abcdefABCDEF", s[k]))
            return -1;
        v = v << 4 | (long)hexval(s[k]);
    }
    return v;
}

/* The text between a JSON string's quotes, decoded. Lenient, as it also reads bodies that
 * a runtime sent without checking them (an init/error's errorMessage): \uXXXX becomes
 * UTF-8 (a surrogate pair one character: Python's json.dumps writes every non-ASCII
 * character so); a lone or reversed surrogate, or \u without four hex digits, becomes
 * U+FFFD, as a decoder that replaces errors shows it; an unknown escape keeps its
 * character. Bytes that are not escapes are copied as they are. */
void json_unescape(const char *s, size_t n, struct buf *out)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '\\') {
            buf_addc(out, s[i]);
            continue;
        }
        if (++i >= n)
            break;
        switch (s[i]) {
        case 'b': buf_addc(out, '\b'); break;
        case 'f': buf_addc(out, '\f'); break;
        case 'n': buf_addc(out, '\n'); break;
        case 'r': buf_addc(out, '\r'); break;
        case 't': buf_addc(out, '\t'); break;
        case 'u': {
            long cp = hex4(s + i + 1, n - i - 1);
            if (cp < 0) {
                add_utf8(out, 0xFFFD);
                break;
            }
            i += 4;
            if (cp >= 0xD800 && cp < 0xDC00) {
                long lo = i + 2 < n && s[i + 1] == '\\' && s[i + 2] == 'u' ? hex4(s + i + 3, n - i - 3) : -1;
                if (lo >= 0xDC00 && lo < 0xE000) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    i += 6;
                } else {
                    cp = 0xFFFD; /* a high surrogate without its low half */
                }
            } else if (cp >= 0xDC00 && cp < 0xE000) {
                cp = 0xFFFD; /* a low surrogate without a high one before it */
            }
            add_utf8(out, (unsigned)cp);
            break;
        }
        default: buf_addc(out, s[i]); break;
        }
    }
}

bool json_string(const char *v, size_t n, struct buf *out)
{
    if (!n || string_end(v, n, 0) != n)
        return false;
    buf_reset(out);
    json_unescape(v + 1, n - 2, out);
    buf_cstr(out);
    return true;
}

bool json_int(const char *v, size_t n, long long *out)
{
    if (!n || number_end(v, n, 0) != n || memchr(v, '.', n) || memchr(v, 'e', n) || memchr(v, 'E', n) || n > 18)
        return false;
    char tmp[24];
    memcpy(tmp, v, n);
    tmp[n] = 0;
    *out = strtoll(tmp, NULL, 10);
    return true;
}

bool json_array_next(const char *arr, size_t n, size_t *pos, const char **el, size_t *elen)
{
    size_t i = *pos ? *pos : skip_ws(arr, n, 0) + 1;
    if (!*pos && (n == 0 || arr[skip_ws(arr, n, 0)] != '['))
        return false;
    i = skip_ws(arr, n, i);
    if (i < n && arr[i] == ',')
        i = skip_ws(arr, n, i + 1);
    if (i >= n || arr[i] == ']')
        return false;
    size_t e = value_end(arr, n, i, 1);
    if (!e)
        return false;
    *el = arr + i;
    *elen = e - i;
    *pos = e;
    return true;
}
