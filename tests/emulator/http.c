/* Incremental HTTP/1.1 request parser. Bytes arrive in any split (a header
 * line across two reads, a chunk size in one read and its data in the next), so
 * every state consumes only what is complete and waits for more otherwise.
 * Anything malformed is refused with a 4xx: clients are runtimes under test. */
#include "emu.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *http_reason(int status)
{
    switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 202: return "Accepted";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 411: return "Length Required";
    case 413: return "Payload Too Large";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 505: return "HTTP Version Not Supported";
    default: return "Status";
    }
}

void http_req_free(struct http_req *r)
{
    free(r->method);
    free(r->target);
    for (int i = 0; i < r->nhdrs; i++) {
        free(r->hdrs[i].name);
        free(r->hdrs[i].value);
    }
    free(r->hdrs);
    for (int i = 0; i < r->ntrailers; i++) {
        free(r->trailers[i].name);
        free(r->trailers[i].value);
    }
    free(r->trailers);
    buf_free(&r->body);
    memset(r, 0, sizeof *r);
}

static const char *find_hdr(const struct hdr *h, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcasecmp(h[i].name, name) == 0)
            return h[i].value;
    return NULL;
}

const char *http_header(const struct http_req *r, const char *name)
{
    return find_hdr(r->hdrs, r->nhdrs, name);
}

const char *http_trailer(const struct http_req *r, const char *name)
{
    return find_hdr(r->trailers, r->ntrailers, name);
}

