/* OTLP/HTTP JSON (opentelemetry-proto's JSON mapping: lowerCamelCase field names, trace
 * and span ids as hex strings, 64-bit integers and times as decimal strings, enums as
 * integers). One resourceSpans: service.name = the function name, cloud.* and faas.*
 * per the semantic conventions. Spans: `init` (wrapper start or our constructor -> the
 * first `next`) with children `exec`, `runtime init`, each dlopen, and the top packages.
 *
 * Ids: the first invoke's X-Ray header `Root=1-5759e988-bd862e3fe1be46a994272793;
 * Parent=53995c3f42cd8ad8;Sampled=1` gives the trace id 5759e988bd862e3fe1be46a994272793
 * (the epoch-seconds part and the 96-bit random part joined: the same 128 bits an X-Ray
 * propagator maps to a W3C trace id) and `init`'s parent span id 53995c3f42cd8ad8 (the
 * invocation's segment). Without a header: a random trace id and no parent.
 *
 * The request goes out from lwrap's own thread (trace_lifecycle.c) on a non-blocking
 * socket with the real functions: connect, send and the status line each wait only
 * what is left of LWRAP_TRACE_OTLP_TIMEOUT_MS. Only numeric hosts and localhost: no
 * name resolution inside the runtime. */
#include "trace_otlp.h"

#include "../wrapper/otlp_url.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "clock.h"
#include "config.h"
#include "fmt.h"
#include "initstats.h"
#include "lifecycle.h"
#include "real.h"
#include "trace.h"
#include "trace_packages.h"
#include "trace_spans.h"

static char region[64], version[64], stream[256], memory[16];
static char body[131072];
static char head[1024];
static struct fmt f;
static uint64_t epoch_minus_mono;
static uint8_t ids[8]; /* random base of the span ids */
static unsigned next_span;

static void copy(char *dst, size_t size, const char *name)
{
    const char *v = getenv(name);
    size_t n = v ? strnlen(v, size - 1) : 0;
    memcpy(dst, v ? v : "", n);
    dst[n] = 0;
}

void trace_otlp_init(void)
{
    /* Taken at init's end: under SnapStart the spans are sent after a restore, when
     * CLOCK_MONOTONIC may have jumped (another host, a paused process) and today's
     * offset would put init at the wrong wall-clock time. */
    epoch_minus_mono = clock_epoch_us() * 1000 - clock_mono_ns();
    copy(region, sizeof region, "AWS_REGION");
    copy(version, sizeof version, "AWS_LAMBDA_FUNCTION_VERSION");
    copy(stream, sizeof stream, "AWS_LAMBDA_LOG_STREAM_NAME");
    copy(memory, sizeof memory, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE");
}

static void random_bytes(uint8_t *p, size_t n)
{
    if (syscall(SYS_getrandom, p, n, 0) == (long)n)
        return;
    uint64_t x = clock_mono_ns() ^ ((uint64_t)getpid() << 32) ^ clock_epoch_us();
    for (size_t i = 0; i < n; i++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        p[i] = (uint8_t)(x >> 56);
    }
}

static void hex(struct fmt *o, const uint8_t *p, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        char two[2] = {digits[p[i] >> 4], digits[p[i] & 15]};
        fmt_mem(o, two, 2);
    }
}

static bool is_hex(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') || (s[i] >= 'A' && s[i] <= 'F')))
            return false;
    return true;
}

static void lower(char *s)
{
    for (; *s; s++)
        if (*s >= 'A' && *s <= 'F')
            *s = (char)(*s - 'A' + 'a');
}

/* trace (33 bytes) and parent (17, "" when none) from an X-Ray header; false: none. */
static bool from_xray(const char *h, char *trace, char *parent)
{
    const char *r = strstr(h, "Root=1-");
    parent[0] = 0;
    if (!r || !is_hex(r + 7, 8) || r[15] != '-' || !is_hex(r + 16, 24))
        return false;
    memcpy(trace, r + 7, 8);
    memcpy(trace + 8, r + 16, 24);
    trace[32] = 0;
    lower(trace);
    const char *p = strstr(h, "Parent=");
    if (p && is_hex(p + 7, 16) && (p[23] == ';' || p[23] == 0)) {
        memcpy(parent, p + 7, 16);
        parent[16] = 0;
        lower(parent);
    }
    return true;
}

