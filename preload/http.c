/* Incremental HTTP/1.1 parser (see http.h). Lines are collected in the parser's own
 * fixed buffer, so a start line or header split across any number of reads is seen
 * whole; bodies are counted, never stored. */
#include "http.h"

#include <string.h>

enum {
    S_START,       /* before a start line (empty lines between messages are skipped) */
    S_HEADERS,
    S_BODY,        /* Content-Length bytes */
    S_CHUNK_SIZE,
    S_CHUNK_DATA,
    S_CHUNK_CRLF,  /* the empty line after each chunk's data */
    S_TRAILERS,
    S_UNTIL_CLOSE, /* a response framed by the end of the connection */
    S_ERROR,
};

void http_init(struct http_parser *p, enum http_kind kind)
{
    memset(p, 0, sizeof *p);
    p->kind = (uint8_t)kind;
    p->state = S_START;
}

bool http_idle(const struct http_parser *p)
{
    return p->state == S_START && p->line_len == 0;
}

static bool is_tchar(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c && strchr("!#$%&'*+-.^_`|~", c));
}

static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static bool equals_nocase(const char *a, size_t n, const char *lit)
{
    if (n != strlen(lit))
        return false;
    for (size_t i = 0; i < n; i++)
        if (lower(a[i]) != lit[i])
            return false;
    return true;
}

static void emit(http_sink sink, void *ctx, enum http_event_type type)
{
    struct http_event ev = {.type = type};
    sink(ctx, &ev);
}

static void message_done(struct http_parser *p, http_sink sink, void *ctx)
{
    emit(sink, ctx, HTTP_EV_END);
    p->chunked = p->has_length = p->by_close = false;
    p->remaining = 0;
    p->status = 0;
    p->state = S_START;
}

static bool request_line(const char *l, size_t n, http_sink sink, void *ctx)
{
    size_t m = 0;
    while (m < n && is_tchar(l[m]))
        m++;
    if (m == 0 || m >= n || l[m] != ' ')
        return false;
    const char *target = l + m + 1;
    const char *sp = memchr(target, ' ', n - m - 1);
    if (!sp || sp == target)
        return false;
    size_t rest = n - (size_t)(sp + 1 - l);
    if (rest != 8 || memcmp(sp + 1, "HTTP/1.", 7) != 0 || sp[8] < '0' || sp[8] > '9')
        return false;
    struct http_event ev = {.type = HTTP_EV_START, .method = l, .method_len = m,
                            .target = target, .target_len = (size_t)(sp - target)};
    sink(ctx, &ev);
    return true;
}

static bool status_line(struct http_parser *p, const char *l, size_t n, http_sink sink, void *ctx)
{
    if (n < 12 || memcmp(l, "HTTP/1.", 7) != 0 || l[7] < '0' || l[7] > '9' || l[8] != ' ')
        return false;
    int s = 0;
    for (int i = 9; i < 12; i++) {
        if (l[i] < '0' || l[i] > '9')
            return false;
        s = s * 10 + (l[i] - '0');
    }
    if (s < 100 || (n > 12 && l[12] != ' '))
        return false;
    p->status = s;
    struct http_event ev = {.type = HTTP_EV_START, .status = s};
    sink(ctx, &ev);
    return true;
}

/* Content-Length and Transfer-Encoding decide the framing; every field is reported. */
static bool header_line(struct http_parser *p, const char *l, size_t n, http_sink sink, void *ctx)
{
    if (l[0] == ' ' || l[0] == '\t')
        return false; /* obsolete line folding: refused, as RFC 9112 allows */
    const char *colon = memchr(l, ':', n);
    if (!colon || colon == l)
        return false;
    size_t name_len = (size_t)(colon - l);
    for (size_t i = 0; i < name_len; i++)
        if (!is_tchar(l[i]))
            return false;
    const char *v = colon + 1, *end = l + n;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
        end--;
    size_t vlen = (size_t)(end - v);

    if (equals_nocase(l, name_len, "content-length")) {
        if (p->line_overflow || vlen == 0 || vlen > 15)
            return false;
        uint64_t len = 0;
        for (size_t i = 0; i < vlen; i++) {
            if (v[i] < '0' || v[i] > '9')
                return false;
            len = len * 10 + (uint64_t)(v[i] - '0');
        }
        if (p->has_length && p->remaining != len)
            return false; /* conflicting lengths: a smuggling shape, not a client's */
        p->has_length = true;
        p->remaining = len;
    } else if (equals_nocase(l, name_len, "transfer-encoding")) {
        if (p->line_overflow)
            return false;
        /* chunked must be the last coding; any other coding frames a response by close */
        p->chunked = vlen >= 7 && equals_nocase(v + vlen - 7, 7, "chunked") &&
                     (vlen == 7 || v[vlen - 8] == ' ' || v[vlen - 8] == ',');
        p->by_close = !p->chunked;
        if (p->by_close && p->kind == HTTP_REQUESTS)
            return false;
    }
    struct http_event ev = {.type = HTTP_EV_HEADER, .name = l, .name_len = name_len, .value = v,
                            .value_len = vlen, .truncated = p->line_overflow};
    sink(ctx, &ev);
    return true;
}

