/* Internal extension: registered from inside the runtime process (name "lwrap", events
 * INVOKE only: Lambda refuses SHUTDOWN for internal extensions). Registration must
 * happen before the runtime's first `next` closes it, so it is done when the runtime
 * first connects to the Runtime API, on a raw socket with one-second timeouts; a thread then blocks in event/next, where each
 * INVOKE becomes the fallback source of the request id (lifecycle.c). All I/O uses the
 * real functions: this traffic is ours, never the runtime's. */

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <linux/futex.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "config.h"
#include "debuglog.h"
#include "extension.h"
#include "fmt.h"
#include "http.h"
#include "lifecycle.h"
#include "lifecycle_events.h"
#include "quiet_thread.h"
#include "real.h"
#include "runtime_addr.h"

#define EXT_PREFIX "/2020-01-01/extension"

static char ext_id[128];

struct reply {
    int status;
    bool done;
    const char *failure; /* why roundtrip returned false */
    char ext_id[128];
    char body[4096];
    size_t body_len;
};

static void on_reply(void *ctx, const struct http_event *ev)
{
    struct reply *r = ctx;
    switch (ev->type) {
    case HTTP_EV_START:
        r->status = ev->status;
        break;
    case HTTP_EV_HEADER:
        if (ev->name_len == 27 && strncasecmp(ev->name, "Lambda-Extension-Identifier", 27) == 0 &&
            !ev->truncated && ev->value_len < sizeof r->ext_id) {
            memcpy(r->ext_id, ev->value, ev->value_len);
            r->ext_id[ev->value_len] = 0;
        }
        break;
    case HTTP_EV_BODY: {
        size_t room = sizeof r->body - 1 - r->body_len;
        size_t n = ev->len < room ? ev->len : room;
        memcpy(r->body + r->body_len, ev->data, n);
        r->body_len += n;
        r->body[r->body_len] = 0;
        break;
    }
    case HTTP_EV_END:
        if (r->status >= 200)
            r->done = true;
        break;
    default:
        break;
    }
}

/* connect, finished even when a signal interrupts it (a profiler's SIGPROF every few
 * milliseconds: node --cpu-prof) or SO_SNDTIMEO runs out: the kernel goes on connecting
 * then, and calling connect again would only say EALREADY. Waits until deadline_ns (0:
 * no limit). */
static int connect_finished(int fd, const struct sockaddr *sa, socklen_t len, uint64_t deadline_ns)
{
    if (REAL(connect)(fd, sa, len) == 0)
        return 0;
    if (errno != EINTR && errno != EINPROGRESS)
        return -1;
    for (;;) {
        int ms = -1;
        if (deadline_ns) {
            uint64_t now = clock_mono_ns();
            if (now >= deadline_ns) {
                errno = ETIMEDOUT;
                return -1;
            }
            ms = (int)((deadline_ns - now) / 1000000) + 1;
        }
        struct pollfd p = {fd, POLLOUT, 0};
        int r = poll(&p, 1, ms);
        if (r < 0 && errno != EINTR)
            return -1;
        if (r <= 0)
            continue; /* interrupted, or the time is up: the loop looks */
        int err = 0;
        socklen_t el = sizeof err;
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) != 0)
            return -1;
        if (err) {
            errno = err;
            return -1;
        }
        return 0;
    }
}

/* A connection to the Runtime API, or -1 with errno set. */
static int dial(int timeout_s)
{
    struct sockaddr_storage ss;
    socklen_t len;
    if (!runtime_addr_sockaddr(&ss, &len)) {
        errno = EDESTADDRREQ;
        return -1;
    }
    int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    if (timeout_s) {
        struct timeval tv = {.tv_sec = timeout_s};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    }
    uint64_t deadline = timeout_s ? clock_mono_ns() + (uint64_t)timeout_s * 1000000000u : 0;
    if (connect_finished(fd, (struct sockaddr *)&ss, len, deadline) != 0) {
        int e = errno;
        REAL(close)(fd);
        errno = e;
        return -1;
    }
    return fd;
}