static void span_id(char out[17])
{
    uint8_t b[8];
    memcpy(b, ids, 8);
    unsigned n = ++next_span;
    b[7] ^= (uint8_t)n;
    b[6] ^= (uint8_t)(n >> 8);
    struct fmt o = fmt_on(out, 17);
    hex(&o, b, 8);
    out[16] = 0;
}

static void attr_head(const char *key, bool first)
{
    fmt_str(&f, first ? "{\"key\":\"" : ",{\"key\":\"");
    fmt_str(&f, key);
    fmt_str(&f, "\",\"value\":{");
}

static void attr_str(const char *key, const char *v, bool first)
{
    attr_head(key, first);
    fmt_str(&f, "\"stringValue\":");
    trace_json_str(&f, v);
    fmt_str(&f, "}}");
}

static void attr_int(const char *key, uint64_t v, bool first)
{
    attr_head(key, first);
    fmt_str(&f, "\"intValue\":\"");
    fmt_u64(&f, v);
    fmt_str(&f, "\"}}");
}

static void attr_ms(const char *key, uint64_t ns, bool first)
{
    attr_head(key, first);
    fmt_str(&f, "\"doubleValue\":");
    fmt_ms(&f, ns);
    fmt_str(&f, "}}");
}

/* A span up to its attributes; the caller adds them and calls span_close(). */
static void span_open(bool first, const char *trace, const char *id, const char *parent,
                      const char *name, uint64_t start, uint64_t end)
{
    fmt_str(&f, first ? "{\"traceId\":\"" : ",{\"traceId\":\"");
    fmt_str(&f, trace);
    fmt_str(&f, "\",\"spanId\":\"");
    fmt_str(&f, id);
    if (parent[0]) {
        fmt_str(&f, "\",\"parentSpanId\":\"");
        fmt_str(&f, parent);
    }
    fmt_str(&f, "\",\"name\":");
    trace_json_str(&f, name);
    fmt_str(&f, ",\"kind\":1,\"startTimeUnixNano\":\"");
    fmt_u64(&f, start + epoch_minus_mono);
    fmt_str(&f, "\",\"endTimeUnixNano\":\"");
    fmt_u64(&f, (end > start ? end : start) + epoch_minus_mono);
    fmt_str(&f, "\",\"attributes\":[");
}

static void span_close(void)
{
    fmt_str(&f, "]}");
}

static void resource(void)
{
    const char *fn = config.function_name[0] ? config.function_name : "unknown_service";
    fmt_str(&f, "{\"resource\":{\"attributes\":[");
    attr_str("service.name", fn, true);
    attr_str("cloud.provider", "aws", false);
    attr_str("cloud.platform", "aws_lambda", false);
    if (region[0])
        attr_str("cloud.region", region, false);
    if (config.function_name[0])
        attr_str("faas.name", config.function_name, false);
    if (version[0])
        attr_str("faas.version", version, false);
    if (stream[0])
        attr_str("faas.instance", stream, false);
    uint64_t mb = strtoull(memory, NULL, 10);
    if (mb)
        attr_int("faas.max_memory", mb * 1024 * 1024, false);
    fmt_str(&f, "]},\"scopeSpans\":[{\"scope\":{\"name\":\"lwrap\"},\"spans\":[");
}

