/* The python-importtime summary. `python3 -X importtime` (or PYTHONPROFILEIMPORTTIME)
 * writes one stderr line per import ("import time: self [us] | cumulative | imported
 * package"): in Lambda, thousands of CloudWatch events. There we absorb them and write
 * one record instead: the number of imports, the total import time (sum of the self
 * times) and the LWRAP_IMPORTTIME_TOP (default 15) slowest imports by cumulative time as
 * an aligned table. LWRAP_IMPORTTIME_RAW=1 keeps the raw lines too.
 *
 * When: at runtime ready (init's imports), at each invoke's end (its imports, if any),
 * and once more from log_importtime_final when the process ends some other way: the
 * runtime posts init/error, exits, calls _exit, or gets a fatal signal. After that
 * final report nothing is absorbed any more: later lines pass through as written.
 *
 * Outside Lambda (no AWS_LAMBDA_RUNTIME_API) nothing is absorbed: there is no runtime
 * ready or invoke end to report at, and a developer running `python3 -X importtime`
 * wants python's own lines, byte for byte. */
#include "log_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "config.h"
#include "real.h"
#include "sink.h"
#include "trace_spans.h"

#define TOP_MAX 100
#define NAME_MAX_LEN 96

struct entry {
    uint64_t self, cum;
    size_t name_len;
    char name[NAME_MAX_LEN];
};

/* The state below is guarded by `lock`: 0, or the tid of the thread holding it, so
 * that a signal handler (or _exit called from one) can tell that the thread it
 * interrupted holds it, and give up instead of waiting forever. */
static int lock;
static struct entry top[TOP_MAX];
static int ntop;
static uint64_t count, total_self;
static bool init_reported; /* the runtime-ready summary went out */
static bool finished;      /* log_importtime_final ran: absorb nothing more */
static char report[TOP_MAX * 160 + 512];
/* The final report formatted as a record (or frame): no allocation, no slot. */
static char final_out[LOG_EVENT_MAX + 4096];

static int my_tid(void)
{
    return (int)syscall(SYS_gettid);
}

/* Take the lock. Waits while another thread holds it; returns false when this very
 * thread does (we interrupted it), or, with `bounded`, after 100,000 tries. */
