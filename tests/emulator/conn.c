/* Connections: non-blocking reads into a buffer, the parser, keep-alive and
 * pipelining, and "parking" a request whose answer comes later (a runtime's
 * `next`, an extension's `event/next`, a --listen caller waiting for its result). */
#include "emu.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct conn *conn_new(int fd, enum conn_kind kind)
{
    struct conn *c = xcalloc(1, sizeof *c);
    c->fd = fd;
    c->kind = kind;
    c->ps = PS_HEAD;
    c->next = E.conns;
    E.conns = c;
    return c;
}

void conn_unpark(struct conn *c)
{
    enum park_kind k = c->park;
    void *ref = c->park_ref;
    c->park = PARK_NONE;
    c->park_ref = NULL;
    if (k == PARK_EXT_NEXT && ref && ((struct ext *)ref)->parked == c)
        ((struct ext *)ref)->parked = NULL;
    if (k == PARK_INVOKE && ref)
        life_client_gone(ref);
    if (k == PARK_RESTORE_NEXT)
        snap_conn_gone(c);
    if (k == PARK_RUNTIME_NEXT)
        invoke_next_gone(c);
}

void conn_close(struct conn *c)
{
    if (c->dead)
        return;
    c->dead = true;
    conn_unpark(c);
    close(c->fd);
    c->fd = -1;
}

void conn_reap_dead(void)
{
    struct conn **pp = &E.conns;
    while (*pp) {
        struct conn *c = *pp;
        if (!c->dead) {
            pp = &c->next;
            continue;
        }
        *pp = c->next;
        buf_free(&c->in);
        buf_free(&c->out);
        http_req_free(&c->req);
        free(c);
    }
}

static void flush_out(struct conn *c)
{
    while (c->out.len) {
        ssize_t n = send(c->fd, c->out.p, c->out.len, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return;
            c->send_failed = true;
            conn_close(c);
            return;
        }
        buf_consume(&c->out, (size_t)n);
    }
    /* Everything was sent: closing now (Connection: close) is the normal end of the
     * exchange, not a failure. Callers tell the two apart by send_failed, never by dead. */
    if (c->close_after)
        conn_close(c);
}

/* Has the peer hung up (or reset) a connection we have not heard from since it was
 * parked? A runtime thread that gave up on its `next` must not be handed an event.
 * poll() sees the FIN/RST even when this loop turn has not processed it yet. */
bool conn_peer_gone(struct conn *c)
{
    if (c->dead)
        return true;
    struct pollfd p = {c->fd, POLLRDHUP, 0};
    if (poll(&p, 1, 0) < 0)
        return false;
    return (p.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL)) != 0;
}

void conn_on_writable(struct conn *c)
{
    flush_out(c);
}

static void dispatch(struct conn *c);

/* Parse and handle every complete request in the input buffer. */
static void process_input(struct conn *c)
{
    while (!c->dead && c->park == PARK_NONE && !c->have_req && !c->close_after) {
        c->resume = false; /* this loop goes on with the input itself */
        int status = 0;
        const char *why = "";
        int r = http_parse(&c->req, &c->ps, &c->in, &status, &why);
        if (r < 0) {
            out_emu("bad HTTP from %s client: %s (answered %d)", c->kind == CONN_API ? "runtime API" : "invoke",
                    why, status);
            struct buf b = {0};
            buf_adds(&b, "{\"errorMessage\":");
            buf_json_str(&b, why, strlen(why));
            buf_adds(&b, ",\"errorType\":\"InvalidRequest\"}");
            c->req.keepalive = false;
            c->have_req = true;
            conn_respond(c, status, "Content-Type: application/json\r\n", b.p, b.len);
            buf_free(&b);
            return;
        }
        if (r == 0) {
            if (c->ps != PS_HEAD && c->req.expect_continue && !c->sent_continue) {
                c->sent_continue = true;
                buf_adds(&c->out, "HTTP/1.1 100 Continue\r\n\r\n");
                flush_out(c);
            }
            if (c->ps != PS_HEAD && c->kind == CONN_API)
                life_body_progress(c); /* a streamed response can be passed on as it comes */
            return;
        }
        c->have_req = true;
        dispatch(c);
    }
}

