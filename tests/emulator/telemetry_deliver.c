/* Delivering Telemetry/Logs API records to the subscribers' listeners: one bounded
 * queue per subscription, batches cut by maxItems / maxBytes / timeoutMs, HTTP POST
 * of a JSON array (a new connection per batch) or newline-delimited JSON on one TCP
 * connection, retries with backoff, and dropping (reported as platform.logsDropped)
 * when a listener falls behind. Every socket is non-blocking and driven by the main
 * poll() loop: a slow or absent listener never holds the emulator up.
 * During init the records are also kept in a backlog, so an extension that subscribes
 * after the runtime started still gets the init's records (platform.initStart, ...). */
#include "emu.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define RESPONSE_TIMEOUT_MS 5000.0 /* a listener that never answers a POST */
#define BACKOFF_MIN_MS 50.0
#define BACKOFF_MAX_MS 1000.0
#define BACKLOG_MAX_ITEMS 10000
#define BACKLOG_MAX_BYTES (4u * 1024 * 1024)
/* A queue holds up to this many batches' worth (items and bytes): a burst (a function
 * writing thousands of lines at once) waits for a listener that keeps up; one that does
 * not loses the newest records. */
#define QUEUE_BATCHES 4

struct rec {
    struct rec *next;
    enum tel_type type;
    int64_t ts_ms;
    size_t len;
    char json[]; /* the whole event: {"time":..,"type":..,"record":..} */
};

enum dstate { D_IDLE, D_CONNECTING, D_SENDING, D_READING };

struct sub {
    bool used;
    struct tel_sub_cfg cfg;
    struct rec *head, **tail;
    int nq;
    size_t qbytes;
    double first_at; /* when the oldest queued record arrived */
    long long dropped_records, dropped_bytes;
    /* delivery */
    enum dstate st;
    int fd;
    struct buf out, in;
    int batch_n;
    long long batch_dropped_records, batch_dropped_bytes;
    double deadline, retry_at;
    int attempts;
    bool flush;
};

static struct sub subs[EMU_MAX_EXTENSIONS];

static struct {
    bool keep;
    struct rec *head, **tail;
    int n;
    size_t bytes;
    long long dropped_records, dropped_bytes;
} backlog = {.tail = &backlog.head};

static struct rec *rec_new(enum tel_type type, const char *event_type, int64_t ts_ms, const char *record, size_t n)
{
    char ts[32];
    struct buf b = {0};
    iso8601_ms(ts, ts_ms);
    buf_addf(&b, "{\"time\":\"%s\",\"type\":\"%s\",\"record\":", ts, event_type);
    buf_add(&b, record, n);
    buf_addc(&b, '}');
    struct rec *r = xmalloc(sizeof *r + b.len + 1);
    r->next = NULL;
    r->type = type;
    r->ts_ms = ts_ms;
    r->len = b.len;
    memcpy(r->json, b.p, b.len);
    r->json[b.len] = 0;
    buf_free(&b);
    return r;
}

static bool wants(const struct sub *s, enum tel_type type, const char *event_type)
{
    if (!(s->cfg.types & type))
        return false;
    /* platform.runtimeDone and platform.restoreRuntimeDone ("Lambda Logs API": snap-start only)
     * reach Logs API subscribers of schema 2021-03-18 only */
    if (s->cfg.api == TEL_API_LOGS &&
        (strcmp(event_type, "platform.runtimeDone") == 0 || strcmp(event_type, "platform.restoreRuntimeDone") == 0))
        return strcmp(s->cfg.schema, "2021-03-18") == 0;
    return true;
}

static void kick(struct sub *s);

/* Bounded: a listener that falls behind loses the newest records, counted. */
static void enqueue(struct sub *s, struct rec *r)
{
    if (s->nq >= QUEUE_BATCHES * s->cfg.max_items || s->qbytes + r->len > QUEUE_BATCHES * (size_t)s->cfg.max_bytes) {
        s->dropped_records++;
        s->dropped_bytes += (long long)r->len;
        free(r);
        return;
    }
    if (!s->nq)
        s->first_at = now_mono_ms();
    *s->tail = r;
    s->tail = &r->next;
    s->nq++;
    s->qbytes += r->len;
}