static bool take(bool bounded)
{
    int me = my_tid();
    for (long spins = 0;; spins++) {
        int held = 0;
        if (__atomic_compare_exchange_n(&lock, &held, me, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
            return true;
        if (held == me || (bounded && spins > 100000))
            return false;
        sched_yield();
    }
}

static void give(void)
{
    __atomic_store_n(&lock, 0, __ATOMIC_RELEASE);
}

static bool detect(void)
{
    const char *env = getenv("PYTHONPROFILEIMPORTTIME");
    if (env && *env)
        return true;
    char buf[4096];
    int fd = -1;
    /* /proc/self/cmdline: NUL-separated argv; look for "-X importtime" / "-Ximporttime".
     * Read in the process the runtime really is: a version manager's shim (pyenv's bash
     * script) execs the interpreter, which loads the preload again and looks again. */
    fd = REAL(open)("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    size_t n = 0;
    for (;;) {
        ssize_t r = REAL(read)(fd, buf + n, sizeof buf - 1 - n);
        if (r <= 0)
            break;
        n += (size_t)r;
        if (n == sizeof buf - 1)
            break;
    }
    REAL(close)(fd);
    buf[n] = 0;
    bool prev_x = false;
    for (size_t i = 0; i < n;) {
        const char *a = buf + i;
        size_t len = strlen(a);
        if ((prev_x && strncmp(a, "importtime", 10) == 0) || strncmp(a, "-Ximporttime", 12) == 0)
            return true;
        prev_x = strcmp(a, "-X") == 0;
        i += len + 1;
    }
    return false;
}

void log_importtime_init(void)
{
    /* Outside Lambda the lines pass through untouched: nothing to summarise them for. */
    const char *api = getenv("AWS_LAMBDA_RUNTIME_API");
    if (!api || !*api || !detect())
        return;
    log_cfg.importtime = true;
    const char *raw = getenv("LWRAP_IMPORTTIME_RAW");
    log_cfg.importtime_raw = raw && strcmp(raw, "1") == 0;
    log_cfg.importtime_top = 15;
    const char *t = getenv("LWRAP_IMPORTTIME_TOP");
    if (t && *t) {
        int v = 0;
        const char *p = t;
        while (*p >= '0' && *p <= '9' && v <= TOP_MAX)
            v = v * 10 + (*p++ - '0');
        if (*p || v > TOP_MAX)
            config_warn("LWRAP_IMPORTTIME_TOP: want a number from 0 to 100, got \"", t, "\"; using 15", NULL);
        else
            log_cfg.importtime_top = v;
    }
}

static const char *number(const char *p, const char *end, uint64_t *v)
{
    while (p < end && *p == ' ')
        p++;
    if (p >= end || *p < '0' || *p > '9')
        return NULL;
    uint64_t x = 0;
    while (p < end && *p >= '0' && *p <= '9')
        x = x * 10 + (uint64_t)(*p++ - '0');
    *v = x;
    while (p < end && *p == ' ')
        p++;
    return p;
}

static void add(uint64_t self, uint64_t cum, const char *name, size_t n)
{
    count++;
    total_self += self;
    int k = log_cfg.importtime_top;
    if (k == 0)
        return;
    int pos = ntop;
    while (pos > 0 && top[pos - 1].cum < cum)
        pos--;
    if (pos >= k)
        return;
    int last = ntop < k ? ntop : k - 1;
    memmove(&top[pos + 1], &top[pos], (size_t)(last - pos) * sizeof top[0]);
    if (ntop < k)
        ntop++;
    top[pos].self = self;
    top[pos].cum = cum;
    top[pos].name_len = n < NAME_MAX_LEN ? n : NAME_MAX_LEN;
    memcpy(top[pos].name, name, top[pos].name_len);
}

bool log_importtime_line(const char *line, size_t n)
{
    static const char tag[] = "import time:";
    if (!log_cfg.importtime || n < sizeof tag - 1 || memcmp(line, tag, sizeof tag - 1) != 0 ||
        __atomic_load_n(&finished, __ATOMIC_ACQUIRE))
        return false;
    const char *p = line + sizeof tag - 1, *end = line + n;
    uint64_t self, cum;
    const char *q = number(p, end, &self);
    if (q && q < end && *q == '|' && (q = number(q + 1, end, &cum)) && q < end && *q == '|') {
        q++;
        const char *spaces = q;
        while (q < end && *q == ' ')
            q++;
        /* "| " then two spaces per nesting level before the name */
        if (gate() & GATE_INIT_COUNT)
            trace_spans_import(q, (size_t)(end - q), q - spaces > 1 ? (unsigned)(q - spaces - 1) / 2 : 0,
                               self, cum);
        if (!take(false))
            return false; /* a signal handler's import line while we hold it: let it through */
        if (finished) {
            give();
            return false;
        }
        add(self, cum, q, (size_t)(end - q));
        give();
    }
    /* The header line ("self [us] | cumulative | ...") is absorbed too. */
    return !log_cfg.importtime_raw;
}

static size_t put(char *o, size_t at, const char *s, size_t n)
{
    if (at + n > sizeof report)
        n = at < sizeof report ? sizeof report - at : 0;
    memcpy(o + at, s, n);
    return at + n;
}

static size_t put_u(char *o, size_t at, uint64_t v, int width)
{
    char d[24];
    int n = 0;
    do {
        d[sizeof d - 1 - n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n < width)
        d[sizeof d - 1 - n++] = ' ';
    return put(o, at, d + sizeof d - n, (size_t)n);
}

/* The summary of what was counted since the last one into `report`, and start over.
 * Called with the lock held. */
static size_t build(bool init)
{
    size_t o = 0;
    o = put(report, o, init ? "lwrap importtime (init): " : "lwrap importtime (invoke): ", init ? 25 : 27);
    o = put_u(report, o, count, 0);
    o = put(report, o, " imports, ", 10);
    o = put_u(report, o, total_self / 1000, 0);
    o = put(report, o, ".", 1);
    o = put_u(report, o, total_self / 100 % 10, 0);
    o = put_u(report, o, total_self / 10 % 10, 0);
    o = put_u(report, o, total_self % 10, 0);
    o = put(report, o, " ms total (sum of self times)", 29);
    if (ntop) {
        o = put(report, o, "; slowest by cumulative time:\n", 30);
        o = put(report, o, " cumulative [us] |  self [us] | package", 39);
        for (int i = 0; i < ntop; i++) {
            o = put(report, o, "\n", 1);
            o = put_u(report, o, top[i].cum, 16);
            o = put(report, o, " | ", 3);
            o = put_u(report, o, top[i].self, 10);
            o = put(report, o, " | ", 3);
            o = put(report, o, top[i].name, top[i].name_len);
        }
    }
    count = total_self = 0;
    ntop = 0;
    if (init)
        init_reported = true;
    return o;
}

void log_importtime_report(bool init)
{
    if (!log_cfg.importtime || !take(false))
        return;
    if (finished || (count == 0 && !init) || (init && init_reported)) {
        give();
        return;
    }
    size_t o = build(init);
    log_emit_own(LOG_STDERR, LOG_LVL_INFO, report, o);
    give();
}

void log_importtime_final(bool in_signal)
{
    if (!log_cfg.importtime)
        return;
    /* A vfork child (posix_spawn) shares our memory but is not the runtime. */
    if (!log_pid || (pid_t)syscall(SYS_getpid) != log_pid)
        return;
    int saved = errno;
    if (!take(in_signal))
        goto out; /* we interrupted the holder: its state may be half-updated */
    if (finished) {
        give();
        goto out;
    }
    __atomic_store_n(&finished, true, __ATOMIC_RELEASE);
    if (count == 0) {
        give();
        goto out;
    }
    size_t n = build(!init_reported);
    if (log_reentered()) {
        /* This thread was interrupted inside the pipeline (its slot is BUSY): the
         * summary goes to stderr as one plain line (inner newlines as \r, as Lambda's
         * runtimes do), never through the slots. */
        for (size_t i = 0; i < n; i++)
            if (report[i] == '\n')
                report[i] = '\r';
        if (n == sizeof report)
            n--;
        report[n++] = '\n';
        sink_write(2, report, n, SINK_LINES);
    } else {
        /* Rendered here rather than by log_emit_own: no slot to wait for. */
        struct log_out o = {.buf = final_out, .cap = sizeof final_out, .stream = LOG_STDERR};
        char rid[LWRAP_REQUEST_ID_SIZE];
        size_t rid_len = lifecycle_request_id(rid, sizeof rid);
        struct log_rec r = {
            .msg = report, .len = n, .stream = LOG_STDERR, .level = LOG_LVL_INFO,
            .ts_us = log_now_us(), .rid = rid, .rid_len = rid_len,
        };
        /* No regular expressions from a signal handler: regexec allocates. */
        log_render(&r, &o, false, !in_signal);
        log_out_flush(&o); /* the sink: signal-aware, never a lock this thread holds */
    }
    give();
out:
    errno = saved;
}

void log_importtime_atfork_child(void)
{
    /* The parent reports what it counted; the child only its own imports. */
    lock = 0;
    count = total_self = 0;
    ntop = 0;
}
