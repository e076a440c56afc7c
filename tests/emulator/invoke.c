/* Invokes: the queue, handing an event to a runtime `next` (with Lambda's
 * headers and the extensions' INVOKE events), the runtime's answers, and the
 * result of each invoke (response event, END, REPORT). */
#include "emu.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct {
    /* runtime `next` requests waiting for an invoke */
    struct conn *nexts[256];
    int nnexts;
    /* ids that were answered already: 403 rather than 400 */
    char done_ids[256][EMU_ID_LEN + 1];
    int done_pos;
} Q;

static void drop_dead_nexts(void);

static struct invoke *invokes_tail(void)
{
    struct invoke *t = E.invokes;
    while (t && t->next)
        t = t->next;
    return t;
}

struct invoke *invoke_find(const char *id)
{
    for (struct invoke *i = E.invokes; i; i = i->next)
        if (strcmp(i->id, id) == 0)
            return i;
    return NULL;
}

bool invoke_id_known(const char *id)
{
    for (int i = 0; i < 256; i++)
        if (strcmp(Q.done_ids[i], id) == 0)
            return true;
    return invoke_find(id) != NULL;
}

void invoke_submit(const char *event, size_t n, struct conn *client)
{
    struct invoke *inv = xcalloc(1, sizeof *inv);
    char root[25], parent[17];
    new_uuid(inv->id);
    buf_add(&inv->event, event, n);
    inv->state = INV_QUEUED;
    inv->client = client;
    random_hex(root, 24);
    random_hex(parent, 16);
    snprintf(inv->trace, sizeof inv->trace, "Root=1-%08llx-%s;Parent=%s;Sampled=0",
             (unsigned long long)(now_epoch_ms() / 1000), root, parent);
    if (client) {
        client->park = PARK_INVOKE;
        client->park_ref = inv;
    }
    struct invoke *t = invokes_tail();
    if (t)
        t->next = inv;
    else
        E.invokes = inv;
}

void invoke_free(struct invoke *inv)
{
    struct invoke **pp = &E.invokes;
    while (*pp && *pp != inv)
        pp = &(*pp)->next;
    if (*pp)
        *pp = inv->next;
    snprintf(Q.done_ids[Q.done_pos], EMU_ID_LEN + 1, "%s", inv->id);
    Q.done_pos = (Q.done_pos + 1) % 256;
    if (inv->client && inv->client->park_ref == inv) {
        inv->client->park = PARK_NONE;
        inv->client->park_ref = NULL;
    }
    buf_free(&inv->event);
    buf_free(&inv->result);
    free(inv->err_type);
    free(inv->client_context);
    free(inv->cognito);
    free(inv);
}

void life_client_gone(struct invoke *inv)
{
    inv->client = NULL;
}

const char *life_current_request_id(void)
{
    const char *id = NULL;
    int n = 0;
    for (struct invoke *i = E.invokes; i; i = i->next)
        if (i->state == INV_RUNNING || i->state == INV_RESPONDED) {
            id = i->id;
            n++;
        }
    return n == 1 ? id : NULL;
}

void invoke_set_result(struct invoke *inv, const char *status, const char *body, size_t n, const char *err_type)
{
    inv->status = status;
    buf_reset(&inv->result);
    buf_add(&inv->result, body, n);
    free(inv->err_type);
    inv->err_type = err_type ? xstrdup(err_type) : NULL;
}

/* The runtime is done with inv (answered, timed out or gone). */
void invoke_responded(struct invoke *inv)
{
    streams_drain_for_invoke(inv, false); /* what it wrote before it answered is this invoke's */
    if (inv->state == INV_RUNNING)
        E.inflight--;
    inv->state = INV_RESPONDED;
    tel_runtime_done(inv);
    out_response(inv->id, inv->status, inv->result.p ? inv->result.p : "", inv->result.len, inv->err_type,
                 inv->streamed);
    client_complete(inv);
}