/* One request, one complete response. */
static bool roundtrip(int fd, const char *req, size_t len, struct reply *r)
{
    memset(r, 0, sizeof *r);
    for (size_t off = 0; off < len;) {
        ssize_t n = REAL(send)(fd, req + off, len - off, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            r->failure = n < 0 ? strerror(errno) : "the request could not be sent";
            return false;
        }
        off += (size_t)n;
    }
    struct http_parser p;
    http_init(&p, HTTP_RESPONSES);
    char buf[2048];
    while (!r->done) {
        ssize_t n = REAL(recv)(fd, buf, sizeof buf, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) /* SO_RCVTIMEO ran out: EAGAIN */
            r->failure = errno == EAGAIN || errno == EWOULDBLOCK ? "no answer in time" : strerror(errno);
        else if (n == 0)
            r->failure = "the connection closed without an answer";
        else if (!http_feed(&p, buf, (size_t)n, on_reply, r))
            r->failure = "the answer is not HTTP";
        if (r->failure)
            return false;
    }
    return true;
}

static size_t build(char *buf, size_t size, const char *method, const char *path,
                    const char *headers, const char *body)
{
    struct fmt f = fmt_on(buf, size);
    fmt_str(&f, method);
    fmt_str(&f, " " EXT_PREFIX);
    fmt_str(&f, path);
    fmt_str(&f, " HTTP/1.1\r\nHost: ");
    fmt_str(&f, runtime_addr_text());
    fmt_str(&f, "\r\n");
    fmt_str(&f, headers);
    if (body) {
        fmt_str(&f, "Content-Type: application/json\r\nContent-Length: ");
        fmt_u64(&f, strlen(body));
        fmt_str(&f, "\r\n\r\n");
        fmt_str(&f, body);
    } else {
        fmt_str(&f, "\r\n");
    }
    return f.full ? 0 : f.len;
}

static void note(const char *event, const char *key, const char *value)
{
    struct debugline line;
    struct fmt *f = debuglog_begin(&line, event);
    if (f) {
        if (key)
            debuglog_kvs(f, key, value);
        debuglog_end(f);
    }
}

/* The JSON string value of "key" in body (enough for Lambda's flat event objects). */
static bool json_string(const char *body, const char *key, char *out, size_t size)
{
    char pat[64];
    struct fmt f = fmt_on(pat, sizeof pat - 1);
    fmt_str(&f, "\"");
    fmt_str(&f, key);
    fmt_str(&f, "\"");
    pat[f.len] = 0;
    const char *p = strstr(body, pat);
    if (!p)
        return false;
    p += f.len;
    while (*p == ' ' || *p == ':')
        p++;
    if (*p++ != '"')
        return false;
    size_t n = strcspn(p, "\"\\");
    if (p[n] != '"' || n == 0 || n >= size)
        return false;
    memcpy(out, p, n);
    out[n] = 0;
    return true;
}

/* The serving thread starts before registration (a registered extension whose thread
 * could not start would hold up every invocation) and waits here to be told go or stop. */
enum { WAITING, GO, STOP };
static int handoff = WAITING;
/* The registration's connection, kept for event/next: a runtime that then uses up its
 * RLIMIT_NOFILE cannot leave us without one (init would wait for our `next`). */
static int kept_fd = -1;