static void dispatch(struct conn *c)
{
    const char *t = c->req.target;
    if (c->kind == CONN_CLIENT)
        client_handle(c);
    else if (strncmp(t, "/2018-06-01/", 12) == 0)
        runtime_api_handle(c);
    else if (strncmp(t, "/2020-01-01/extension/", 22) == 0)
        ext_api_handle(c);
    else if (strcmp(t, "/2022-07-01/telemetry") == 0 || strcmp(t, "/2022-07-01/telemetry/") == 0)
        telemetry_api_handle(c, TEL_API_TELEMETRY);
    else if (strcmp(t, "/2020-08-15/logs") == 0 || strcmp(t, "/2020-08-15/logs/") == 0)
        telemetry_api_handle(c, TEL_API_LOGS);
    else
        conn_respond_json_error(c, 404, "NotFound", "no such endpoint");
}

void conn_on_readable(struct conn *c)
{
    char tmp[65536];
    for (;;) {
        ssize_t n = recv(c->fd, tmp, sizeof tmp, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                break;
            conn_close(c);
            return;
        }
        if (n == 0) {
            /* Peer closed. A parked request is abandoned (its thread or process
             * is gone); a half-sent request is worth a diagnostic. */
            if ((c->in.len || c->ps != PS_HEAD) && !c->have_req)
                out_emu("%s client closed the connection in the middle of a request",
                        c->kind == CONN_API ? "runtime API" : "invoke");
            if (c->out.len && c->park == PARK_NONE)
                c->close_after = true;
            else
                conn_close(c);
            return;
        }
        buf_add(&c->in, tmp, (size_t)n);
        /* stop reading ahead while a request is being answered */
        if (c->park != PARK_NONE || c->have_req)
            break;
        process_input(c);
        if (c->dead || c->park != PARK_NONE)
            return;
    }
    process_input(c);
}

void conn_respond(struct conn *c, int status, const char *extra_headers, const char *body, size_t n)
{
    if (c->dead)
        return;
    buf_addf(&c->out, "HTTP/1.1 %d %s\r\nContent-Length: %zu\r\n%s%s\r\n", status, http_reason(status), n,
             extra_headers ? extra_headers : "", c->req.keepalive ? "" : "Connection: close\r\n");
    buf_add(&c->out, body, n);
    conn_end_request(c);
}

/* Part of an answer sent piece by piece (a streamed response to a --listen caller). */
void conn_write(struct conn *c, const char *data, size_t n)
{
    if (c->dead)
        return;
    buf_add(&c->out, data, n);
    flush_out(c);
}

/* The answer to the current request is complete (in c->out): next request. */
void conn_end_request(struct conn *c)
{
    if (c->dead)
        return;
    if (!c->req.keepalive)
        c->close_after = true;
    http_req_free(&c->req);
    c->ps = PS_HEAD;
    c->have_req = false;
    c->sent_continue = false;
    c->park = PARK_NONE;
    c->park_ref = NULL;
    flush_out(c);
    /* Requests pipelined behind this one are NOT handled from here: this runs inside
     * whatever answered the request (handing an invoke to a parked `next`, accepting a
     * `response`), before that caller has finished its own state change. Handling the
     * next request now let a second pipelined `next` take the invoke still marked queued
     * (the same invoke twice), or a `next` sent behind its `response` be refused as
     * "in progress". The main loop resumes the connection once the caller returned
     * (conn_resume_pending); process_input's own loop does so for answers given at once. */
    if (!c->dead && !c->close_after && c->in.len)
        c->resume = true;
}

/* Go on with requests waiting in the input buffers of connections whose previous
 * request was answered (see conn_end_request). True when any was handled: the caller
 * runs the state machine again before it sleeps. */
bool conn_resume_pending(void)
{
    bool any = false;
    for (struct conn *c = E.conns; c; c = c->next) {
        if (!c->resume)
            continue;
        c->resume = false;
        if (c->dead || c->park != PARK_NONE || c->have_req || c->close_after)
            continue;
        any = true;
        process_input(c);
    }
    return any;
}

void conn_respond_json_error(struct conn *c, int status, const char *type, const char *msg)
{
    out_emu("%s %s -> %d %s: %s", c->req.method ? c->req.method : "?", c->req.target ? c->req.target : "?", status,
            type, msg);
    struct buf b = {0};
    buf_adds(&b, "{\"errorMessage\":");
    buf_json_str(&b, msg, strlen(msg));
    buf_adds(&b, ",\"errorType\":");
    buf_json_str(&b, type, strlen(type));
    buf_addc(&b, '}');
    conn_respond(c, status, "Content-Type: application/json\r\n", b.p, b.len);
    buf_free(&b);
}