void invoke_finish(struct invoke *inv)
{
    streams_drain_for_invoke(inv, true); /* extensions' lines about this invoke, written before their next */
    double dur = now_mono_ms() - inv->t_dispatch;
    int maxmem = !E.runtime ? 0
                 : E.runtime->alive ? proc_max_rss_mb(E.runtime->pid)
                                    : (int)((E.runtime->max_rss_kb + 1023) / 1024);
    double init_ms = life_take_init_ms();
    double restore_ms = snap_take_restore_ms();
    const char *tst = !inv->status || strcmp(inv->status, "success") == 0 ? "success"
                      : strcmp(inv->status, "timeout") == 0                ? "timeout"
                      : strcmp(inv->status, "crash") == 0                  ? "failure"
                                                                           : "error";
    out_end(inv->id, tst, inv->err_type);
    /* REPORT names platform failures (timeouts, crashes, extension failures, oversized
     * responses); an error the function reported through /error is not one */
    const char *st = !inv->status || strcmp(inv->status, "success") == 0 ? NULL
                     : strcmp(inv->status, "timeout") == 0             ? "timeout"
                     : strcmp(inv->status, "crash") == 0 || (inv->err_type && strcmp(inv->err_type, "Function.ResponseSizeTooLarge") == 0)
                         ? "error"
                         : NULL;
    out_report(inv->id, dur, E.o.memory, maxmem, init_ms, restore_ms, st, inv->err_type, tst);
    tel_report(inv, dur, E.o.memory, maxmem, init_ms, restore_ms);
    inv->state = INV_DONE;
    invoke_free(inv);
}

bool invoke_extensions_idle(void)
{
    for (int i = 0; i < EMU_MAX_EXTENSIONS; i++) {
        struct ext *e = &E.exts[i];
        if (e->used && e->registered && !e->gone && e->sub_invoke && !e->ready)
            return false;
    }
    return true;
}

void invoke_fail_running(const char *status, const char *type, const char *what)
{
    for (struct invoke *i = E.invokes, *nx; i; i = nx) {
        nx = i->next;
        if (i->state != INV_RUNNING && i->state != INV_RESPONDED)
            continue;
        if (i->state == INV_RUNNING) {
            char msg[600];
            struct buf b = {0};
            snprintf(msg, sizeof msg, "RequestId: %s Error: %s", i->id, what);
            buf_json_error(&b, type, msg);
            invoke_set_result(i, status, b.p, b.len, type);
            buf_free(&b);
            invoke_responded(i);
        }
        invoke_finish(i);
    }
}

/* ---- runtime API events ---- */

void life_runtime_next(struct conn *c)
{
    drop_dead_nexts();
    int busy = 0;
    for (struct invoke *i = E.invokes; i; i = i->next)
        if (i->state == INV_RUNNING)
            busy++;
    if (busy + Q.nnexts >= E.o.concurrency || Q.nnexts >= 256) {
        conn_respond_json_error(c, 403, "InvalidStateTransition",
                                "State transition from Running to Ready is not allowed: an invocation is in progress");
        return;
    }
    life_note_runtime_next();
    c->park = PARK_RUNTIME_NEXT;
    Q.nexts[Q.nnexts++] = c;
}


/* Called while a Runtime API request body is still arriving. */
void life_body_progress(struct conn *c)
{
    const struct http_req *r = &c->req;
    static const char pre[] = "/2018-06-01/runtime/invocation/";
    const char *mode = http_header(r, "Lambda-Runtime-Function-Response-Mode");
    if (!mode || strcmp(mode, "streaming") != 0 || strcmp(r->method, "POST") != 0 ||
        strncmp(r->target, pre, sizeof pre - 1) != 0)
        return;
    const char *id = r->target + sizeof pre - 1;
    const char *slash = strchr(id, '/');
    if (!slash || strcmp(slash, "/response") != 0 || slash - id != EMU_ID_LEN)
        return;
    char idbuf[EMU_ID_LEN + 1];
    memcpy(idbuf, id, EMU_ID_LEN);
    idbuf[EMU_ID_LEN] = 0;
    struct invoke *inv = invoke_find(idbuf);
    if (inv && inv->state == INV_RUNNING && !inv->t_first_byte)
        inv->t_first_byte = now_mono_ms();
    if (inv && inv->state == INV_RUNNING && inv->client)
        client_stream(inv, r);
}

/* A response or error body over Lambda's limit (6 MiB + 100 bytes): the invoke fails with
 * Lambda's message naming the size, the runtime gets 413 (AWS's Runtime Interface
 * Emulator: lambda/interop, ErrorResponseTooLarge). */
