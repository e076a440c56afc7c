/* The loopback HTTP client (see fetch.h). One poll loop over every connection; no
 * thread, no signal, nothing left behind: every descriptor is closed before returning. */
#include "fetch.h"

#include "diag.h"
#include "names.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { IDLE, CONNECTING, SENDING, READING, DONE };

/* Refused connections are retried after 5 ms, then 10, 20, and every 50 ms: an
 * extension's server is typically up within tens of milliseconds of its start. */
#define RETRY_FIRST_MS 5
#define RETRY_MAX_MS 50
#define CHUNK_LINE_MAX 1024

long long fetch_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- parsing ---- */

static const char *line_end(const char *p, const char *end)
{
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    return nl && nl > p && nl[-1] == '\r' ? nl - 1 : NULL;
}

static int header_is(const char *p, size_t n, const char *name)
{
    size_t k = strlen(name);
    return n > k && strncasecmp(p, name, k) == 0 && p[k] == ':';
}

static void trim(const char **v, const char **e)
{
    while (*v < *e && (**v == ' ' || **v == '\t'))
        (*v)++;
    while (*e > *v && ((*e)[-1] == ' ' || (*e)[-1] == '\t'))
        (*e)--;
}

/* Walks a chunked body from p: 1 complete, 0 incomplete, -1 broken. With dec the data
 * is moved down in place (only after a walk without it said complete); *out_len is the
 * decoded length. */
static int dechunk(char *p, char *end, int dec, size_t *out_len, const char **why)
{
    char *w = p, *start = p;
    for (;;) {
        char *le = (char *)line_end(p, end);
        if (!le) {
            if (end - p > CHUNK_LINE_MAX)
                return *why = "malformed chunked encoding (chunk size line too long)", -1;
            return 0;
        }
        size_t size = 0, digits = 0;
        for (char *q = p; q < le && *q != ';' && *q != ' ' && *q != '\t'; q++, digits++) {
            int d = *q >= '0' && *q <= '9' ? *q - '0'
                    : (*q | 0x20) >= 'a' && (*q | 0x20) <= 'f' ? (*q | 0x20) - 'a' + 10 : -1;
            if (d < 0 || digits >= 8)
                return *why = "malformed chunked encoding (bad chunk size)", -1;
            size = size * 16 + (size_t)d;
        }
        if (digits == 0 || size > FETCH_MAX_ANSWER)
            return *why = "malformed chunked encoding (bad chunk size)", -1;
        p = le + 2;
        if (size == 0)
            break;
        if ((size_t)(end - p) < size + 2)
            return 0;
        if (p[size] != '\r' || p[size + 1] != '\n')
            return *why = "malformed chunked encoding (chunk not followed by CRLF)", -1;
        if (dec)
            memmove(w, p, size);
        w += size;
        p += size + 2;
    }
    for (;;) { /* trailers, then an empty line */
        char *le = (char *)line_end(p, end);
        if (!le)
            return end - p > CHUNK_LINE_MAX
                       ? (*why = "malformed chunked encoding (trailer too long)", -1) : 0;
        if (le == p)
            break;
        p = le + 2;
    }
    *out_len = (size_t)(w - start);
    return 1;
}

static int chunked(char *body, char *end, size_t *len, const char **why)
{
    int r = dechunk(body, end, 0, len, why);
    return r == 1 ? dechunk(body, end, 1, len, why) : r;
}