static void tell(int what)
{
    __atomic_store_n(&handoff, what, __ATOMIC_RELEASE);
    syscall(SYS_futex, &handoff, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static bool told_go(void)
{
    int h;
    while ((h = __atomic_load_n(&handoff, __ATOMIC_ACQUIRE)) == WAITING)
        syscall(SYS_futex, &handoff, FUTEX_WAIT_PRIVATE, WAITING, NULL, NULL, 0);
    return h == GO;
}

static void *serve(void *arg)
{
    (void)arg;
    if (!told_go())
        return NULL;
    char req[512], hdr[192];
    struct fmt f = fmt_on(hdr, sizeof hdr - 1);
    fmt_str(&f, "Lambda-Extension-Identifier: ");
    fmt_str(&f, ext_id);
    fmt_str(&f, "\r\n");
    hdr[f.len] = 0;
    size_t len = build(req, sizeof req, "GET", "/event/next", hdr, NULL);
    static struct reply r;
    int fd = kept_fd;
    struct timeval none = {0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &none, sizeof none); /* event/next waits */
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &none, sizeof none);
    for (int failures = 0; failures < 3;) {
        if (fd < 0 && (fd = dial(0)) < 0) {
            failures++;
            continue;
        }
        if (!roundtrip(fd, req, len, &r) || r.status != 200) {
            REAL(close)(fd);
            fd = -1;
            failures++;
            continue;
        }
        failures = 0;
        char type[32], id[LWRAP_REQUEST_ID_SIZE];
        if (!json_string(r.body, "eventType", type, sizeof type))
            continue;
        if (strcmp(type, "INVOKE") != 0) {
            note("ext-event", "type", type);
            break;
        }
        if (json_string(r.body, "requestId", id, sizeof id))
            lifecycle_extension_invoke(id);
    }
    note("ext-stopped", NULL, NULL);
    if (fd >= 0)
        REAL(close)(fd);
    return NULL;
}

/* Why registration failed, for the user's one line: no socket (dial_errno), the
 * connection's fate, or the status and Lambda's errorType (only the characters an error
 * type has: the body is not ours). */
static void registration_failure(char *buf, size_t size, int dial_errno, const struct reply *r)
{
    struct fmt f = fmt_on(buf, size - 1);
    if (dial_errno == EMFILE || dial_errno == ENFILE) { /* RLIMIT_NOFILE's floor */
        fmt_str(&f, "no file descriptor left");
    } else if (dial_errno) {
        fmt_str(&f, "Runtime API unreachable: ");
        fmt_str(&f, strerror(dial_errno));
    } else if (r->failure) {
        fmt_str(&f, r->failure);
    } else {
        fmt_str(&f, "HTTP ");
        fmt_u64(&f, (uint64_t)r->status);
        char type[64];
        if (r->status == 200) {
            fmt_str(&f, " without an extension identifier");
        } else if (json_string(r->body, "errorType", type, sizeof type)) {
            fmt_str(&f, " ");
            for (char *c = type; *c; c++) {
                bool plain = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
                             (*c >= '0' && *c <= '9') || *c == '.' || *c == '_' || *c == '-';
                fmt_mem(&f, plain ? c : "?", 1);
            }
        }
    }
    buf[f.len] = 0;
}

static void register_extension(void)
{
    if (quiet_thread_start(serve, 64 * 1024) != 0) {
        config_out_of_memory("LWRAP_EXTENSION: its thread did not start; the extension is off");
        note("ext-error", "type", "thread");
        return;
    }
    char req[512];
    size_t len = build(req, sizeof req, "POST", "/register",
                       "Lambda-Extension-Name: lwrap\r\n", "{\"events\":[\"INVOKE\"]}");
    static struct reply r;
    int fd = dial(1);
    int dial_errno = fd < 0 ? errno : 0;
    bool ok = fd >= 0 && roundtrip(fd, req, len, &r) && r.status == 200 && r.ext_id[0];
    if (!ok) {
        if (fd >= 0)
            REAL(close)(fd);
        tell(STOP);
        /* Without an identifier there is no one to report to but the user: one line. */
        char why[160];
        registration_failure(why, sizeof why, dial_errno, &r);
        config_warn("LWRAP_EXTENSION: registration failed (", why, "); the extension is off", NULL);
        note("ext-error", "type", "register");
        return;
    }
    strcpy(ext_id, r.ext_id);
    note("ext-register", "id", ext_id);
    kept_fd = fd;
    tell(GO);
}

/* The first connecting thread registers; the others wait for it (a runtime whose
 * threads all connect at once: one of them could send the `next` that closes
 * registration while it is under way). The wait is bounded by the registration's own
 * timeouts, so a child forked meanwhile does not wait forever. */
void extension_before_runtime_connect(void)
{
    static int state; /* atomic: 0 not begun, 1 under way, 2 over */
    if (!config.extension || __atomic_load_n(&state, __ATOMIC_ACQUIRE) == 2)
        return;
    /* Managed Instances send extensions no INVOKE, and the attribution there never uses
     * one (lifecycle.h): registering for nothing would only add a round trip to init and
     * an extension whose `next` Lambda waits for. Not a configuration error (one layer
     * serves every function), so no stderr line, which would also break JSON-only logs. */
    if (config.managed_instances) {
        if (__atomic_exchange_n(&state, 2, __ATOMIC_ACQ_REL) != 2)
            note("ext-skip", "why", "managed-instances");
        return;
    }
    if (__atomic_exchange_n(&state, 1, __ATOMIC_ACQ_REL) == 0) {
        register_extension();
        __atomic_store_n(&state, 2, __ATOMIC_RELEASE);
        syscall(SYS_futex, &state, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
        return;
    }
    uint64_t until = clock_mono_ns() + 3 * 1000000000ull;
    while (__atomic_load_n(&state, __ATOMIC_ACQUIRE) == 1 && clock_mono_ns() < until) {
        struct timespec ts = {0, 50 * 1000000};
        syscall(SYS_futex, &state, FUTEX_WAIT_PRIVATE, 1, &ts, NULL, 0);
    }
}