static void build(void)
{
    static struct trace_invoke v[TRACE_INVOKES_MAX];
    char trace[33], parent[17], root[17], id[17];
    unsigned n = trace_spans_invokes(v);
    random_bytes(ids, sizeof ids);
    next_span = 0;
    if (!n || !from_xray(v[0].trace_id, trace, parent)) {
        uint8_t t[16];
        random_bytes(t, sizeof t);
        struct fmt o = fmt_on(trace, sizeof trace);
        hex(&o, t, sizeof t);
        trace[32] = 0;
        parent[0] = 0;
    }
    if (!lifecycle_at_snapshot())
        epoch_minus_mono = clock_epoch_us() * 1000 - clock_mono_ns();
    uint64_t ready = trace_spans_ready_ns();
    bool have_exec = trace_have_exec();
    uint64_t start = have_exec ? config.wrapper_start_ns : config.constructor_ns;

    f = fmt_on(body, sizeof body);
    fmt_str(&f, "{\"resourceSpans\":[");
    resource();
    span_id(root);
    span_open(true, trace, root, parent, "init", start, ready);
    attr_str("lwrap.outcome", trace_spans_init_error() ? "initError" : lifecycle_at_snapshot() ? "snapshot" : "ready",
             true);
    attr_int("lwrap.files_opened", initstats.files_opened, false);
    attr_int("lwrap.bytes_read", initstats.bytes_read, false);
    attr_int("lwrap.dlopen_count", initstats.dlopen_count + initstats.dlopen_dropped, false);
    span_close();
    if (have_exec) {
        char exec_id[17];
        span_id(exec_id);
        span_open(false, trace, exec_id, root, "exec", start, config.constructor_ns);
        span_close();
        if (config.wrapper_exec_ns) {
            span_id(id);
            span_open(false, trace, id, exec_id, "lwrap", start, config.wrapper_exec_ns);
            span_close();
            span_id(id);
            span_open(false, trace, id, exec_id, "execve, loader, constructors", config.wrapper_exec_ns,
                      config.constructor_ns);
            span_close();
        }
    }
    span_id(id);
    span_open(false, trace, id, root, "runtime init", config.constructor_ns, ready);
    span_close();
    for (unsigned i = 0, c = trace_spans_count(); i < c; i++) {
        const struct trace_span *s = &trace_spans[i];
        if (!__atomic_load_n(&s->published, __ATOMIC_ACQUIRE) || s->kind != SPAN_DLOPEN)
            continue;
        span_id(id);
        const char *base = strrchr(s->name, '/');
        char name[TRACE_SPAN_NAME + 8];
        struct fmt nf = fmt_on(name, sizeof name - 1);
        fmt_str(&nf, "dlopen ");
        fmt_str(&nf, base ? base + 1 : s->name);
        name[nf.len] = 0;
        span_open(false, trace, id, root, name, s->start_ns, s->end_ns);
        attr_str("lwrap.path", s->name, true);
        span_close();
        if (f.len > sizeof body - 16384)
            break; /* the packages must still fit */
    }
    unsigned count = trace_packages_build(ready);
    for (unsigned k = 0; k < count && k < TRACE_PACKAGES_TOP; k++) {
        const struct trace_package *p = &trace_packages[k];
        char name[TRACE_PACKAGE_NAME + 8];
        struct fmt nf = fmt_on(name, sizeof name - 1);
        fmt_str(&nf, "package ");
        fmt_str(&nf, p->name);
        name[nf.len] = 0;
        span_id(id);
        span_open(false, trace, id, root, name, p->first_ns, p->last_ns);
        attr_str("lwrap.package.name", p->name, true);
        attr_str("lwrap.package.ecosystem", trace_ecosystem_name(p->eco), false);
        attr_int("lwrap.package.files", p->files, false);
        attr_int("lwrap.package.bytes", p->bytes, false);
        attr_ms("lwrap.package.ms", p->ns, false);
        if (p->import_ns)
            attr_ms("lwrap.package.import_ms", p->import_ns, false);
        span_close();
    }
    fmt_str(&f, "]}]}]}");
}

struct endpoint {
    struct sockaddr_storage ss;
    socklen_t len;
    char host[128];
    char path[256];
};

/* The collector's address and request path from LWRAP_TRACE_OTLP, read by the rules lwrap
 * checks the setting with (wrapper/otlp_url.c). */
static const char *parse(const char *url, struct endpoint *e)
{
    struct otlp_url u;
    const char *why = otlp_url_parse(url, &u);
    if (why)
        return why;
    memset(&e->ss, 0, sizeof e->ss);
    struct sockaddr_in *v4 = (struct sockaddr_in *)&e->ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&e->ss;
    if (inet_pton(AF_INET6, u.host, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)u.port);
        e->len = sizeof *v6;
    } else {
        inet_pton(AF_INET, strcmp(u.host, "localhost") == 0 ? "127.0.0.1" : u.host, &v4->sin_addr);
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)u.port);
        e->len = sizeof *v4;
    }
    struct fmt hf = fmt_on(e->host, sizeof e->host - 1);
    fmt_mem(&hf, u.hostport, u.hostport_len);
    e->host[hf.len] = 0;
    struct fmt p = fmt_on(e->path, sizeof e->path - 1);
    fmt_mem(&p, u.path, u.path_len);
    if (u.add_traces)
        fmt_str(&p, "/v1/traces");
    e->path[p.len] = 0;
    return NULL;
}

