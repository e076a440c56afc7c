/* Small helpers: growable buffers, clocks, ids, JSON string escaping. */
#include "emu.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        fputs("lambda-emu: out of memory\n", stderr);
        abort();
    }
    return p;
}

void *xcalloc(size_t n, size_t m)
{
    void *p = calloc(n ? n : 1, m ? m : 1);
    if (!p) {
        fputs("lambda-emu: out of memory\n", stderr);
        abort();
    }
    return p;
}

char *xstrdup(const char *s)
{
    return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
    char *p = xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = 0;
    return p;
}

static void buf_reserve(struct buf *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1)
        cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) {
        fputs("lambda-emu: out of memory\n", stderr);
        abort();
    }
    b->p = p;
    b->cap = cap;
}

void buf_add(struct buf *b, const void *data, size_t n)
{
    buf_reserve(b, n);
    if (n)
        memcpy(b->p + b->len, data, n);
    b->len += n;
}

void buf_adds(struct buf *b, const char *s)
{
    buf_add(b, s, strlen(s));
}

void buf_addc(struct buf *b, char c)
{
    buf_reserve(b, 1);
    b->p[b->len++] = c;
}

void buf_addf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    buf_reserve(b, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void buf_consume(struct buf *b, size_t n)
{
    if (n >= b->len) {
        b->len = 0;
        return;
    }
    memmove(b->p, b->p + n, b->len - n);
    b->len -= n;
}

void buf_reset(struct buf *b)
{
    b->len = 0;
}

void buf_free(struct buf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

char *buf_cstr(struct buf *b)
{
    buf_reserve(b, 0);
    b->p[b->len] = 0;
    return b->p;
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if invalid. */
size_t utf8_seq(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t len;
    unsigned min;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        len = 2, min = 0x80;
    else if (c >= 0xE0 && c <= 0xEF)
        len = 3, min = 0x800;
    else if (c >= 0xF0 && c <= 0xF4)
        len = 4, min = 0x10000;
    else
        return 0;
    if (n < len)
        return 0;
    unsigned cp = c & (0x3F >> (len - 1));
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

/* Bytes that are not valid UTF-8 become \u00XX, one per byte (the contract:
 * tests that need exact bytes use --raw). */
void buf_json_str(struct buf *b, const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    buf_addc(b, '"');
    size_t i = 0;
    while (i < n) {
        unsigned char c = u[i];
        switch (c) {
        case '"': buf_add(b, "\\\"", 2); i++; continue;
        case '\\': buf_add(b, "\\\\", 2); i++; continue;
        case '\n': buf_add(b, "\\n", 2); i++; continue;
        case '\r': buf_add(b, "\\r", 2); i++; continue;
        case '\t': buf_add(b, "\\t", 2); i++; continue;
        default: break;
        }
        if (c < 0x20 || c == 0x7F) {
            buf_addf(b, "\\u%04x", c);
            i++;
            continue;
        }
        size_t l = utf8_seq(u + i, n - i);
        if (l == 0) {
            buf_addf(b, "\\u%04x", c);
            i++;
            continue;
        }
        buf_add(b, s + i, l);
        i += l;
    }
    buf_addc(b, '"');
}

/* 2026-01-02T03:04:05.678Z, the form of Lambda's timestamps */
void iso8601_ms(char out[32], int64_t epoch_ms)
{
    time_t t = (time_t)(epoch_ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    size_t k = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + k, 32 - k, ".%03dZ", (int)(epoch_ms % 1000));
}

double now_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int64_t now_epoch_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t now_epoch_ms(void)
{
    return now_epoch_us() / 1000;
}

void random_hex(char *out, size_t nhex)
{
    static const char hx[] = "0123456789abcdef";
    unsigned char r[64];
    size_t nbytes = (nhex + 1) / 2;
    if (nbytes > sizeof r)
        nbytes = sizeof r;
    if (getrandom(r, nbytes, 0) != (ssize_t)nbytes) {
        /* getrandom on a booted kernel does not fail; fall back to something unique */
        for (size_t i = 0; i < nbytes; i++)
            r[i] = (unsigned char)(rand() ^ (int)now_epoch_us());
    }
    for (size_t i = 0; i < nhex && i / 2 < nbytes; i++)
        out[i] = hx[(i & 1) ? (r[i / 2] & 15) : (r[i / 2] >> 4)];
    out[nhex] = 0;
}

/* Random (version 4) UUID, the shape of Lambda's request ids. */
void new_uuid(char out[EMU_ID_LEN + 1])
{
    char h[33];
    random_hex(h, 32);
    h[12] = '4';
    h[16] = "89ab"[h[16] % 4];
    snprintf(out, EMU_ID_LEN + 1, "%.8s-%.4s-%.4s-%.4s-%.12s", h, h + 8, h + 12, h + 16, h + 20);
}

void set_nonblock_cloexec(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        fcntl(fd, F_SETFL, fl | O_NONBLOCK);
    fcntl(fd, F_SETFD, FD_CLOEXEC);
}

/* Just enough JSON to pull a top-level string member ("errorType", "errorMessage") out of
 * an error body, which need not be valid JSON: finds "key" followed by ':' and a string
 * and decodes it as JSON does (json_unescape: \uXXXX to UTF-8). */
bool json_get_string(const char *json, size_t len, const char *key, struct buf *out)
{
    size_t kl = strlen(key);
    const char *end = json + len;
    for (const char *p = json; p + kl + 2 < end; p++) {
        if (*p != '"' || memcmp(p + 1, key, kl) != 0 || p[kl + 1] != '"')
            continue;
        const char *q = p + kl + 2;
        while (q < end && (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r'))
            q++;
        if (q >= end || *q != ':')
            continue;
        q++;
        while (q < end && (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r'))
            q++;
        if (q >= end || *q != '"')
            return false;
        const char *v = ++q;
        while (q < end && *q != '"')
            q += *q == '\\' && q + 1 < end ? 2 : 1;
        if (q >= end)
            return false;
        buf_reset(out);
        json_unescape(v, (size_t)(q - v), out);
        return true;
    }
    return false;
}

bool base64_decode(const char *in, size_t n, struct buf *out)
{
    unsigned acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        char c = in[i];
        int v;
        if (c >= 'A' && c <= 'Z')
            v = c - 'A';
        else if (c >= 'a' && c <= 'z')
            v = c - 'a' + 26;
        else if (c >= '0' && c <= '9')
            v = c - '0' + 52;
        else if (c == '+' || c == '-')
            v = 62;
        else if (c == '/' || c == '_')
            v = 63;
        else if (c == '=' || c == ' ' || c == '\n' || c == '\r')
            continue;
        else
            return false;
        acc = (acc << 6) | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            buf_addc(out, (char)((acc >> bits) & 0xFF));
        }
    }
    return true;
}

/* Lambda's error body shape. */
void buf_json_error(struct buf *b, const char *type, const char *msg)
{
    buf_adds(b, "{\"errorMessage\":");
    buf_json_str(b, msg, strlen(msg));
    buf_adds(b, ",\"errorType\":");
    buf_json_str(b, type, strlen(type));
    buf_addc(b, '}');
}