void tel_publish(enum tel_type type, const char *event_type, int64_t ts_ms, const char *rec_tel, size_t tn,
                 const char *rec_logs, size_t ln)
{
    for (int api = 0; api < 2; api++) {
        const char *rec = api == TEL_API_TELEMETRY ? rec_tel : rec_logs;
        size_t n = api == TEL_API_TELEMETRY ? tn : ln;
        if (!rec)
            continue;
        if (backlog.keep) {
            struct rec *r = rec_new(type, event_type, ts_ms, rec, n);
            /* the backlog keeps both shapes; the API is remembered in the high bit */
            r->type = (enum tel_type)(type | (api == TEL_API_LOGS ? 0x100 : 0));
            if (backlog.n >= BACKLOG_MAX_ITEMS || backlog.bytes + r->len > BACKLOG_MAX_BYTES) {
                backlog.dropped_records++;
                backlog.dropped_bytes += (long long)r->len;
                free(r);
            } else {
                *backlog.tail = r;
                backlog.tail = &r->next;
                backlog.n++;
                backlog.bytes += r->len;
            }
        }
        for (int i = 0; i < EMU_MAX_EXTENSIONS; i++) {
            struct sub *s = &subs[i];
            if (!s->used || (int)s->cfg.api != api || !wants(s, type, event_type))
                continue;
            enqueue(s, rec_new(type, event_type, ts_ms, rec, n));
            kick(s);
        }
    }
}

static void free_list(struct rec *r)
{
    while (r) {
        struct rec *nx = r->next;
        free(r);
        r = nx;
    }
}

/* keep: an init starts (an empty backlog collects its records); else: drop it. */
void tel_backlog(bool keep)
{
    free_list(backlog.head);
    backlog.head = NULL;
    backlog.tail = &backlog.head;
    backlog.n = 0;
    backlog.bytes = 0;
    backlog.dropped_records = backlog.dropped_bytes = 0;
    backlog.keep = keep;
}

bool tel_subscribed(const char *name, enum tel_api *api)
{
    for (int i = 0; i < EMU_MAX_EXTENSIONS; i++)
        if (subs[i].used && strcmp(subs[i].cfg.name, name) == 0) {
            *api = subs[i].cfg.api;
            return true;
        }
    return false;
}

void tel_subscribe(const struct tel_sub_cfg *cfg)
{
    struct sub *s = NULL;
    for (int i = 0; i < EMU_MAX_EXTENSIONS && !s; i++)
        if (subs[i].used && strcmp(subs[i].cfg.name, cfg->name) == 0)
            s = &subs[i]; /* subscribing again replaces the settings, never duplicates */
    if (s) {
        s->cfg = *cfg;
        return;
    }
    for (int i = 0; i < EMU_MAX_EXTENSIONS && !s; i++)
        if (!subs[i].used)
            s = &subs[i];
    if (!s)
        return;
    memset(s, 0, sizeof *s);
    s->used = true;
    s->cfg = *cfg;
    s->fd = -1;
    s->tail = &s->head;
    /* what happened since the init started, in order */
    for (struct rec *r = backlog.head; r; r = r->next) {
        enum tel_api api = (r->type & 0x100) ? TEL_API_LOGS : TEL_API_TELEMETRY;
        enum tel_type type = (enum tel_type)(r->type & 0xFF);
        const char *et = strstr(r->json, "\"type\":\"") + 8;
        char event_type[64];
        size_t el = strcspn(et, "\"");
        snprintf(event_type, sizeof event_type, "%.*s", (int)el, et);
        if (api != cfg->api || !wants(s, type, event_type))
            continue;
        struct rec *c = xmalloc(sizeof *c + r->len + 1);
        memcpy(c, r, sizeof *c + r->len + 1);
        c->next = NULL;
        c->type = type;
        enqueue(s, c);
    }
    s->dropped_records += backlog.dropped_records;
    s->dropped_bytes += backlog.dropped_bytes;
}

/* ---- delivery ---- */

static void close_fd(struct sub *s)
{
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
}

static void build_batch(struct sub *s)
{
    buf_reset(&s->out);
    buf_reset(&s->in);
    struct buf body = {0};
    bool http = !s->cfg.dest.tcp;
    int n = 0;
    size_t bytes = 0;
    if (http)
        buf_addc(&body, '[');
    s->batch_dropped_records = s->dropped_records;
    s->batch_dropped_bytes = s->dropped_bytes;
    if (s->dropped_records) {
        char rec[256];
        snprintf(rec, sizeof rec,
                 "{\"reason\":\"Consumer seems to have fallen behind as it has not acknowledged receipt of "
                 "logs.\",\"droppedRecords\":%lld,\"droppedBytes\":%lld}",
                 s->dropped_records, s->dropped_bytes);
        struct rec *d = rec_new(TEL_PLATFORM, "platform.logsDropped", now_epoch_ms(), rec, strlen(rec));
        buf_add(&body, d->json, d->len);
        buf_adds(&body, http ? "," : "\n");
        free(d);
    }
    for (struct rec *r = s->head; r; r = r->next) {
        if (n && (n >= s->cfg.max_items || bytes + r->len > (size_t)s->cfg.max_bytes))
            break;
        buf_add(&body, r->json, r->len);
        buf_adds(&body, http ? "," : "\n");
        n++;
        bytes += r->len;
    }
    if (http) {
        if (body.len > 1)
            body.len--; /* the last ',' */
        buf_addc(&body, ']');
        buf_addf(&s->out,
                 "POST %s HTTP/1.1\r\nHost: %s:%d\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
                 "Connection: close\r\n\r\n",
                 s->cfg.dest.path, s->cfg.dest.host, s->cfg.dest.port, body.len);
    }
    buf_add(&s->out, body.p, body.len);
    buf_free(&body);
    s->batch_n = n;
}