static void refuse_too_large(struct conn *c, struct invoke *inv)
{
    const struct http_req *r = &c->req;
    char msg[160];
    struct buf b = {0};
    snprintf(msg, sizeof msg, "Response payload size (%zu bytes) exceeded maximum allowed payload size (%u bytes).",
             r->content_length > r->body_seen ? r->content_length : r->body_seen, EMU_RESPONSE_LIMIT);
    buf_json_error(&b, "Function.ResponseSizeTooLarge", msg);
    invoke_set_result(inv, "error", b.p, b.len, "Function.ResponseSizeTooLarge");
    buf_free(&b);
    conn_respond_json_error(c, 413, "RequestEntityTooLarge", msg);
}

/* Lambda's answer to an accepted response or error. */
static void accept_result(struct conn *c)
{
    const char ok[] = "{\"status\":\"OK\"}";
    conn_respond(c, 202, "Content-Type: application/json\r\n", ok, sizeof ok - 1);
}

void life_response(struct conn *c, struct invoke *inv, const struct http_req *r)
{
    if (!inv->t_first_byte)
        inv->t_first_byte = now_mono_ms();
    const char *mode = http_header(r, "Lambda-Runtime-Function-Response-Mode");
    inv->streamed = mode && strcmp(mode, "streaming") == 0;
    if (inv->streamed && inv->client)
        client_stream(inv, r); /* the head, or the last bytes, if not passed on yet */
    if (r->too_large) {
        refuse_too_large(c, inv);
    } else {
        const char *etype = http_trailer(r, "Lambda-Runtime-Function-Error-Type");
        if (etype) {
            /* a streamed response that failed midway reports it in trailers */
            const char *ebody = http_trailer(r, "Lambda-Runtime-Function-Error-Body");
            struct buf dec = {0};
            if (ebody)
                base64_decode(ebody, strlen(ebody), &dec);
            invoke_set_result(inv, "error", dec.p ? dec.p : "", dec.len, etype);
            buf_free(&dec);
        } else {
            invoke_set_result(inv, "success", r->body.p ? r->body.p : "", r->body.len, NULL);
        }
        accept_result(c);
    }
    invoke_responded(inv);
    life_pump();
}

void life_invoke_error(struct conn *c, struct invoke *inv, const struct http_req *r)
{
    if (!inv->t_first_byte)
        inv->t_first_byte = now_mono_ms();
    if (r->too_large) {
        refuse_too_large(c, inv);
    } else {
        const char *etype = http_header(r, "Lambda-Runtime-Function-Error-Type");
        struct buf t = {0};
        if (!etype && r->body.len && json_get_string(r->body.p, r->body.len, "errorType", &t))
            etype = buf_cstr(&t);
        invoke_set_result(inv, "error", r->body.p ? r->body.p : "", r->body.len, etype ? etype : "Unhandled");
        buf_free(&t);
        accept_result(c);
    }
    invoke_responded(inv);
    life_pump();
}

/* Hand inv to the runtime waiting on c; false if that connection was gone.
 * Once the answer is sent, inv is the runtime's: the connection may well be closed
 * right after (a `next` with Connection: close, as a client that opens a new
 * connection per request sends), and that is a delivery, not a hang-up. Only a
 * connection found gone before we answer, or a failed send, keeps inv queued; taking
 * it back after a successful send would hand the same id out again and refuse its
 * response with 403, for ever. */
