/* An independent strict JSON validator (RFC 8259: the grammar, UTF-8 text checked by
 * decoding each code point) for the fuzz targets to judge lwrap's output and its own
 * JSON reader by. Iterative (an explicit stack), so no input can exhaust the C stack.
 * Written apart from preload/log_parse.c on purpose: a shared mistake would hide. */
#ifndef LWRAP_REF_JSON_H
#define LWRAP_REF_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Length of the well-formed UTF-8 sequence at p (1 for ASCII), 0 when it is not one:
 * the code point is decoded and checked for overlong forms, surrogates and > U+10FFFF. */
static inline size_t ref_utf8_len(const unsigned char *p, size_t n)
{
    if (n == 0)
        return 0;
    unsigned c = p[0];
    size_t more;
    uint32_t cp, least;
    if (c < 0x80)
        return 1;
    if ((c & 0xE0) == 0xC0)
        more = 1, cp = c & 0x1F, least = 0x80;
    else if ((c & 0xF0) == 0xE0)
        more = 2, cp = c & 0x0F, least = 0x800;
    else if ((c & 0xF8) == 0xF0)
        more = 3, cp = c & 0x07, least = 0x10000;
    else
        return 0;
    if (n <= more)
        return 0;
    for (size_t k = 1; k <= more; k++) {
        if ((p[k] & 0xC0) != 0x80)
            return 0;
        cp = cp << 6 | (p[k] & 0x3F);
    }
    if (cp < least || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return more + 1;
}

/* What the validator saw of a top-level object's members (raw key bytes, as written). */
struct ref_json_keys {
    bool timestamp, level, request_id, message;
};

static inline bool ref_json_ws(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static inline bool ref_json_hex(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* A string starting at p[*i] == '"'; moves *i past the closing quote. */
static inline bool ref_json_string(const unsigned char *p, size_t n, size_t *i)
{
    size_t k = *i + 1;
    while (k < n) {
        unsigned char c = p[k];
        if (c == '"') {
            *i = k + 1;
            return true;
        }
        if (c < 0x20)
            return false;
        if (c == '\\') {
            if (k + 1 >= n)
                return false;
            unsigned char e = p[k + 1];
            if (e == 'u') {
                if (k + 6 > n)
                    return false;
                for (size_t h = k + 2; h < k + 6; h++)
                    if (!ref_json_hex(p[h]))
                        return false;
                k += 6;
            } else if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' || e == 'r' ||
                       e == 't') {
                k += 2;
            } else {
                return false;
            }
            continue;
        }
        size_t l = ref_utf8_len(p + k, n - k);
        if (!l)
            return false;
        k += l;
    }
    return false;
}

static inline bool ref_json_digits(const unsigned char *p, size_t n, size_t *k)
{
    size_t s = *k;
    while (*k < n && p[*k] >= '0' && p[*k] <= '9')
        (*k)++;
    return *k > s;
}

static inline bool ref_json_number(const unsigned char *p, size_t n, size_t *i)
{
    size_t k = *i;
    if (k < n && p[k] == '-')
        k++;
    if (k < n && p[k] == '0')
        k++;
    else if (!(k < n && p[k] >= '1' && p[k] <= '9') || !ref_json_digits(p, n, &k))
        return false;
    if (k < n && p[k] == '.') {
        k++;
        if (!ref_json_digits(p, n, &k))
            return false;
    }
    if (k < n && (p[k] == 'e' || p[k] == 'E')) {
        k++;
        if (k < n && (p[k] == '+' || p[k] == '-'))
            k++;
        if (!ref_json_digits(p, n, &k))
            return false;
    }
    *i = k;
    return true;
}

static inline bool ref_json_word(const unsigned char *p, size_t n, size_t *i, const char *w)
{
    size_t l = strlen(w);
    if (n - *i < l || memcmp(p + *i, w, l) != 0)
        return false;
    *i += l;
    return true;
}

/* True when p[0..n) is one JSON value with optional whitespace around it; object_only:
 * that value must be an object. max_depth (0: unlimited) bounds how many objects/arrays
 * may be open at once. keys (may be NULL): Lambda's fields among the top object's keys. */
static inline bool ref_json_valid(const unsigned char *p, size_t n, bool object_only, size_t max_depth,
                                  struct ref_json_keys *keys)
{
    enum { VALUE, KEY, AFTER } state = VALUE;
    size_t cap = 64, depth = 0, i = 0;
    char *stack = malloc(cap);
    bool ok = false;
    if (keys)
        memset(keys, 0, sizeof *keys);
    if (!stack)
        abort();
    while (i < n && ref_json_ws(p[i]))
        i++;
    if (object_only && (i >= n || p[i] != '{'))
        goto out;
    for (;;) {
        while (i < n && ref_json_ws(p[i]))
            i++;
        if (state == KEY) {
            size_t k0 = i;
            if (i >= n || p[i] != '"' || !ref_json_string(p, n, &i))
                goto out;
            if (keys && depth == 1) {
                const unsigned char *k = p + k0 + 1;
                size_t kn = i - k0 - 2;
                keys->timestamp |= kn == 9 && memcmp(k, "timestamp", 9) == 0;
                keys->level |= kn == 5 && memcmp(k, "level", 5) == 0;
                keys->request_id |= kn == 9 && memcmp(k, "requestId", 9) == 0;
                keys->message |= kn == 7 && memcmp(k, "message", 7) == 0;
            }
            while (i < n && ref_json_ws(p[i]))
                i++;
            if (i >= n || p[i] != ':')
                goto out;
            i++;
            state = VALUE;
            continue;
        }
        if (state == VALUE) {
            if (i >= n)
                goto out;
            unsigned char c = p[i];
            if (c == '{' || c == '[') {
                if (max_depth && depth == max_depth)
                    goto out;
                if (depth == cap) {
                    cap *= 2;
                    stack = realloc(stack, cap);
                    if (!stack)
                        abort();
                }
                stack[depth++] = (char)c;
                i++;
                while (i < n && ref_json_ws(p[i]))
                    i++;
                if (i < n && p[i] == (c == '{' ? '}' : ']')) {
                    depth--;
                    i++;
                    state = AFTER;
                } else {
                    state = c == '{' ? KEY : VALUE;
                }
                continue;
            }
            bool v = c == '"'   ? ref_json_string(p, n, &i)
                     : c == 't' ? ref_json_word(p, n, &i, "true")
                     : c == 'f' ? ref_json_word(p, n, &i, "false")
                     : c == 'n' ? ref_json_word(p, n, &i, "null")
                                : ref_json_number(p, n, &i);
            if (!v)
                goto out;
            state = AFTER;
            continue;
        }
        /* AFTER a value */
        if (depth == 0) {
            ok = i == n;
            goto out;
        }
        if (i < n && p[i] == ',') {
            i++;
            state = stack[depth - 1] == '{' ? KEY : VALUE;
        } else if (i < n && p[i] == (stack[depth - 1] == '{' ? '}' : ']')) {
            i++;
            depth--;
        } else {
            goto out;
        }
    }
out:
    free(stack);
    return ok;
}

/* JSON text p[0..n) as a reader of it sees the text: every string literal's escapes
 * decoded (\u00XX as the byte XX, lwrap's convention for bytes that are not UTF-8; a
 * larger \uXXXX as its UTF-8), everything else copied. out needs n bytes (decoding never
 * grows); returns its length. Only for text already found valid. */
static inline size_t ref_json_readable(const char *p, size_t n, char *out)
{
    size_t w = 0;
    bool in_string = false;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (c == '"')
            in_string = !in_string;
        if (!in_string || c != '\\' || i + 1 >= n) {
            out[w++] = c;
            continue;
        }
        char e = p[++i];
        if (e == 'u' && i + 4 < n) {
            unsigned cp = 0;
            for (int h = 1; h <= 4; h++) {
                char x = p[i + h];
                cp = cp * 16 + (unsigned)(x <= '9' ? x - '0' : (x | 0x20) - 'a' + 10);
            }
            i += 4;
            if (cp < 0x100) {
                out[w++] = (char)cp;
            } else if (cp < 0x800) {
                out[w++] = (char)(0xC0 | cp >> 6);
                out[w++] = (char)(0x80 | (cp & 0x3F));
            } else {
                out[w++] = (char)(0xE0 | cp >> 12);
                out[w++] = (char)(0x80 | ((cp >> 6) & 0x3F));
                out[w++] = (char)(0x80 | (cp & 0x3F));
            }
            continue;
        }
        out[w++] = e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e == 'b' ? '\b' : e == 'f' ? '\f' : e;
    }
    return w;
}

#endif