int fetch_parse(struct fetch *f, char *buf, size_t len, int eof, const char **why)
{
    char *end = buf + len;
    char *head_end = NULL;
    for (size_t i = 3; i < len && !head_end; i++)
        if (buf[i] == '\n' && buf[i - 1] == '\r' && buf[i - 2] == '\n' && buf[i - 3] == '\r')
            head_end = buf + i - 3;
    if (!head_end) {
        if (!eof)
            return 0;
        *why = len == 0 ? "the connection was closed without an answer"
                        : "the connection was closed inside the answer's headers";
        return -1;
    }
    /* "HTTP/1.x NNN": a 1xx interim answer never comes to a GET without Expect. Every line
     * up to the empty one ends in CRLF (a bare LF: malformed). */
    int status = 0;
    for (int i = 9; i < 12 && len >= 16; i++)
        status = buf[i] >= '0' && buf[i] <= '9' ? status * 10 + buf[i] - '0' : -1000;
    char *p = (char *)line_end(buf, head_end + 2);
    if (!p || len < 16 || memcmp(buf, "HTTP/1.", 7) != 0 || buf[8] != ' ' || status < 200 ||
        status > 599 || (buf[12] != ' ' && buf[12] != '\r'))
        return *why = "not an HTTP/1.x answer", -1;
    long long clen = -1;
    int is_chunked = 0;
    f->ctype = "";
    f->ctype_len = 0;
    for (p += 2; p < head_end + 2;) {
        char *le = (char *)line_end(p, head_end + 2);
        size_t n = le ? (size_t)(le - p) : 0;
        const char *v = le ? memchr(p, ':', n) : NULL, *ve = le;
        if (!v)
            return *why = "malformed header line", -1;
        v++;
        trim(&v, &ve);
        if (header_is(p, n, "Content-Length")) {
            long long c = 0;
            if (v == ve)
                return *why = "malformed Content-Length", -1;
            for (const char *q = v; q < ve; q++) {
                if (*q < '0' || *q > '9')
                    return *why = "malformed Content-Length", -1;
                if (c > FETCH_MAX_ANSWER)
                    return *why = "answer larger than 1 MiB", -1;
                c = c * 10 + (*q - '0');
            }
            if (c > FETCH_MAX_ANSWER)
                return *why = "answer larger than 1 MiB", -1;
            if (clen >= 0 && c != clen)
                return *why = "two different Content-Length headers", -1;
            clen = c;
        } else if (header_is(p, n, "Transfer-Encoding")) {
            if ((size_t)(ve - v) == 7 && strncasecmp(v, "chunked", 7) == 0)
                is_chunked = 1;
            else if (!((size_t)(ve - v) == 8 && strncasecmp(v, "identity", 8) == 0))
                return *why = "unsupported Transfer-Encoding", -1;
        } else if (header_is(p, n, "Content-Type")) {
            f->ctype = v;
            f->ctype_len = (size_t)(ve - v);
        }
        p = le + 2;
    }
    char *body = head_end + 4;
    f->status = status;
    f->body = body;
    if (is_chunked) {
        int r = chunked(body, end, &f->body_len, why);
        if (r == 0 && eof)
            return *why = "the connection was closed inside the chunked body", -1;
        return r;
    }
    if (clen >= 0) {
        if ((size_t)(end - body) >= (size_t)clen) {
            f->body_len = (size_t)clen;
            return 1;
        }
        if (eof)
            return *why = "the connection was closed before the whole body (Content-Length)", -1;
        return 0;
    }
    if (!eof)
        return 0;
    f->body_len = (size_t)(end - body);
    return 1;
}

/* ---- the connections ---- */

static void finish(struct fetch *f, const char *fail)
{
    if (f->fd >= 0)
        close(f->fd);
    f->fd = -1;
    f->phase = DONE;
    f->fail = fail;
    if (fail)
        f->status = 0;
}

static void refused(struct fetch *f, long long now, fetch_refused_fn fn)
{
    const char *why = fn ? fn(f) : NULL;
    if (f->fd >= 0)
        close(f->fd);
    f->fd = -1;
    if (why) {
        finish(f, why);
        return;
    }
    unsigned delay = RETRY_FIRST_MS << (f->refused < 4 ? f->refused : 4);
    f->refused++;
    f->phase = IDLE;
    f->retry_at = now + (delay > RETRY_MAX_MS ? RETRY_MAX_MS : delay);
}

static void start(struct fetch *f, long long now, fetch_refused_fn fn)
{
    f->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (f->fd < 0) {
        finish(f, "cannot create a socket");
        return;
    }
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(f->port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    f->sent = 0;
    f->len = 0;
    if (connect(f->fd, (struct sockaddr *)&a, sizeof a) == 0 || errno == EINPROGRESS)
        f->phase = errno == EINPROGRESS ? CONNECTING : SENDING;
    else if (errno == ECONNREFUSED)
        refused(f, now, fn);
    else
        finish(f, "cannot connect");
}

static void do_send(struct fetch *f)
{
    while (f->sent < f->request_len) {
        ssize_t k = send(f->fd, f->request + f->sent, f->request_len - f->sent, MSG_NOSIGNAL);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0 && errno == EAGAIN)
            return;
        if (k <= 0) {
            finish(f, "the connection was closed before the request was sent");
            return;
        }
        f->sent += (size_t)k;
    }
    f->phase = READING;
}