static void delivered(struct sub *s)
{
    for (int i = 0; i < s->batch_n && s->head; i++) {
        struct rec *r = s->head;
        s->head = r->next;
        s->nq--;
        s->qbytes -= r->len;
        free(r);
    }
    if (!s->head)
        s->tail = &s->head;
    s->first_at = now_mono_ms(); /* the rest waits a timeout of its own */
    s->dropped_records -= s->batch_dropped_records;
    s->dropped_bytes -= s->batch_dropped_bytes;
    s->batch_n = 0;
    s->attempts = 0;
    s->retry_at = 0;
    s->st = D_IDLE;
    if (!s->cfg.dest.tcp)
        close_fd(s);
}

static void failed(struct sub *s, const char *why)
{
    if (s->attempts == 0)
        out_emu("telemetry: delivery to %s (%s port %d) failed: %s; retrying", s->cfg.name,
                s->cfg.dest.tcp ? "TCP" : "HTTP", s->cfg.dest.port, why);
    close_fd(s);
    s->attempts++;
    double back = BACKOFF_MIN_MS;
    for (int i = 1; i < s->attempts && back < BACKOFF_MAX_MS; i++)
        back *= 2;
    s->retry_at = now_mono_ms() + (back < BACKOFF_MAX_MS ? back : BACKOFF_MAX_MS);
    s->st = D_IDLE;
    s->batch_n = 0;
}

static void start_connect(struct sub *s)
{
    s->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s->fd < 0) {
        failed(s, strerror(errno));
        return;
    }
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)s->cfg.dest.port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(s->fd, (struct sockaddr *)&sa, sizeof sa) < 0 && errno != EINPROGRESS) {
        failed(s, strerror(errno));
        return;
    }
    s->st = D_CONNECTING;
}

static bool due(const struct sub *s, double now)
{
    if (!s->nq && !s->dropped_records)
        return false;
    if (s->retry_at && now < s->retry_at)
        return false;
    return s->flush || s->nq >= s->cfg.max_items || s->qbytes >= (size_t)s->cfg.max_bytes ||
           now >= s->first_at + s->cfg.timeout_ms || s->attempts > 0 ||
           (s->dropped_records && !s->nq);
}

static void try_send(struct sub *s);

static void kick(struct sub *s)
{
    if (s->st != D_IDLE || !due(s, now_mono_ms()))
        return;
    build_batch(s);
    s->deadline = now_mono_ms() + RESPONSE_TIMEOUT_MS;
    if (s->fd >= 0) { /* TCP: the connection stays */
        s->st = D_SENDING;
        try_send(s);
        return;
    }
    start_connect(s);
}

static void try_send(struct sub *s)
{
    while (s->out.len) {
        ssize_t n = send(s->fd, s->out.p, s->out.len, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return;
            failed(s, strerror(errno));
            return;
        }
        buf_consume(&s->out, (size_t)n);
    }
    if (s->cfg.dest.tcp) {
        /* TCP has no acknowledgement: written is delivered (as in Lambda) */
        delivered(s);
        kick(s);
        return;
    }
    s->st = D_READING;
}

/* HTTP: the status line decides; the listener's body, if any, is not needed. */
static void http_answer(struct sub *s, bool eof)
{
    bool have_head = s->in.len && memmem(s->in.p, s->in.len, "\r\n\r\n", 4);
    if (!have_head && !eof)
        return;
    int status = 0;
    if (s->in.len > 9 && memcmp(s->in.p, "HTTP/1.", 7) == 0)
        status = atoi(s->in.p + 9);
    if (status >= 200 && status < 300) {
        delivered(s);
        kick(s);
    } else if (status) {
        char why[64];
        snprintf(why, sizeof why, "HTTP status %d", status);
        failed(s, why);
    } else {
        failed(s, eof ? "connection closed without an answer" : "not an HTTP answer");
    }
}

