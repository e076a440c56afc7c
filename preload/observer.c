/* Runtime API observer (see observer.h). Each watched connection has two incremental
 * parsers, one per direction, and a FIFO of the requests still waiting for their
 * response, so keep-alive and pipelined requests pair up with the right answer. */
#include "observer.h"

#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "fdtab.h"
#include "http.h"
#include "lifecycle.h"
#include "lifecycle_events.h"

enum req_kind {
    REQ_NONE,
    REQ_NEXT,
    REQ_RESPONSE,
    REQ_ERROR,
    REQ_INIT_ERROR,
    REQ_RESTORE_NEXT,  /* SnapStart: the snapshot point; its answer comes after the restore */
    REQ_RESTORE_ERROR, /* SnapStart: an after-restore hook failed */
    REQ_OTHER
};

#define PENDING_MAX 8

struct conn {
    int lock;
    int fd;
    bool lost;
    struct http_parser out, in;
    uint8_t pending[PENDING_MAX]; /* kinds of requests sent and not yet answered */
    unsigned pend_head, pend_count;
    uint8_t out_kind;             /* the request being sent */
    bool out_announced;           /* its end was announced before its bytes went out */
    char out_id[LWRAP_REQUEST_ID_SIZE];
    uint8_t in_kind;              /* the request the response being read answers */
    int in_status;
    char in_id[LWRAP_REQUEST_ID_SIZE], in_deadline[24], in_trace[256];
};

static struct conn conns[FDTAB_CONNS];

static void lock(struct conn *c)
{
    while (__atomic_exchange_n(&c->lock, 1, __ATOMIC_ACQUIRE))
        sched_yield();
}

static void unlock(struct conn *c)
{
    __atomic_store_n(&c->lock, 0, __ATOMIC_RELEASE);
}

void observer_conn_reset(int slot, int fd)
{
    struct conn *c = &conns[slot];
    lock(c);
    c->fd = fd;
    c->lost = false;
    http_init(&c->out, HTTP_REQUESTS);
    http_init(&c->in, HTTP_RESPONSES);
    c->pend_head = c->pend_count = 0;
    c->out_kind = c->in_kind = REQ_NONE;
    c->out_announced = false;
    unlock(c);
}

static void give_up(struct conn *c, const char *why)
{
    if (c->lost)
        return;
    c->lost = true;
    lifecycle_lost(c->fd, why);
}

static bool starts(const char **s, size_t *n, const char *lit)
{
    size_t m = strlen(lit);
    if (*n < m || memcmp(*s, lit, m) != 0)
        return false;
    *s += m;
    *n -= m;
    return true;
}

/* Which Runtime API call a request target is; the invocation id goes to id. */
static enum req_kind classify(const char *t, size_t n, char *id)
{
    const char *q = memchr(t, '?', n);
    if (q)
        n = (size_t)(q - t);
    if (starts(&t, &n, "http://")) { /* absolute form: skip the authority */
        const char *slash = memchr(t, '/', n);
        if (!slash)
            return REQ_OTHER;
        n -= (size_t)(slash - t);
        t = slash;
    }
    if (!starts(&t, &n, "/2018-06-01/runtime/"))
        return REQ_OTHER;
    if (n == 10 && memcmp(t, "init/error", 10) == 0)
        return REQ_INIT_ERROR;
    if (n == 12 && memcmp(t, "restore/next", 12) == 0)
        return REQ_RESTORE_NEXT;
    if (n == 13 && memcmp(t, "restore/error", 13) == 0)
        return REQ_RESTORE_ERROR;
    if (!starts(&t, &n, "invocation/"))
        return REQ_OTHER;
    if (n == 4 && memcmp(t, "next", 4) == 0)
        return REQ_NEXT;
    const char *slash = memchr(t, '/', n);
    if (!slash || slash == t || (size_t)(slash - t) >= LWRAP_REQUEST_ID_SIZE)
        return REQ_OTHER;
    size_t idlen = (size_t)(slash - t), rest = n - idlen;
    enum req_kind k = REQ_OTHER;
    if (rest == 9 && memcmp(slash, "/response", 9) == 0)
        k = REQ_RESPONSE;
    else if (rest == 6 && memcmp(slash, "/error", 6) == 0)
        k = REQ_ERROR;
    if (k != REQ_OTHER) {
        memcpy(id, t, idlen);
        id[idlen] = 0;
    }
    return k;
}

/* What must happen before a request's bytes leave: the runtime's first `next` ends init
 * (the trace record and the log pipeline's ready flush go out before Lambda can answer),
 * as `restore/next` does under SnapStart (Lambda takes the snapshot once it has it:
 * what was written before must be out by then); and a response or error (or init/error,
 * restore/error) lets the log pipeline write what it holds before Lambda can have it and
 * freeze or end the sandbox. */
static void announce(struct conn *c, enum req_kind kind, const char *id)
{
    c->out_announced = true;
    if (kind == REQ_NEXT)
        lifecycle_next_sending(c->fd);
    else if (kind == REQ_RESPONSE || kind == REQ_ERROR)
        lifecycle_invoke_ending(c->fd, id);
    else if (kind == REQ_INIT_ERROR)
        lifecycle_init_error_sending(c->fd);
    else if (kind == REQ_RESTORE_NEXT)
        lifecycle_restore_next_sending(c->fd);
    else if (kind == REQ_RESTORE_ERROR)
        lifecycle_restore_error_sending(c->fd);
}

