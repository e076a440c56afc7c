/* The python-importtime summary. `python3 -X importtime` (or PYTHONPROFILEIMPORTTIME)
 * writes one stderr line per import ("import time: self [us] | cumulative | imported
 * package"): thousands of CloudWatch events. We absorb them and, when the runtime
 * becomes ready, write one record instead: the number of imports, the total import time
 * (sum of the self times) and the LWRAP_IMPORTTIME_TOP (default 15) slowest imports by
 * cumulative time as an aligned table. Imports during an invoke get their own summary
 * at its end. LWRAP_IMPORTTIME_RAW=1 keeps the raw lines too. */
#include "log_internal.h"

#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "real.h"

#define TOP_MAX 100
#define NAME_MAX_LEN 96

struct entry {
    uint64_t self, cum;
    size_t name_len;
    char name[NAME_MAX_LEN];
};

static int lock;
static struct entry top[TOP_MAX];
static int ntop;
static uint64_t count, total_self;
static char report[TOP_MAX * 160 + 512];

static bool detect(void)
{
    const char *env = getenv("PYTHONPROFILEIMPORTTIME");
    if (env && *env)
        return true;
    char buf[4096];
    int fd = -1;
    /* /proc/self/cmdline: NUL-separated argv; look for "-X importtime" / "-Ximporttime". */
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
    if (!detect())
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
    if (!log_cfg.importtime || n < sizeof tag - 1 || memcmp(line, tag, sizeof tag - 1) != 0)
        return false;
    const char *p = line + sizeof tag - 1, *end = line + n;
    uint64_t self, cum;
    const char *q = number(p, end, &self);
    if (q && q < end && *q == '|' && (q = number(q + 1, end, &cum)) && q < end && *q == '|') {
        q++;
        while (q < end && *q == ' ')
            q++;
        while (__atomic_exchange_n(&lock, 1, __ATOMIC_ACQUIRE))
            sched_yield();
        add(self, cum, q, (size_t)(end - q));
        __atomic_store_n(&lock, 0, __ATOMIC_RELEASE);
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

void log_importtime_report(bool init)
{
    if (!log_cfg.importtime)
        return;
    while (__atomic_exchange_n(&lock, 1, __ATOMIC_ACQUIRE))
        sched_yield();
    if (count == 0 && !init) {
        __atomic_store_n(&lock, 0, __ATOMIC_RELEASE);
        return;
    }
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
    log_emit_own(LOG_STDERR, LOG_LVL_INFO, report, o);
    __atomic_store_n(&lock, 0, __ATOMIC_RELEASE);
}

void log_importtime_atfork_child(void)
{
    lock = 0;
}