static bool dispatch(struct invoke *inv, struct conn *c)
{
    if (conn_peer_gone(c)) {
        conn_close(c); /* the waiting thread gave up: keep inv for the next `next` */
        return false;
    }
    double now = now_mono_ms();
    int64_t deadline_epoch_ms = now_epoch_ms() + (int64_t)(E.o.timeout * 1000.0);
    struct buf h = {0};
    buf_addf(&h,
             "Content-Type: application/json\r\nLambda-Runtime-Aws-Request-Id: %s\r\n"
             "Lambda-Runtime-Deadline-Ms: %lld\r\n"
             "Lambda-Runtime-Invoked-Function-Arn: arn:aws:lambda:us-east-1:012345678912:function:%s\r\n"
             "Lambda-Runtime-Trace-Id: %s\r\n",
             inv->id, (long long)deadline_epoch_ms, E.o.function_name, inv->trace);
    const char *cc = inv->client_context ? inv->client_context : E.o.client_context;
    const char *cg = inv->cognito ? inv->cognito : E.o.cognito;
    if (cc && *cc)
        buf_addf(&h, "Lambda-Runtime-Client-Context: %s\r\n", cc);
    if (cg && *cg)
        buf_addf(&h, "Lambda-Runtime-Cognito-Identity: %s\r\n", cg);
    /* Taken before the answer goes out: nothing reached from sending it may see inv
     * still queued and hand it to another `next`. */
    inv->state = INV_RUNNING;
    conn_respond(c, 200, buf_cstr(&h), inv->event.p ? inv->event.p : "", inv->event.len);
    buf_free(&h);
    if (c->send_failed) {
        /* reset or broken pipe: the runtime cannot have read the event */
        inv->state = INV_QUEUED;
        inv->requeued++;
        out_emu("invoke %s: the runtime's next connection failed before it got the event; kept for the next next",
                inv->id);
        return false;
    }
    inv->t_dispatch = now;
    inv->t_deadline = now + E.o.timeout * 1000.0;
    inv->deadline_epoch_ms = deadline_epoch_ms;
    E.inflight++;
    out_start(inv->id);
    tel_start(inv);
    for (int i = 0; i < EMU_MAX_EXTENSIONS; i++) {
        struct ext *e = &E.exts[i];
        if (!e->used || !e->registered || e->gone || !e->sub_invoke)
            continue;
        struct buf ev = {0};
        buf_addf(&ev,
                 "{\"eventType\":\"INVOKE\",\"deadlineMs\":%lld,\"requestId\":\"%s\","
                 "\"invokedFunctionArn\":\"arn:aws:lambda:us-east-1:012345678912:function:%s\","
                 "\"tracing\":{\"type\":\"X-Amzn-Trace-Id\",\"value\":\"%s\"}}",
                 (long long)inv->deadline_epoch_ms, inv->id, E.o.function_name, inv->trace);
        ext_deliver(e, ev.p, ev.len);
        buf_free(&ev);
    }
    return true;
}

static void drop_dead_nexts(void)
{
    int j = 0;
    for (int i = 0; i < Q.nnexts; i++)
        if (!Q.nexts[i]->dead && Q.nexts[i]->park == PARK_RUNTIME_NEXT)
            Q.nexts[j++] = Q.nexts[i];
    Q.nnexts = j;
}

void invoke_try_dispatch(void)
{
    drop_dead_nexts();
    for (;;) {
        if (!Q.nnexts)
            return;
        struct invoke *inv = E.invokes;
        bool busy = false;
        while (inv && inv->state != INV_QUEUED) {
            busy = true;
            inv = inv->next;
        }
        if (!inv)
            return;
        if (E.o.concurrency == 1 && (busy || !invoke_extensions_idle()))
            return;
        if (E.inflight >= E.o.concurrency)
            return;
        struct conn *c = Q.nexts[0];
        memmove(Q.nexts, Q.nexts + 1, sizeof *Q.nexts * (size_t)--Q.nnexts);
        dispatch(inv, c);
    }
}

/* A new runtime is starting: `next`s still parked belong to the one that is gone
 * (during a shutdown they stay parked, so a runtime that keeps calling `next` just
 * waits, as in Lambda, instead of spinning on closed connections). */
int invoke_parked_nexts(void)
{
    drop_dead_nexts();
    return Q.nnexts;
}

/* A parked `next` whose connection closes leaves the queue at once: the connection is
 * freed by the main loop's next reap, and nothing may point at it after that. */
void invoke_next_gone(struct conn *c)
{
    int j = 0;
    for (int i = 0; i < Q.nnexts; i++)
        if (Q.nexts[i] != c)
            Q.nexts[j++] = Q.nexts[i];
    Q.nnexts = j;
}

void invoke_drop_nexts(void)
{
    drop_dead_nexts();
    struct conn *gone[sizeof Q.nexts / sizeof Q.nexts[0]];
    int n = Q.nnexts;
    memcpy(gone, Q.nexts, (size_t)n * sizeof gone[0]);
    Q.nnexts = 0;
    for (int i = 0; i < n; i++)
        conn_close(gone[i]);
}
