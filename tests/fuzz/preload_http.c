/* preload/http.c, the Runtime API observer's HTTP/1.1 parser, on arbitrary streams.
 * Input: byte 0 bit 0 picks requests or responses, then cut points (fuzz.h), then the
 * stream. Asserted:
 * - the same stream fed whole, cut at the chosen points, and byte by byte gives the same
 *   events (bodies merged: reads split them anywhere), the same verdict (refused or not)
 *   and the same idle state at the end;
 * - events follow the message grammar (start, headers, end of headers, body, end), and a
 *   message framed by Content-Length alone ends after exactly that many body bytes;
 * - once refused, the parser refuses every later feed.
 * fuzz-options: -max_len=4096 */
#include "fuzz.h"

#include "http.h"

struct run {
    enum http_kind kind;
    struct fuzz_log log;
    struct fuzz_log body; /* the current message's body so far, logged when it ends */
    int phase;            /* 0 between messages, 1 in the headers, 2 after them */
    bool have_cl, have_te, cl_bad;
    uint64_t cl;
    int status;
};

static void body_out(struct run *r)
{
    if (!r->body.len)
        return;
    fuzz_log_fmt(&r->log, "B%zu:", r->body.len);
    fuzz_log_add(&r->log, r->body.p, r->body.len);
    fuzz_log_str(&r->log, "\n");
}

static bool equals_nocase(const char *a, size_t n, const char *lit)
{
    if (n != strlen(lit))
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = a[i] >= 'A' && a[i] <= 'Z' ? (char)(a[i] + 32) : a[i];
        if (c != lit[i])
            return false;
    }
    return true;
}

static void on_event(void *ctx, const struct http_event *ev)
{
    struct run *r = ctx;
    if (ev->type != HTTP_EV_BODY)
        body_out(r);
    switch (ev->type) {
    case HTTP_EV_START:
        FUZZ_CHECK(r->phase == 0, "start inside a message");
        r->phase = 1;
        r->have_cl = r->have_te = r->cl_bad = false;
        r->cl = 0;
        r->body.len = 0;
        r->status = ev->status;
        if (r->kind == HTTP_REQUESTS) {
            FUZZ_CHECK(ev->method && ev->method_len && ev->target && ev->target_len, "request start without method or target");
            fuzz_log_fmt(&r->log, "S%zu:", ev->method_len);
            fuzz_log_add(&r->log, ev->method, ev->method_len);
            fuzz_log_fmt(&r->log, " %zu:", ev->target_len);
            fuzz_log_add(&r->log, ev->target, ev->target_len);
        } else {
            FUZZ_CHECK(ev->status >= 100 && ev->status <= 999, "status %d", ev->status);
            fuzz_log_fmt(&r->log, "S%d", ev->status);
        }
        fuzz_log_str(&r->log, "\n");
        break;
    case HTTP_EV_HEADER:
        FUZZ_CHECK(r->phase == 1, "header outside the head");
        FUZZ_CHECK(ev->name_len > 0 && ev->name_len < HTTP_LINE_MAX && ev->value_len < HTTP_LINE_MAX,
                   "header lengths %zu/%zu", ev->name_len, ev->value_len);
        if (equals_nocase(ev->name, ev->name_len, "content-length")) {
            uint64_t v = 0;
            for (size_t i = 0; i < ev->value_len; i++) {
                if (ev->value[i] < '0' || ev->value[i] > '9')
                    r->cl_bad = true;
                else
                    v = v * 10 + (uint64_t)(ev->value[i] - '0');
            }
            FUZZ_CHECK(!r->cl_bad && ev->value_len && !ev->truncated, "a bad Content-Length was accepted");
            FUZZ_CHECK(!r->have_cl || r->cl == v, "conflicting Content-Length accepted");
            r->have_cl = true;
            r->cl = v;
        } else if (equals_nocase(ev->name, ev->name_len, "transfer-encoding")) {
            r->have_te = true;
        }
        fuzz_log_fmt(&r->log, "H%zu:", ev->name_len);
        fuzz_log_add(&r->log, ev->name, ev->name_len);
        fuzz_log_fmt(&r->log, " %zu%s:", ev->value_len, ev->truncated ? "t" : "");
        fuzz_log_add(&r->log, ev->value, ev->value_len);
        fuzz_log_str(&r->log, "\n");
        break;
    case HTTP_EV_HEADERS_END:
        FUZZ_CHECK(r->phase == 1, "end of headers outside the head");
        r->phase = 2;
        fuzz_log_str(&r->log, "E\n");
        break;
    case HTTP_EV_BODY:
        FUZZ_CHECK(r->phase == 2, "body before the end of headers");
        FUZZ_CHECK(ev->len > 0 && ev->data, "empty body event");
        fuzz_log_add(&r->body, ev->data, ev->len);
        break;
    case HTTP_EV_END: {
        FUZZ_CHECK(r->phase == 2, "end before the end of headers");
        bool no_body = r->kind == HTTP_RESPONSES &&
                       (r->status / 100 == 1 || r->status == 204 || r->status == 304);
        if (r->have_cl && !r->have_te && !no_body)
            FUZZ_CHECK(r->body.len == r->cl, "Content-Length %llu, body %zu bytes",
                       (unsigned long long)r->cl, r->body.len);
        if (no_body)
            FUZZ_CHECK(r->body.len == 0, "a body on a %d response", r->status);
        r->phase = 0;
        r->body.len = 0;
        fuzz_log_str(&r->log, "Z\n");
        break;
    }
    default:
        fuzz_fail("unknown event %d", (int)ev->type);
    }
}

/* Feed data in the pieces [cuts[i-1], cuts[i]); step > 0: in pieces of that size instead. */
static void feed(struct run *r, const char *data, size_t len, const struct fuzz_cuts *c, size_t step)
{
    struct http_parser p;
    http_init(&p, r->kind);
    memset(&r->log, 0, sizeof r->log);
    memset(&r->body, 0, sizeof r->body);
    r->phase = 0;
    bool ok = true;
    size_t at = 0;
    size_t end;
    for (size_t k = 0; fuzz_piece_end(k, at, len, step, c, &end); k++) {
        bool fed = http_feed(&p, data + at, end - at, on_event, r);
        FUZZ_CHECK(ok || !fed, "the parser accepted bytes after refusing the stream");
        ok = ok && fed;
        at = end;
    }
    body_out(r);
    fuzz_log_fmt(&r->log, "%s %s\n", ok ? "ok" : "refused", http_idle(&p) ? "idle" : "partial");
    FUZZ_CHECK(!http_feed(&p, "\n", 1, on_event, r) || ok, "refused stream accepted a newline");
    fuzz_log_free(&r->body);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    enum http_kind kind = data[0] & 1 ? HTTP_RESPONSES : HTTP_REQUESTS;
    struct fuzz_cuts c;
    size_t off = 1 + fuzz_take_cuts(data + 1, size - 1, &c);
    const char *s = (const char *)data + off;
    size_t len = size - off;

    struct run whole = {.kind = kind}, cut = {.kind = kind}, bytes = {.kind = kind};
    struct fuzz_cuts none = {0};
    feed(&whole, s, len, &none, 0);
    feed(&cut, s, len, &c, 0);
    feed(&bytes, s, len, &none, 1);
    fuzz_log_same(&whole.log, &cut.log, "whole vs cut at the chosen points");
    fuzz_log_same(&whole.log, &bytes.log, "whole vs byte by byte");
    fuzz_log_free(&whole.log);
    fuzz_log_free(&cut.log);
    fuzz_log_free(&bytes.log);
    return 0;
}