static bool is_tchar(unsigned char c)
{
    return isalnum(c) || (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* One "Name: value" line (no line end). */
static bool parse_header_line(const char *l, size_t n, struct hdr **arr, int *count)
{
    size_t i = 0;
    while (i < n && is_tchar((unsigned char)l[i]))
        i++;
    if (i == 0 || i >= n || l[i] != ':')
        return false;
    size_t v = i + 1, e = n;
    while (v < e && (l[v] == ' ' || l[v] == '\t'))
        v++;
    while (e > v && (l[e - 1] == ' ' || l[e - 1] == '\t'))
        e--;
    for (size_t k = v; k < e; k++)
        if ((unsigned char)l[k] < 0x20 && l[k] != '\t')
            return false;
    if (*count >= 200)
        return false;
    *arr = realloc(*arr, sizeof **arr * (size_t)(*count + 1));
    if (!*arr)
        abort();
    (*arr)[*count].name = xstrndup(l, i);
    (*arr)[*count].value = xstrndup(l + v, e - v);
    (*count)++;
    return true;
}

/* Next line in [p, end): returns its length without the line end (CRLF or a
 * lone LF, which we accept as most servers do), *adv = bytes incl. the end. */
static bool next_line(const char *p, const char *end, size_t *len, size_t *adv)
{
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    if (!nl)
        return false;
    *adv = (size_t)(nl - p) + 1;
    *len = (size_t)(nl - p);
    if (*len && p[*len - 1] == '\r')
        (*len)--;
    return true;
}

/* next_line for a line that may hold at most max bytes before its '\n': 1 a line, 0 wait
 * for more, -1 too long (decided the same however the bytes arrive). */
static int bounded_line(const char *p, const char *end, size_t max, size_t *len, size_t *adv)
{
    if (!next_line(p, end, len, adv))
        return (size_t)(end - p) > max ? -1 : 0;
    return *adv - 1 > max ? -1 : 1;
}

static int parse_head(struct http_req *r, const char *p, const char *end, int *status, const char **why)
{
    size_t len, adv;
    /* request line: METHOD SP target SP HTTP/1.x */
    if (!next_line(p, end, &len, &adv))
        return -1;
    const char *sp1 = memchr(p, ' ', len);
    const char *sp2 = sp1 ? memchr(sp1 + 1, ' ', len - (size_t)(sp1 + 1 - p)) : NULL;
    if (!sp1 || !sp2 || sp1 == p || sp2 == sp1 + 1) {
        *status = 400, *why = "malformed request line";
        return -1;
    }
    for (const char *m = p; m < sp1; m++)
        if (!is_tchar((unsigned char)*m)) {
            *status = 400, *why = "malformed method";
            return -1;
        }
    size_t vlen = len - (size_t)(sp2 + 1 - p);
    const char *ver = sp2 + 1;
    if (vlen != 8 || memcmp(ver, "HTTP/1.", 7) != 0 || !isdigit((unsigned char)ver[7])) {
        if (vlen >= 5 && memcmp(ver, "HTTP/", 5) == 0)
            *status = 505, *why = "unsupported HTTP version";
        else
            *status = 400, *why = "malformed request line";
        return -1;
    }
    for (const char *t = sp1 + 1; t < sp2; t++)
        if ((unsigned char)*t <= 0x20 || *t == 0x7F) {
            *status = 400, *why = "malformed request target";
            return -1;
        }
    r->minor = ver[7] - '0';
    r->method = xstrndup(p, (size_t)(sp1 - p));
    const char *q = memchr(sp1 + 1, '?', (size_t)(sp2 - sp1 - 1));
    r->target = xstrndup(sp1 + 1, (size_t)((q ? q : sp2) - sp1 - 1));
    p += adv;
    for (;;) {
        if (!next_line(p, end, &len, &adv)) {
            *status = 400, *why = "truncated headers";
            return -1;
        }
        if (len == 0)
            break;
        if (p[0] == ' ' || p[0] == '\t') {
            *status = 400, *why = "obsolete header folding";
            return -1;
        }
        if (!parse_header_line(p, len, &r->hdrs, &r->nhdrs)) {
            *status = 400, *why = "malformed header line";
            return -1;
        }
        p += adv;
    }
    /* framing */
    const char *te = http_header(r, "Transfer-Encoding");
    bool have_cl = false;
    for (int i = 0; i < r->nhdrs; i++) {
        if (strcasecmp(r->hdrs[i].name, "Content-Length") != 0)
            continue;
        const char *v = r->hdrs[i].value;
        if (!*v || strspn(v, "0123456789") != strlen(v) || strlen(v) > 15) {
            *status = 400, *why = "invalid Content-Length";
            return -1;
        }
        size_t cl = (size_t)strtoull(v, NULL, 10);
        if (have_cl && cl != r->content_length) {
            *status = 400, *why = "conflicting Content-Length headers";
            return -1;
        }
        have_cl = true;
        r->content_length = cl;
    }
    if (te) {
        if (strcasecmp(te, "chunked") != 0) {
            *status = 501, *why = "unsupported Transfer-Encoding";
            return -1;
        }
        if (have_cl) {
            *status = 400, *why = "both Content-Length and Transfer-Encoding";
            return -1;
        }
        r->chunked = true;
    }
    const char *conn = http_header(r, "Connection");
    r->keepalive = r->minor >= 1;
    if (conn && strcasecmp(conn, "close") == 0)
        r->keepalive = false;
    if (conn && strcasecmp(conn, "keep-alive") == 0)
        r->keepalive = true;
    const char *expect = http_header(r, "Expect");
    r->expect_continue = expect && strcasecmp(expect, "100-continue") == 0;
    const char *mode = http_header(r, "Lambda-Runtime-Function-Response-Mode");
    r->limit = mode && strcasecmp(mode, "streaming") == 0 ? EMU_STREAM_LIMIT : EMU_RESPONSE_LIMIT;
    if (r->content_length > r->limit)
        r->too_large = true;
    return 0;
}

static void take_body(struct http_req *r, const char *p, size_t n)
{
    r->body_seen += n;
    if (r->body_seen > r->limit)
        r->too_large = true;
    if (!r->too_large)
        buf_add(&r->body, p, n);
}

int http_parse(struct http_req *r, enum parse_state *ps, struct buf *in, int *status, const char **why)
{
    for (;;) {
        const char *p = in->p, *end = in->p + in->len;
        size_t len, adv;
        switch (*ps) {
        case PS_HEAD: {
            /* tolerate empty lines before a request (RFC 9112 2.2) */
            while (in->len && (in->p[0] == '\r' || in->p[0] == '\n'))
                buf_consume(in, 1);
            p = in->p, end = in->p + in->len;
            const char *hend = NULL;
            for (const char *s = p; s < end; s++) {
                if (*s != '\n')
                    continue;
                if (s + 1 < end && s[1] == '\n') {
                    hend = s + 2;
                    break;
                }
                if (s + 2 < end && s[1] == '\r' && s[2] == '\n') {
                    hend = s + 3;
                    break;
                }
            }
            if (!hend) {
                if (in->len > EMU_HEAD_LIMIT) {
                    *status = 431, *why = "request head too large";
                    return -1;
                }
                return 0;
            }
            if ((size_t)(hend - p) > EMU_HEAD_LIMIT) {
                *status = 431, *why = "request head too large";
                return -1;
            }
            if (parse_head(r, p, hend, status, why) < 0)
                return -1;
            buf_consume(in, (size_t)(hend - p));
            if (r->chunked)
                *ps = PS_CHUNK_SIZE;
            else if (r->content_length)
                *ps = PS_BODY;
            else
                *ps = PS_DONE;
            break;
        }
        case PS_BODY: {
            size_t want = r->content_length - r->body_seen;
            size_t n = in->len < want ? in->len : want;
            take_body(r, p, n);
            buf_consume(in, n);
            if (r->body_seen < r->content_length)
                return 0;
            *ps = PS_DONE;
            break;
        }
        case PS_CHUNK_SIZE: {
            int got = bounded_line(p, end, 4096, &len, &adv);
            if (got < 0) {
                *status = 400, *why = "malformed chunk size";
                return -1;
            }
            if (!got)
                return 0;
            size_t i = 0, size = 0;
            while (i < len && isxdigit((unsigned char)p[i])) {
                if (size > (SIZE_MAX >> 5)) {
                    *status = 400, *why = "chunk size overflow";
                    return -1;
                }
                int c = tolower((unsigned char)p[i]);
                size = size * 16 + (size_t)(c <= '9' ? c - '0' : c - 'a' + 10);
                i++;
            }
            while (i < len && (p[i] == ' ' || p[i] == '\t'))
                i++;
            if (i == 0 || (i < len && p[i] != ';')) {
                *status = 400, *why = "malformed chunk size";
                return -1;
            }
            buf_consume(in, adv);
            r->chunk_left = size;
            *ps = size ? PS_CHUNK_DATA : PS_TRAILERS;
            break;
        }
        case PS_CHUNK_DATA: {
            size_t n = in->len < r->chunk_left ? in->len : r->chunk_left;
            if (!n)
                return 0;
            take_body(r, p, n);
            buf_consume(in, n);
            r->chunk_left -= n;
            if (r->chunk_left)
                return 0;
            *ps = PS_CHUNK_CRLF;
            break;
        }
        case PS_CHUNK_CRLF:
            if (in->len < 1 || (in->p[0] == '\r' && in->len < 2))
                return 0;
            if (in->p[0] == '\n')
                buf_consume(in, 1);
            else if (in->p[0] == '\r' && in->p[1] == '\n')
                buf_consume(in, 2);
            else {
                *status = 400, *why = "chunk data longer than its size";
                return -1;
            }
            *ps = PS_CHUNK_SIZE;
            break;
        case PS_TRAILERS: {
            int got = bounded_line(p, end, EMU_HEAD_LIMIT, &len, &adv);
            if (got < 0) {
                *status = 431, *why = "trailers too large";
                return -1;
            }
            if (!got)
                return 0;
            if (len && !parse_header_line(p, len, &r->trailers, &r->ntrailers)) {
                *status = 400, *why = "malformed trailer";
                return -1;
            }
            buf_consume(in, adv);
            if (len == 0)
                *ps = PS_DONE;
            break;
        }
        case PS_DONE:
            return 1;
        }
    }
}