static void on_request(void *ctx, const struct http_event *ev)
{
    struct conn *c = ctx;
    if (ev->type == HTTP_EV_START) {
        c->out_kind = (uint8_t)classify(ev->target, ev->target_len, c->out_id);
        if (!c->out_announced) /* the request line came in pieces: announce it now */
            announce(c, c->out_kind, c->out_id);
        if (c->pend_count == PENDING_MAX) {
            give_up(c, "too-many-pending-requests");
            return;
        }
        c->pending[(c->pend_head + c->pend_count++) % PENDING_MAX] = c->out_kind;
    } else if (ev->type == HTTP_EV_END) {
        switch (c->out_kind) {
        case REQ_RESPONSE:
        case REQ_ERROR:
            lifecycle_invoke_end(c->fd, c->out_id, c->out_kind == REQ_ERROR);
            break;
        case REQ_INIT_ERROR:
            lifecycle_init_error(c->fd);
            break;
        case REQ_RESTORE_ERROR:
            lifecycle_restore_error(c->fd);
            break;
        default:
            break;
        }
        c->out_kind = REQ_NONE;
        c->out_announced = false;
    }
}

static void copy_value(char *dst, size_t size, const struct http_event *ev)
{
    if (ev->truncated || ev->value_len >= size) {
        dst[0] = 0; /* a cut id would name another invocation: better none */
        return;
    }
    memcpy(dst, ev->value, ev->value_len);
    dst[ev->value_len] = 0;
}

static bool header_is(const struct http_event *ev, const char *name)
{
    return ev->name_len == strlen(name) && strncasecmp(ev->name, name, ev->name_len) == 0;
}

static void on_response(void *ctx, const struct http_event *ev)
{
    struct conn *c = ctx;
    switch (ev->type) {
    case HTTP_EV_START:
        c->in_status = ev->status;
        if (ev->status < 200) { /* 100 Continue: the final answer is still to come */
            c->in_kind = REQ_NONE;
            return;
        }
        if (c->pend_count == 0) {
            give_up(c, "response-without-request");
            return;
        }
        c->in_kind = c->pending[c->pend_head];
        c->pend_head = (c->pend_head + 1) % PENDING_MAX;
        c->pend_count--;
        c->in_id[0] = c->in_deadline[0] = c->in_trace[0] = 0;
        break;
    case HTTP_EV_HEADER:
        if (c->in_kind != REQ_NEXT)
            return;
        if (header_is(ev, "lambda-runtime-aws-request-id"))
            copy_value(c->in_id, sizeof c->in_id, ev);
        else if (header_is(ev, "lambda-runtime-deadline-ms"))
            copy_value(c->in_deadline, sizeof c->in_deadline, ev);
        else if (header_is(ev, "lambda-runtime-trace-id"))
            copy_value(c->in_trace, sizeof c->in_trace, ev);
        break;
    case HTTP_EV_HEADERS_END:
        if (c->in_kind == REQ_NEXT && c->in_status == 200 && c->in_id[0])
            lifecycle_invoke_start(c->fd, c->in_id, c->in_deadline, c->in_trace);
        else if (c->in_kind == REQ_RESTORE_NEXT)
            lifecycle_restored(c->fd, c->in_status);
        break;
    default:
        break;
    }
}

static void feed(struct conn *c, int fd, const struct iovec *iov, int iovcnt, size_t n,
                 bool out)
{
    int saved = errno;
    (void)fd; /* dup'ed fds share the slot; the slot keeps the fd it was opened on */
    lock(c);
    for (int i = 0; i < iovcnt && n > 0 && !c->lost; i++) {
        size_t len = iov[i].iov_len < n ? iov[i].iov_len : n;
        n -= len;
        if (len == 0)
            continue;
        bool ok = out ? http_feed(&c->out, iov[i].iov_base, len, on_request, c)
                      : http_feed(&c->in, iov[i].iov_base, len, on_response, c);
        if (!ok)
            give_up(c, out ? "malformed-request" : "malformed-response");
    }
    unlock(c);
    errno = saved;
}

void observer_before_send(int slot, const struct iovec *iov, int iovcnt)
{
    struct conn *c = &conns[slot];
    int saved = errno;
    lock(c);
    if (!c->lost && c->out_announced && (c->out_kind == REQ_RESPONSE || c->out_kind == REQ_ERROR)) {
        /* More of a response already under way: a streamed response's chunks, or the
         * body after the headers. What was logged meanwhile belongs to the invocation
         * too, and must be out before its last chunk is. */
        lifecycle_invoke_ending(c->fd, c->out_id);
    } else if (!c->lost && !c->out_announced && http_idle(&c->out)) {
        /* Only a request line that is whole in this write can be read ahead. */
        char line[HTTP_LINE_MAX];
        size_t n = 0;
        for (int i = 0; i < iovcnt && n < sizeof line; i++) {
            size_t take = iov[i].iov_len < sizeof line - n ? iov[i].iov_len : sizeof line - n;
            memcpy(line + n, iov[i].iov_base, take);
            n += take;
        }
        const char *sp1 = memchr(line, ' ', n), *nl = memchr(line, '\n', n);
        const char *sp2 = sp1 && nl ? memchr(sp1 + 1, ' ', (size_t)(nl - sp1 - 1)) : NULL;
        char id[LWRAP_REQUEST_ID_SIZE];
        if (sp2)
            announce(c, classify(sp1 + 1, (size_t)(sp2 - sp1 - 1), id), id);
    }
    unlock(c);
    errno = saved;
}

void observer_sent(int slot, int fd, const struct iovec *iov, int iovcnt, size_t n)
{
    feed(&conns[slot], fd, iov, iovcnt, n, true);
}

void observer_received(int slot, int fd, const struct iovec *iov, int iovcnt, size_t n)
{
    feed(&conns[slot], fd, iov, iovcnt, n, false);
}

void observer_give_up(int slot, int fd, const char *why)
{
    struct conn *c = &conns[slot];
    int saved = errno;
    (void)fd;
    lock(c);
    give_up(c, why);
    unlock(c);
    errno = saved;
}