static bool headers_end(struct http_parser *p, http_sink sink, void *ctx)
{
    emit(sink, ctx, HTTP_EV_HEADERS_END);
    bool response = p->kind == HTTP_RESPONSES;
    if (response && (p->status / 100 == 1 || p->status == 204 || p->status == 304)) {
        bool upgraded = p->status == 101;
        message_done(p, sink, ctx);
        if (upgraded)
            p->state = S_ERROR; /* the connection stops speaking HTTP */
        return !upgraded;
    }
    if (p->chunked)
        p->state = S_CHUNK_SIZE;
    else if (response && (p->by_close || !p->has_length))
        p->state = S_UNTIL_CLOSE;
    else if (p->has_length && p->remaining > 0)
        p->state = S_BODY;
    else
        message_done(p, sink, ctx); /* a request without a body */
    return true;
}

static bool chunk_size_line(struct http_parser *p, const char *l, size_t n)
{
    uint64_t size = 0;
    size_t i = 0;
    for (; i < n; i++) {
        char c = lower(l[i]);
        int d = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
        if (d < 0)
            break;
        if (i >= 15)
            return false;
        size = size * 16 + (uint64_t)d;
    }
    if (i == 0 || (i < n && l[i] != ';' && l[i] != ' ' && l[i] != '\t'))
        return false;
    p->remaining = size;
    p->state = size ? S_CHUNK_DATA : S_TRAILERS;
    return true;
}

/* One complete line, CR stripped, in the current state. */
static bool on_line(struct http_parser *p, const char *l, size_t n, http_sink sink, void *ctx)
{
    switch (p->state) {
    case S_START:
        if (n == 0)
            return true;
        if (p->line_overflow)
            return false;
        if (!(p->kind == HTTP_REQUESTS ? request_line(l, n, sink, ctx)
                                       : status_line(p, l, n, sink, ctx)))
            return false;
        p->state = S_HEADERS;
        return true;
    case S_HEADERS:
        return n == 0 ? headers_end(p, sink, ctx) : header_line(p, l, n, sink, ctx);
    case S_CHUNK_SIZE:
        return chunk_size_line(p, l, n);
    case S_CHUNK_CRLF:
        if (n != 0)
            return false;
        p->state = S_CHUNK_SIZE;
        return true;
    case S_TRAILERS:
        if (n == 0)
            message_done(p, sink, ctx);
        return true;
    default:
        return false;
    }
}

static bool line_state(uint8_t s)
{
    return s == S_START || s == S_HEADERS || s == S_CHUNK_SIZE || s == S_CHUNK_CRLF ||
           s == S_TRAILERS;
}

bool http_feed(struct http_parser *p, const char *data, size_t len, http_sink sink, void *ctx)
{
    while (len > 0) {
        if (p->state == S_ERROR)
            return false;
        if (line_state(p->state)) {
            const char *nl = memchr(data, '\n', len);
            size_t take = nl ? (size_t)(nl - data) : len;
            size_t room = HTTP_LINE_MAX - p->line_len;
            if (take > room) {
                p->line_overflow = true;
                memcpy(p->line + p->line_len, data, room);
                p->line_len = HTTP_LINE_MAX;
            } else {
                memcpy(p->line + p->line_len, data, take);
                p->line_len += take;
            }
            if (!nl)
                return true;
            data = nl + 1;
            len -= take + 1;
            size_t n = p->line_len;
            /* A CR cut off by an overflow leaves a harmless trailing byte in a long value. */
            if (!p->line_overflow && n > 0 && p->line[n - 1] == '\r')
                n--;
            bool ok = on_line(p, p->line, n, sink, ctx);
            p->line_len = 0;
            p->line_overflow = false;
            if (!ok)
                p->state = S_ERROR;
            continue;
        }
        size_t take = len;
        if (p->state != S_UNTIL_CLOSE && take > p->remaining)
            take = (size_t)p->remaining;
        struct http_event ev = {.type = HTTP_EV_BODY, .data = data, .len = take};
        sink(ctx, &ev);
        data += take;
        len -= take;
        if (p->state == S_UNTIL_CLOSE)
            continue;
        p->remaining -= take;
        if (p->remaining == 0) {
            if (p->state == S_BODY)
                message_done(p, sink, ctx);
            else
                p->state = S_CHUNK_CRLF;
        }
    }
    return p->state != S_ERROR;
}
