/* lambda-emu's HTTP/1.1 request parser (tests/emulator/http.c: the Runtime API and
 * Extensions API server side) on arbitrary streams. Input: cut points (fuzz.h), then the
 * bytes a client sends on one connection. Asserted:
 * - fed whole, cut at the chosen points, in 4 KiB reads, and byte by byte (up to 2 KiB), the
 *   parser gives the same
 *   requests (method, target, version, headers, trailers, body, framing flags), the same
 *   refusal (status and reason) at the same request, and the same state at the end;
 * - a complete request's body is exactly its Content-Length, or its chunks, long;
 * - a refusal is a 4xx/5xx with a reason.
 * fuzz-options: -max_len=8192 */
#include "fuzz.h"

#include "emu.h"

static void log_hdrs(struct fuzz_log *l, const char *what, const struct hdr *h, int n)
{
    for (int i = 0; i < n; i++) {
        fuzz_log_fmt(l, "%s %zu:", what, strlen(h[i].name));
        fuzz_log_str(l, h[i].name);
        fuzz_log_fmt(l, " %zu:", strlen(h[i].value));
        fuzz_log_str(l, h[i].value);
        fuzz_log_str(l, "\n");
    }
}

static void log_request(struct fuzz_log *l, struct http_req *r)
{
    fuzz_log_fmt(l, "REQ %s %s 1.%d chunked=%d keepalive=%d continue=%d cl=%zu seen=%zu large=%d\n", r->method,
                 r->target, r->minor, r->chunked, r->keepalive, r->expect_continue, r->content_length, r->body_seen,
                 r->too_large);
    log_hdrs(l, "H", r->hdrs, r->nhdrs);
    log_hdrs(l, "T", r->trailers, r->ntrailers);
    if (!r->too_large) {
        FUZZ_CHECK(r->body.len == r->body_seen, "body %zu, seen %zu", r->body.len, r->body_seen);
        if (!r->chunked)
            FUZZ_CHECK(r->body_seen == r->content_length, "Content-Length %zu, body %zu", r->content_length,
                       r->body_seen);
    }
    fuzz_log_fmt(l, "B%zu:", r->body.len);
    fuzz_log_add(l, r->body.p, r->body.len);
    fuzz_log_str(l, "\n");
}

struct conn_state {
    struct buf in;
    struct http_req req;
    enum parse_state ps;
    bool failed;
};

/* More bytes arrived: parse every request they complete (pipelined ones too). */
static void arrive(struct conn_state *c, const char *p, size_t n, struct fuzz_log *l)
{
    if (c->failed)
        return;
    buf_add(&c->in, p, n);
    for (;;) {
        int status = 0;
        const char *why = NULL;
        int rc = http_parse(&c->req, &c->ps, &c->in, &status, &why);
        if (rc == 0)
            return;
        if (rc < 0) {
            FUZZ_CHECK(status >= 400 && status <= 599 && why && *why, "refused with %d (%s)", status,
                       why ? why : "no reason");
            fuzz_log_fmt(l, "ERR %d %s\n", status, why);
            c->failed = true; /* conn.c answers and closes */
            return;
        }
        FUZZ_CHECK(rc == 1 && c->ps == PS_DONE, "http_parse returned %d in state %d", rc, (int)c->ps);
        log_request(l, &c->req);
        http_req_free(&c->req);
        c->ps = PS_HEAD;
    }
}

static void run(const char *s, size_t len, const struct fuzz_cuts *cuts, size_t step, struct fuzz_log *l)
{
    struct conn_state c;
    memset(&c, 0, sizeof c);
    c.ps = PS_HEAD;
    size_t at = 0;
    size_t end;
    for (size_t k = 0; fuzz_piece_end(k, at, len, step, cuts, &end); k++) {
        arrive(&c, s + at, end - at, l);
        at = end;
    }
    if (!c.failed)
        fuzz_log_fmt(l, "END state %d buffered %zu seen %zu chunk_left %zu\n", (int)c.ps, c.in.len, c.req.body_seen,
                     c.req.chunk_left);
    http_req_free(&c.req);
    buf_free(&c.in);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_cuts cuts;
    size_t off = fuzz_take_cuts(data, size, &cuts);
    const char *s = (const char *)data + off;
    size_t len = size - off;
    struct fuzz_cuts none = {0};
    struct fuzz_log whole = {0}, cut = {0}, bytes = {0};
    run(s, len, &none, 0, &whole);
    run(s, len, &cuts, 0, &cut);
    fuzz_log_same(&whole, &cut, "whole vs cut at the chosen points");
    run(s, len, &none, 4096, &bytes); /* as a socket read gives them */
    fuzz_log_same(&whole, &bytes, "whole vs in 4 KiB reads");
    fuzz_log_free(&bytes);
    if (len <= 2048) { /* (each byte rescans the head so far: quadratic, slow on long inputs) */
        run(s, len, &none, 1, &bytes);
        fuzz_log_same(&whole, &bytes, "whole vs byte by byte");
    }
    fuzz_log_free(&whole), fuzz_log_free(&cut), fuzz_log_free(&bytes);
    return 0;
}