/* Wait for fd to be ready for ev until deadline; false: the time is up. */
static bool wait_for(int fd, short ev, uint64_t deadline)
{
    for (;;) {
        uint64_t now = clock_mono_ns();
        if (now >= deadline)
            return false;
        struct pollfd p = {fd, ev, 0};
        int r = poll(&p, 1, (int)((deadline - now + 999999) / 1000000));
        if (r > 0)
            return true;
        if (r < 0 && errno != EINTR)
            return false;
    }
}

static const char *send_all(int fd, const char *p, size_t n, uint64_t deadline)
{
    while (n) {
        ssize_t w = REAL(send)(fd, p, n, MSG_NOSIGNAL);
        if (w > 0) {
            p += w;
            n -= (size_t)w;
        } else if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
            if (!wait_for(fd, POLLOUT, deadline))
                return "timed out sending";
        } else {
            return strerror(errno);
        }
    }
    return NULL;
}

/* The whole exchange; NULL when the collector answered 2xx, else why not. */
static const char *post(const struct endpoint *e, uint64_t deadline, char *why, size_t whysize)
{
    int fd = socket(e->ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return strerror(errno);
    const char *err = NULL;
    if (REAL(connect)(fd, (const struct sockaddr *)&e->ss, e->len) != 0) {
        if (errno != EINPROGRESS) {
            err = strerror(errno);
            goto out;
        }
        if (!wait_for(fd, POLLOUT, deadline)) {
            err = "timed out connecting";
            goto out;
        }
        int so = 0;
        socklen_t sl = sizeof so;
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &so, &sl) != 0 || so) {
            err = strerror(so ? so : errno);
            goto out;
        }
    }
    struct fmt h = fmt_on(head, sizeof head);
    fmt_str(&h, "POST ");
    fmt_str(&h, e->path);
    fmt_str(&h, " HTTP/1.1\r\nHost: ");
    fmt_str(&h, e->host);
    fmt_str(&h, "\r\nContent-Type: application/json\r\nUser-Agent: lwrap\r\nConnection: close\r\nContent-Length: ");
    fmt_u64(&h, f.len);
    fmt_str(&h, "\r\n\r\n");
    if ((err = send_all(fd, head, h.len, deadline)) || (err = send_all(fd, body, f.len, deadline)))
        goto out;
    char line[256];
    size_t got = 0;
    while (!memchr(line, '\n', got) && got < sizeof line - 1) {
        ssize_t r = REAL(recv)(fd, line + got, sizeof line - 1 - got, 0);
        if (r > 0) {
            got += (size_t)r;
        } else if (r < 0 && (errno == EAGAIN || errno == EINTR)) {
            if (!wait_for(fd, POLLIN, deadline)) {
                err = "no answer in time";
                goto out;
            }
        } else {
            err = r == 0 ? "the collector closed the connection without an answer" : strerror(errno);
            goto out;
        }
    }
    line[got] = 0;
    if (strncmp(line, "HTTP/1.", 7) != 0 || strlen(line) < 12) {
        err = "the answer is not HTTP";
    } else if (line[9] != '2') {
        struct fmt w = fmt_on(why, whysize - 1);
        fmt_str(&w, "HTTP ");
        fmt_mem(&w, line + 9, 3);
        why[w.len] = 0;
        err = why;
    }
out:
    REAL(close)(fd);
    return err;
}

const char *trace_otlp_url_error(const char *url)
{
    struct endpoint e;
    return parse(url, &e);
}

void trace_otlp_send(void)
{
    struct endpoint e;
    const char *err = parse(config.trace_otlp, &e);
    char why[64];
    if (!err) {
        uint64_t deadline = clock_mono_ns() + (uint64_t)config.trace_otlp_timeout_ms * 1000000;
        build();
        err = f.full ? "the spans do not fit in 128 KiB" : post(&e, deadline, why, sizeof why);
    }
    if (err)
        config_warn("LWRAP_TRACE_OTLP: ", config.trace_otlp, ": init spans not sent: ", err);
}
