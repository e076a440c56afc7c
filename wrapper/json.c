/* The JSON reader (see json.h). Bytes >= 0x80 inside strings are taken as they are:
 * the environment holds bytes, and a value is passed on exactly as the extension sent
 * it; control bytes must be escaped, as the grammar says. */
#include "json.h"

#include <string.h>

#define MAX_DEPTH 64

static const char *ws(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    return p;
}

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* p at the opening quote; returns the byte after the closing one, or NULL. */
static const char *skip_string(const char *p, const char *end)
{
    for (p++; p < end; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '"')
            return p + 1;
        if (c < 0x20)
            return NULL;
        if (c != '\\')
            continue;
        if (++p == end)
            return NULL;
        if (*p == 'u') {
            if (end - p < 5)
                return NULL;
            for (int i = 1; i <= 4; i++)
                if (hexval(p[i]) < 0)
                    return NULL;
            p += 4;
        } else if (!strchr("\"\\/bfnrt", *p) || !*p) {
            return NULL;
        }
    }
    return NULL;
}

static int digit(const char *p, const char *end)
{
    return p < end && *p >= '0' && *p <= '9';
}

static const char *skip_number(const char *p, const char *end)
{
    if (p < end && *p == '-')
        p++;
    if (!digit(p, end))
        return NULL;
    if (*p == '0')
        p++;
    else
        while (digit(p, end))
            p++;
    if (p < end && *p == '.') {
        if (!digit(++p, end))
            return NULL;
        while (digit(p, end))
            p++;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < end && (*p == '+' || *p == '-'))
            p++;
        if (!digit(p, end))
            return NULL;
        while (digit(p, end))
            p++;
    }
    return p;
}

static const char *skip_value(const char *p, const char *end, int depth, char *type);

/* Object or array at p ('{' or '['). */
static const char *skip_container(const char *p, const char *end, int depth)
{
    char close = *p == '{' ? '}' : ']';
    int object = close == '}';
    if (depth >= MAX_DEPTH)
        return NULL;
    p = ws(p + 1, end);
    if (p < end && *p == close)
        return p + 1;
    for (;;) {
        char t;
        if (object) {
            if (p >= end || *p != '"' || !(p = skip_string(p, end)))
                return NULL;
            p = ws(p, end);
            if (p >= end || *p != ':')
                return NULL;
            p = ws(p + 1, end);
        }
        if (!(p = skip_value(p, end, depth + 1, &t)))
            return NULL;
        p = ws(p, end);
        if (p < end && *p == close)
            return p + 1;
        if (p >= end || *p != ',')
            return NULL;
        p = ws(p + 1, end);
    }
}

static const char *skip_value(const char *p, const char *end, int depth, char *type)
{
    if (p >= end)
        return NULL;
    *type = *p;
    switch (*p) {
    case '"':
        *type = 's';
        return skip_string(p, end);
    case '{':
    case '[':
        return skip_container(p, end, depth);
    case 't':
        return end - p >= 4 && memcmp(p, "true", 4) == 0 ? p + 4 : NULL;
    case 'f':
        return end - p >= 5 && memcmp(p, "false", 5) == 0 ? p + 5 : NULL;
    case 'n':
        *type = 'z';
        return end - p >= 4 && memcmp(p, "null", 4) == 0 ? p + 4 : NULL;
    default:
        *type = 'n';
        return skip_number(p, end);
    }
}

int json_parse(const char *text, size_t n, struct jv *out)
{
    const char *end = text + n, *p = ws(text, end);
    const char *e = skip_value(p, end, 0, &out->type);
    if (!e || ws(e, end) != end)
        return 0;
    out->s = p;
    out->n = (size_t)(e - p);
    return 1;
}

/* Only called on validated text: every step below is known to succeed. */
int json_member(const struct jv *obj, size_t *pos, struct jv *key, struct jv *val)
{
    const char *end = obj->s + obj->n;
    const char *p = obj->s + (*pos ? *pos : 1);
    p = ws(p, end);
    if (*p == ',')
        p = ws(p + 1, end);
    if (*p != '"')
        return 0;
    key->s = p;
    p = skip_string(p, end);
    key->n = (size_t)(p - key->s);
    key->type = 's';
    p = ws(p, end) + 1;
    p = ws(p, end);
    val->s = p;
    p = skip_value(p, end, 0, &val->type);
    val->n = (size_t)(p - val->s);
    *pos = (size_t)(p - obj->s);
    return 1;
}

static size_t utf8(char *out, unsigned cp)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | cp >> 6);
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | cp >> 12);
        out[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | cp >> 18);
    out[1] = (char)(0x80 | (cp >> 12 & 0x3F));
    out[2] = (char)(0x80 | (cp >> 6 & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

static unsigned hex4(const char *p)
{
    return (unsigned)(hexval(p[0]) << 12 | hexval(p[1]) << 8 | hexval(p[2]) << 4 | hexval(p[3]));
}

long json_string(const struct jv *str, char *out)
{
    const char *p = str->s + 1, *end = str->s + str->n - 1;
    size_t n = 0;
    char tmp[4];
    while (p < end) {
        if (*p != '\\') {
            if (out)
                out[n] = *p;
            n++, p++;
            continue;
        }
        p++;
        char c = *p++;
        if (c != 'u') {
            static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
            if (out)
                out[n] = to[strchr(from, c) - from];
            n++;
            continue;
        }
        unsigned cp = hex4(p);
        p += 4;
        if (cp == 0)
            return -1;
        if (cp >= 0xD800 && cp <= 0xDBFF && end - p >= 6 && p[0] == '\\' && p[1] == 'u') {
            unsigned lo = hex4(p + 2);
            if (lo >= 0xDC00 && lo <= 0xDFFF) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                p += 6;
            }
        }
        if (cp >= 0xD800 && cp <= 0xDFFF)
            cp = 0xFFFD;
        size_t k = utf8(out ? out + n : tmp, cp);
        n += k;
    }
    return (long)n;
}

int json_get(const struct jv *obj, const char *key, struct jv *val)
{
    size_t pos = 0, klen = strlen(key);
    struct jv k;
    char buf[256];
    if (obj->type != '{')
        return 0;
    while (json_member(obj, &pos, &k, val)) {
        /* a decoded name is never longer than its text */
        if (k.n > sizeof buf || k.n < klen + 2)
            continue;
        long n = json_string(&k, buf);
        if (n == (long)klen && memcmp(buf, key, klen) == 0)
            return 1;
    }
    return 0;
}