/* Reads what there is; the connection ends with an answer, a failure, or a retry
 * (refused, or closed before one byte came: a server still starting). */
static void do_read(struct fetch *f, long long now, fetch_refused_fn fn)
{
    for (;;) {
        if (f->len == f->cap) {
            if (f->cap > FETCH_MAX_ANSWER) {
                finish(f, "answer larger than 1 MiB");
                return;
            }
            size_t cap = f->cap ? f->cap * 2 : 4096;
            if (cap > FETCH_MAX_ANSWER + 1)
                cap = FETCH_MAX_ANSWER + 1;
            f->buf = xgrow(f->buf, f->len, cap + 1);
            f->cap = cap;
        }
        ssize_t k = recv(f->fd, f->buf + f->len, f->cap - f->len, 0);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0 && errno == EAGAIN)
            return;
        if (k < 0 && errno == ECONNREFUSED) {
            refused(f, now, fn);
            return;
        }
        int eof = k <= 0;
        if (!eof)
            f->len += (size_t)k;
        if (eof && f->len == 0 && k == 0) {
            /* accepted, then closed unanswered: a server still starting up; retry */
            refused(f, now, NULL);
            return;
        }
        const char *why = NULL;
        int r = fetch_parse(f, f->buf, f->len, eof, &why);
        if (r == 0 && eof)
            r = -1, why = "the connection was closed before the answer was complete";
        /* An extension still starting answers 4xx "not ready to serve traffic, please
         * wait" (the Parameters and Secrets extension does): like a refused connection,
         * asked again inside the budget. */
        if (r > 0 && f->status >= 400 && name_contains(f->body, f->body_len, "not ready")) {
            f->not_ready = 1;
            refused(f, now, NULL);
            return;
        }
        if (r != 0) {
            finish(f, r < 0 ? why : NULL);
            return;
        }
    }
}

void fetch_all(struct fetch *f, size_t n, unsigned budget_ms, fetch_refused_fn fn)
{
    long long deadline = fetch_now_ms() + budget_ms;
    /* pf[i] is f[i]'s: poll skips the entries whose fd is negative */
    struct pollfd *pf = xmalloc((n ? n : 1) * sizeof *pf);
    for (size_t i = 0; i < n; i++) {
        f[i].fd = -1;
        f[i].phase = f[i].request ? IDLE : DONE;
    }
    for (;;) {
        long long now = fetch_now_ms(), wake = deadline;
        size_t open = 0;
        for (size_t i = 0; i < n; i++) {
            struct fetch *x = &f[i];
            if (x->phase == IDLE && x->retry_at <= now)
                start(x, now, fn);
            if (x->phase == SENDING)
                do_send(x);
            if (x->phase == IDLE && x->retry_at < wake)
                wake = x->retry_at;
            open += x->phase != DONE;
            pf[i].fd = x->fd;
            pf[i].events = x->phase == READING ? POLLIN : POLLOUT;
            pf[i].revents = 0;
        }
        if (open == 0 || now >= deadline)
            break;
        if (poll(pf, n, (int)(wake - now > 0 ? wake - now : 0)) < 0 && errno != EINTR)
            break;
        now = fetch_now_ms();
        for (size_t i = 0; i < n; i++) {
            struct fetch *x = &f[i];
            if (!pf[i].revents || x->fd < 0)
                continue;
            if (x->phase == CONNECTING) {
                int err = 0;
                socklen_t el = sizeof err;
                getsockopt(x->fd, SOL_SOCKET, SO_ERROR, &err, &el);
                if (err == ECONNREFUSED)
                    refused(x, now, fn);
                else if (err)
                    finish(x, "cannot connect");
                else
                    x->phase = SENDING;
            } else if (x->phase == READING) {
                do_read(x, now, fn);
            }
        }
    }
    for (size_t i = 0; i < n; i++)
        if (f[i].phase != DONE && (f[i].timed_out = 1))
            finish(&f[i], f[i].not_ready ? "the extension answered \"not ready\" until the time "
                                           "budget ran out"
                          : f[i].refused && f[i].phase == IDLE
                              ? "connection refused until the time budget ran out"
                              : "no complete answer within the time budget");
    free(pf);
}
