/* --listen: the invoke endpoint of AWS's Runtime Interface Emulator,
 * POST /2015-03-31/functions/function/invocations, body in, result out.
 * Function errors come back with 200 and X-Amz-Function-Error, as from Lambda. */
#include "emu.h"

#include <stdio.h>
#include <string.h>

#define PREFIX "/2015-03-31/functions/"

void client_handle(struct conn *c)
{
    const char *t = c->req.target;
    size_t pl = strlen(PREFIX);
    const char *fn = t + pl;
    const char *slash = strncmp(t, PREFIX, pl) == 0 ? strchr(fn, '/') : NULL;
    if (!slash || slash == fn || strcmp(slash, "/invocations") != 0) {
        conn_respond_json_error(c, 404, "ResourceNotFoundException",
                                "use POST /2015-03-31/functions/function/invocations");
        return;
    }
    if (strcmp(c->req.method, "POST") != 0) {
        conn_respond_json_error(c, 405, "MethodNotAllowed", "invocations wants POST");
        return;
    }
    if (c->req.too_large || c->req.body.len > EMU_INVOKE_LIMIT) {
        conn_respond_json_error(c, 413, "RequestEntityTooLargeException",
                                "Request must be smaller than 6291456 bytes for the InvokeFunction operation");
        return;
    }
    if (E.stopping) {
        conn_respond_json_error(c, 502, "ServiceException", "the emulator is shutting down");
        return;
    }
    const char *cc = http_header(&c->req, "X-Amz-Client-Context");
    struct buf dec = {0};
    bool have_cc = cc && *cc && base64_decode(cc, strlen(cc), &dec);
    /* the decoded context goes into the Lambda-Runtime-Client-Context header of `next`:
     * a CR or LF in it would end that header early and add others. In valid JSON they
     * can only be whitespace between tokens (never inside a string), so a space does;
     * anything else holding control bytes is refused. */
    if (have_cc && json_valid(dec.p ? dec.p : "", dec.len, 0))
        for (size_t i = 0; i < dec.len; i++)
            if (dec.p[i] == '\r' || dec.p[i] == '\n' || dec.p[i] == '\t')
                dec.p[i] = ' ';
    for (size_t i = 0; have_cc && i < dec.len; i++)
        if ((unsigned char)dec.p[i] < 0x20 || dec.p[i] == 0x7f) {
            buf_free(&dec);
            conn_respond_json_error(c, 400, "InvalidRequestContentException",
                                    "Client context must be a valid Base64-encoded JSON object.");
            return;
        }
    invoke_submit(c->req.body.p ? c->req.body.p : "", c->req.body.len, c);
    struct invoke *inv = c->park_ref;
    if (have_cc)
        inv->client_context = xstrndup(dec.p ? dec.p : "", dec.len);
    buf_free(&dec);
    life_pump();
}

static void send_chunk(struct conn *c, const char *p, size_t n)
{
    char h[32];
    if (!n)
        return;
    snprintf(h, sizeof h, "%zx\r\n", n);
    conn_write(c, h, strlen(h));
    conn_write(c, p, n);
    conn_write(c, "\r\n", 2);
}

/* --listen: pass a streamed response on to the caller as its bytes arrive, the way
 * Lambda's InvokeWithResponseStream does (chunked, function errors in trailers). */
void client_stream(struct invoke *inv, const struct http_req *r)
{
    struct conn *c = inv->client;
    if (!c || c->dead)
        return;
    if (!inv->client_streaming) {
        const char *ct = http_header(r, "Content-Type");
        struct buf h = {0};
        buf_addf(&h, "HTTP/1.1 200 OK\r\nContent-Type: %s\r\nTransfer-Encoding: chunked\r\n%s\r\n",
                 ct ? ct : "application/octet-stream", c->req.keepalive ? "" : "Connection: close\r\n");
        conn_write(c, h.p, h.len);
        buf_free(&h);
        inv->client_streaming = true;
        inv->forwarded = 0;
    }
    if (r->too_large || r->body.len <= inv->forwarded)
        return;
    send_chunk(c, r->body.p + inv->forwarded, r->body.len - inv->forwarded);
    inv->forwarded = r->body.len;
}

void client_complete(struct invoke *inv)
{
    struct conn *c = inv->client;
    if (!c)
        return;
    inv->client = NULL;
    if (c->dead)
        return;
    if (inv->client_streaming) {
        bool ok = strcmp(inv->status, "success") == 0;
        if (ok && inv->result.len > inv->forwarded)
            send_chunk(c, inv->result.p + inv->forwarded, inv->result.len - inv->forwarded);
        if (ok) {
            conn_write(c, "0\r\n\r\n", 5);
        } else {
            struct buf t = {0};
            buf_addf(&t, "0\r\nX-Amz-Function-Error: Unhandled\r\nX-Amz-Function-Error-Type: %s\r\n\r\n",
                     inv->err_type ? inv->err_type : "Unhandled");
            conn_write(c, t.p, t.len);
            buf_free(&t);
        }
        conn_end_request(c);
        return;
    }
    bool ok = strcmp(inv->status, "success") == 0;
    conn_respond(c, 200,
                 ok ? "Content-Type: application/json\r\n"
                    : "Content-Type: application/json\r\nX-Amz-Function-Error: Unhandled\r\n",
                 inv->result.p ? inv->result.p : "", inv->result.len);
}