static void on_readable(struct sub *s)
{
    char tmp[4096];
    for (;;) {
        ssize_t n = recv(s->fd, tmp, sizeof tmp, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                break;
            failed(s, strerror(errno));
            return;
        }
        if (n == 0) {
            if (s->cfg.dest.tcp) {
                /* the listener closed: reconnect for the next batch */
                if (s->st != D_IDLE)
                    failed(s, "connection closed");
                else
                    close_fd(s);
            } else if (s->st == D_READING) {
                http_answer(s, true);
            } else {
                failed(s, "connection closed");
            }
            return;
        }
        if (!s->cfg.dest.tcp && s->in.len < 16384)
            buf_add(&s->in, tmp, (size_t)n); /* TCP listeners are not expected to answer */
    }
    if (!s->cfg.dest.tcp && s->st == D_READING)
        http_answer(s, false);
}

static void on_connected(struct sub *s)
{
    int err = 0;
    socklen_t l = sizeof err;
    if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &l) < 0 || err) {
        failed(s, strerror(err ? err : errno));
        return;
    }
    s->st = D_SENDING;
    try_send(s);
}

/* ---- the main loop's side ---- */

int tel_poll_fill(struct pollfd *pfd, void **ref, int max)
{
    int n = 0;
    for (int i = 0; i < EMU_MAX_EXTENSIONS && n < max; i++) {
        struct sub *s = &subs[i];
        if (!s->used || s->fd < 0)
            continue;
        short ev = POLLIN;
        if (s->st == D_CONNECTING || (s->st == D_SENDING && s->out.len))
            ev |= POLLOUT;
        pfd[n] = (struct pollfd){s->fd, ev, 0};
        ref[n++] = s;
    }
    return n;
}

void tel_on_poll(void *ref, short revents)
{
    struct sub *s = ref;
    if (!s->used || s->fd < 0)
        return;
    if (s->st == D_CONNECTING) {
        if (revents & (POLLOUT | POLLERR | POLLHUP))
            on_connected(s);
        return;
    }
    if (s->st == D_SENDING && (revents & POLLOUT))
        try_send(s);
    if (s->fd >= 0 && (revents & (POLLIN | POLLHUP | POLLERR)))
        on_readable(s);
}

double tel_next_timer(void)
{
    double now = now_mono_ms(), t = -1;
    for (int i = 0; i < EMU_MAX_EXTENSIONS; i++) {
        struct sub *s = &subs[i];
        double at = -1;
        if (!s->used)
            continue;
        if (s->st != D_IDLE)
            at = s->deadline;
        else if (s->retry_at && (s->nq || s->dropped_records))
            at = s->retry_at;
        else if (s->nq)
            at = s->flush ? now : s->first_at + s->cfg.timeout_ms;
        if (at < 0)
            continue;
        double d = at - now < 0 ? 0 : at - now;
        if (t < 0 || d < t)
            t = d;
    }
    return t;
}

void tel_timers(void)
{
    double now = now_mono_ms();
    for (int i = 0; i < EMU_MAX_EXTENSIONS; i++) {
        struct sub *s = &subs[i];
        if (!s->used)
            continue;
        if (s->st != D_IDLE && now >= s->deadline)
            failed(s, "no answer in time");
        kick(s);
    }
}

/* SHUTDOWN or a crash: send what is buffered now, whatever the batching says. */
void tel_flush_all(void)
{
    for (int i = 0; i < EMU_MAX_EXTENSIONS; i++)
        if (subs[i].used) {
            subs[i].flush = true;
            kick(&subs[i]);
        }
}

/* Nothing left to deliver (or nobody listening for good: a failing listener would
 * hold the shutdown only as long as its caller allows). */
bool tel_idle(void)
{
    for (int i = 0; i < EMU_MAX_EXTENSIONS; i++)
        if (subs[i].used && (subs[i].nq || subs[i].st != D_IDLE))
            return false;
    return true;
}

/* Would a record be kept now (a subscription, or the init's backlog)? Saves building
 * records nobody takes (the per-invoke cost without subscribers stays what it was). */
bool tel_active(void)
{
    return backlog.keep || tel_any();
}

bool tel_any(void)
{
    for (int i = 0; i < EMU_MAX_EXTENSIONS; i++)
        if (subs[i].used)
            return true;
    return false;
}

/* The environment is gone: its subscriptions with it (a new init subscribes anew). */
void tel_reset(void)
{
    for (int i = 0; i < EMU_MAX_EXTENSIONS; i++) {
        struct sub *s = &subs[i];
        if (!s->used)
            continue;
        if (s->nq)
            out_emu("telemetry: %d record(s) for %s not delivered before the environment stopped", s->nq,
                    s->cfg.name);
        close_fd(s);
        free_list(s->head);
        buf_free(&s->out);
        buf_free(&s->in);
        memset(s, 0, sizeof *s);
        s->fd = -1;
    }
}
