/* The timeline file (see trace_timeline.h). Rows (Chrome "threads" of the runtime's pid):
 *   the runtime's main thread: `init` > `exec` (lwrap, execve, loader, constructors) and
 *     `runtime init` > each dlopen it made; other threads' dlopens on their own rows;
 *   one row per package: a span from its first open to its last close, holding its files;
 *   files outside any package; Python imports nested by level; the first invokes.
 * Files that overlap in time go to extra lanes of their row, so that on every row spans
 * either nest or follow each other (Perfetto drops improperly nested slices). Times are
 * CLOCK_MONOTONIC microseconds. Built in a static buffer, written one chunk per write to
 * an unnamed file in the path's directory that is then named and renamed over the path:
 * a reader never sees half a file, and a kill mid-write leaves the last complete one. */
#include "trace_timeline.h"

#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "crash.h"
#include "config.h"
#include "fmt.h"
#include "initstats.h"
#include "lifecycle.h"
#include "real.h"
#include "trace.h"
#include "trace_packages.h"
#include "trace_spans.h"

#define LANES 4
#define ROW_BASE 100000000 /* synthetic rows above any Linux tid (pid_max <= 2^22) */
#define ROW_OTHER 0
#define ROW_IMPORTS 1
#define ROW_INVOKES 2
#define ROW_PACKAGE0 3
#define ROWS (ROW_PACKAGE0 + TRACE_PACKAGES_MAX)
#define DEPTH_MAX 64

static char chunk[65536];
static struct fmt f;
static int out_fd = -1;
static bool first_event;
static int write_errno; /* the first failed write's errno, 0: none */
static int fatal_sig;   /* written from a fatal signal's handler: which */
static int pid;
static uint64_t lane_end[ROWS][LANES];
static unsigned lanes_used[ROWS];
static uint64_t not_drawn;
static uint64_t written; /* bytes of this file written so far */
/* What the last file written after init holds before its invokes, and the file (the
 * rewrite after an invoke copies that part instead of building it again: with thousands
 * of files that is ~20 ms, and Lambda's shutdown may not wait). */
static struct {
    uint64_t len;
    unsigned packages;
    uint64_t not_drawn;
    bool valid;
    dev_t dev;
    ino_t ino;
    off_t size;
} prefix;

static void flush(void)
{
    if (f.len && out_fd >= 0 && !write_errno) {
        if (real_write_all(out_fd, chunk, f.len) != 0)
            write_errno = errno ? errno : EIO;
        else
            written += f.len;
    }
    f = fmt_on(chunk, sizeof chunk);
}

static int row_tid(unsigned row, unsigned lane)
{
    return ROW_BASE + (int)(row * LANES + lane);
}

/* `{"ph":..,"name":..,"pid":..,"tid":..,` then the caller's members and `}`. */
static void event_head(const char *ph, const char *name, int tid)
{
    if (f.len > sizeof chunk - 8192)
        flush();
    fmt_str(&f, first_event ? "\n{\"ph\":\"" : ",\n{\"ph\":\"");
    first_event = false;
    fmt_str(&f, ph);
    fmt_str(&f, "\",\"name\":");
    trace_json_str(&f, name);
    fmt_str(&f, ",\"pid\":");
    fmt_u64(&f, (uint64_t)pid);
    fmt_str(&f, ",\"tid\":");
    fmt_u64(&f, (uint64_t)tid);
}

/* A complete event ("X") with category cat; its args follow, then span_end(). */
static void span_begin(const char *cat, const char *name, int tid, uint64_t start, uint64_t end)
{
    event_head("X", name, tid);
    fmt_str(&f, ",\"cat\":\"");
    fmt_str(&f, cat);
    fmt_str(&f, "\",\"ts\":");
    fmt_us(&f, start);
    fmt_str(&f, ",\"dur\":");
    fmt_us(&f, end > start ? end - start : 0);
    fmt_str(&f, ",\"args\":{");
}

static void span_end(void)
{
    fmt_str(&f, "}}");
}

static void arg_u64(const char *key, uint64_t v, bool first)
{
    fmt_str(&f, first ? "\"" : ",\"");
    fmt_str(&f, key);
    fmt_str(&f, "\":");
    fmt_u64(&f, v);
}

static void arg_ms(const char *key, uint64_t ns, bool first)
{
    fmt_str(&f, first ? "\"" : ",\"");
    fmt_str(&f, key);
    fmt_str(&f, "\":");
    fmt_ms(&f, ns);
}

static void arg_str(const char *key, const char *v, bool first)
{
    fmt_str(&f, first ? "\"" : ",\"");
    fmt_str(&f, key);
    fmt_str(&f, "\":");
    trace_json_str(&f, v);
}

/* Metadata naming a row and placing it (sort index: smaller is higher up). */
static void row_meta(int tid, const char *name, unsigned sort)
{
    event_head("M", "thread_name", tid);
    fmt_str(&f, ",\"args\":{");
    arg_str("name", name, true);
    fmt_str(&f, "}}");
    event_head("M", "thread_sort_index", tid);
    fmt_str(&f, ",\"args\":{");
    arg_u64("sort_index", sort, true);
    fmt_str(&f, "}}");
}

/* The lane of row where [start, end) fits after what is there, or -1. */
static int lane_for(unsigned row, uint64_t start, uint64_t end)
{
    for (unsigned l = 0; l < LANES; l++) {
        if (lane_end[row][l] <= start) {
            lane_end[row][l] = end;
            if (l + 1 > lanes_used[row])
                lanes_used[row] = l + 1;
            return (int)l;
        }
    }
    not_drawn++;
    return -1;
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s && s[1] ? s + 1 : path;
}

static void phases(uint64_t ready)
{
    uint64_t start = config.constructor_ns;
    bool have_exec = trace_have_exec();
    if (have_exec)
        start = config.wrapper_start_ns;
    span_begin("phase", trace_spans_init_error() ? "init (error)" : "init", pid, start, ready);
    arg_ms("ms", ready - start, true);
    span_end();
    if (have_exec) {
        span_begin("phase", "exec", pid, start, config.constructor_ns);
        arg_str("what", "lwrap's own work, execve, the loader and the constructors before liblwrap's", true);
        span_end();
    }
    if (have_exec && config.wrapper_exec_ns) {
        span_begin("phase", "lwrap", pid, start, config.wrapper_exec_ns);
        arg_str("what", "lwrap's own work: settings, edits, presets, finding the preload", true);
        span_end();
        span_begin("phase", "execve, loader, constructors", pid, config.wrapper_exec_ns, config.constructor_ns);
        arg_str("what", "from lwrap's execve (through any LWRAP_NEXT wrappers) to liblwrap's constructor", true);
        span_end();
    }
    span_begin("phase", "runtime init", pid, config.constructor_ns, ready);
    arg_str("what", "from liblwrap's constructor to the runtime's first next (or init/error)", true);
    span_end();
}

static void file_span(unsigned i, const struct trace_span *s, uint64_t ready)
{
    uint64_t closed = __atomic_load_n(&s->end_ns, __ATOMIC_ACQUIRE);
    uint64_t end = trace_span_end(s, ready);
    unsigned pkg = trace_span_package[i];
    unsigned row = pkg ? ROW_PACKAGE0 + pkg - 1 : ROW_OTHER;
    if (row >= ROWS)
        return;
    /* Lane 0 of a package row holds the package's own span: its files go inside it. */
    int lane = lane_for(row, s->start_ns, end);
    if (lane < 0)
        return;
    span_begin("file", base_name(s->name), row_tid(row, (unsigned)lane), s->start_ns, end);
    arg_str("path", s->name, true);
    arg_u64("bytes", __atomic_load_n(&s->bytes, __ATOMIC_RELAXED), false);
    arg_ms("attributedMs", __atomic_load_n(&s->attributed_ns, __ATOMIC_RELAXED), false);
    arg_u64("thread", (uint64_t)s->tid, false);
    if (!closed || closed > ready)
        fmt_str(&f, ",\"closeSeen\":false");
    span_end();
}

static void dlopen_span(const struct trace_span *s, uint64_t ready)
{
    uint64_t end = s->end_ns;
    int tid = s->tid;
    if (tid == pid && end > ready)
        end = ready; /* inside `runtime init` on the main row */
    char name[TRACE_SPAN_NAME + 8];
    struct fmt nf = fmt_on(name, sizeof name - 1);
    fmt_str(&nf, "dlopen ");
    fmt_str(&nf, base_name(s->name));
    name[nf.len] = 0;
    span_begin("dlopen", name, tid, s->start_ns, end);
    arg_str("path", s->name, true);
    span_end();
}

/* Python's lines come as each import ends, children before their parent: walking back,
 * the parent of a span at depth d is the last one seen at depth d-1. Each span is kept
 * inside its parent and before its next sibling (the times are the write's, give or take
 * the microsecond rounding). */
static void imports(void)
{
    static int32_t parent_at[DEPTH_MAX], sibling_at[DEPTH_MAX];
    for (unsigned d = 0; d < DEPTH_MAX; d++)
        parent_at[d] = sibling_at[d] = -1;
    for (unsigned k = trace_spans_count(); k-- > 0;) {
        struct trace_span *s = &trace_spans[k];
        if (!__atomic_load_n(&s->published, __ATOMIC_ACQUIRE) || s->kind != SPAN_IMPORT)
            continue;
        unsigned d = s->depth < DEPTH_MAX ? s->depth : DEPTH_MAX - 1;
        if (d > 0 && parent_at[d - 1] >= 0) {
            const struct trace_span *p = &trace_spans[parent_at[d - 1]];
            if (s->start_ns < p->start_ns)
                s->start_ns = p->start_ns;
            if (s->end_ns > p->end_ns)
                s->end_ns = p->end_ns;
        }
        if (sibling_at[d] >= 0 && s->end_ns > trace_spans[sibling_at[d]].start_ns)
            s->end_ns = trace_spans[sibling_at[d]].start_ns;
        if (s->start_ns > s->end_ns)
            s->start_ns = s->end_ns;
        parent_at[d] = sibling_at[d] = (int32_t)k;
        for (unsigned e = d + 1; e < DEPTH_MAX; e++)
            parent_at[e] = sibling_at[e] = -1;
        span_begin("import", s->name, row_tid(ROW_IMPORTS, 0), s->start_ns, s->end_ns);
        arg_u64("selfUs", s->bytes / 1000, true);
        arg_u64("cumulativeUs", (s->end_ns - s->start_ns) / 1000, false);
        arg_u64("level", s->depth, false);
        span_end();
    }
}

static void packages(unsigned count)
{
    char label[TRACE_PACKAGE_NAME + 96];
    for (unsigned k = 0; k < count && ROW_PACKAGE0 + k < ROWS; k++) {
        const struct trace_package *p = &trace_packages[k];
        unsigned row = ROW_PACKAGE0 + k;
        struct fmt l = fmt_on(label, sizeof label - 1);
        fmt_str(&l, p->name);
        fmt_str(&l, " (");
        fmt_str(&l, trace_ecosystem_name(p->eco));
        fmt_str(&l, "): ");
        fmt_ms(&l, p->ns);
        fmt_str(&l, " ms, ");
        fmt_u64(&l, p->files);
        fmt_str(&l, " files, ");
        fmt_u64(&l, p->bytes);
        fmt_str(&l, " bytes");
        label[l.len] = 0;
        row_meta(row_tid(row, 0), label, 100 + k);
        for (unsigned lane = 1; lane < lanes_used[row]; lane++)
            row_meta(row_tid(row, lane), p->name, 100 + k);
        span_begin("package", p->name, row_tid(row, 0), p->first_ns, p->last_ns);
        arg_str("ecosystem", trace_ecosystem_name(p->eco), true);
        arg_u64("files", p->files, false);
        arg_u64("bytes", p->bytes, false);
        arg_ms("ms", p->ns, false);
        if (p->import_ns)
            arg_ms("importMs", p->import_ns, false);
        span_end();
    }
}

static void invokes(void)
{
    static struct trace_invoke v[TRACE_INVOKES_MAX];
    /* After a SnapStart restore the invokes' CLOCK_MONOTONIC times cannot be set beside
     * init's: the clock may have jumped across the snapshot, either way. */
    if (lifecycle_at_snapshot())
        return;
    unsigned n = trace_spans_invokes(v);
    for (unsigned i = 0; i < n; i++) {
        if (!v[i].end_ns)
            continue;
        char name[32] = "invoke ";
        name[7] = (char)('1' + i);
        /* Invokes at once (Managed Instances) overlap: each to a lane where it fits. */
        unsigned lanes_before = lanes_used[ROW_INVOKES];
        int lane = lane_for(ROW_INVOKES, v[i].start_ns, v[i].end_ns);
        if (lane < 0)
            continue;
        if (lane > 0 && lanes_used[ROW_INVOKES] > lanes_before)
            row_meta(row_tid(ROW_INVOKES, (unsigned)lane), "first invokes (at once)", 2);
        span_begin("invoke", name, row_tid(ROW_INVOKES, (unsigned)lane), v[i].start_ns, v[i].end_ns);
        arg_str("requestId", v[i].id, true);
        if (v[i].trace_id[0])
            arg_str("traceId", v[i].trace_id, false);
        arg_str("outcome", v[i].error ? "error" : "response", false);
        span_end();
    }
}

/* Names for the real threads that have a row (their dlopens): up to 64 of them. */
static void thread_rows(void)
{
    static int seen[64];
    unsigned nseen = 0;
    for (unsigned i = 0, n = trace_spans_count(); i < n; i++) {
        const struct trace_span *s = &trace_spans[i];
        if (!__atomic_load_n(&s->published, __ATOMIC_ACQUIRE) || s->kind != SPAN_DLOPEN || s->tid == pid)
            continue;
        unsigned j = 0;
        while (j < nseen && seen[j] != s->tid)
            j++;
        if (j < nseen || nseen == 64)
            continue;
        seen[nseen++] = s->tid;
        char name[32];
        struct fmt l = fmt_on(name, sizeof name - 1);
        fmt_str(&l, "thread ");
        fmt_u64(&l, (uint64_t)s->tid);
        name[l.len] = 0;
        row_meta(s->tid, name, 3);
    }
}

static void body_invokes_on(void);

static void body(void)
{
    uint64_t ready = trace_spans_ready_ns();
    if (!ready)
        ready = clock_mono_ns(); /* an exit before ready */
    unsigned count = trace_packages_build(ready);
    memset(lane_end, 0, sizeof lane_end);
    memset(lanes_used, 0, sizeof lanes_used);
    not_drawn = 0;
    fmt_str(&f, "{\"displayTimeUnit\":\"ms\",\"traceEvents\":[");
    first_event = true;
    event_head("M", "process_name", 0);
    fmt_str(&f, ",\"args\":{");
    char pname[160];
    struct fmt l = fmt_on(pname, sizeof pname - 1);
    fmt_str(&l, "cold start ");
    fmt_str(&l, config.function_name[0] ? config.function_name : "(no function name)");
    pname[l.len] = 0;
    arg_str("name", pname, true);
    fmt_str(&f, "}}");
    row_meta(pid, "runtime main thread", 0);
    row_meta(row_tid(ROW_IMPORTS, 0), "python imports (importtime)", 1);
    row_meta(row_tid(ROW_INVOKES, 0), "first invokes (next to response)", 2);
    thread_rows();
    phases(ready);
    for (unsigned i = 0, n = trace_spans_count(); i < n; i++) {
        const struct trace_span *s = &trace_spans[i];
        if (!__atomic_load_n(&s->published, __ATOMIC_ACQUIRE))
            continue;
        if (s->kind == SPAN_FILE)
            file_span(i, s, ready);
        else if (s->kind == SPAN_DLOPEN)
            dlopen_span(s, ready);
    }
    packages(count);
    for (unsigned lane = 0; lane < lanes_used[ROW_OTHER]; lane++)
        row_meta(row_tid(ROW_OTHER, lane), "files outside packages", 50);
    imports();
    prefix.len = written + f.len;
    prefix.packages = count;
    prefix.not_drawn = not_drawn;
    body_invokes_on();
}

/* From the invokes to the end: after init, the only part that changes. */
static void body_invokes_on(void)
{
    memset(lane_end[ROW_INVOKES], 0, sizeof lane_end[ROW_INVOKES]);
    lanes_used[ROW_INVOKES] = 1; /* lane 0's row is named in the part before */
    not_drawn = prefix.not_drawn;
    invokes();
    fmt_str(&f, "\n],\"otherData\":{\"outcome\":");
    if (fatal_sig) {
        bool crashed = fatal_sig == SIGSEGV || fatal_sig == SIGBUS || fatal_sig == SIGFPE ||
                       fatal_sig == SIGILL || fatal_sig == SIGABRT || fatal_sig == SIGSYS;
        fmt_str(&f, crashed ? "\"crashedBeforeReady\",\"signal\":\"" : "\"killedBeforeReady\",\"signal\":\"");
        fmt_str(&f, crash_signal_name(fatal_sig));
        fmt_str(&f, "\"");
    } else {
        fmt_str(&f, !trace_spans_ready_ns()     ? "\"exitBeforeReady\""
                    : trace_spans_init_error() ? "\"initError\""
                    : lifecycle_at_snapshot()  ? "\"snapshot\""
                                               : "\"ready\"");
    }
    fmt_str(&f, ",\"spans\":");
    fmt_u64(&f, trace_spans_count());
    fmt_str(&f, ",\"spansDropped\":");
    fmt_u64(&f, trace_spans_dropped());
    fmt_str(&f, ",\"spansNotDrawn\":");
    fmt_u64(&f, not_drawn);
    fmt_str(&f, ",\"filesOpened\":");
    fmt_u64(&f, initstats.files_opened);
    fmt_str(&f, ",\"bytesRead\":");
    fmt_u64(&f, initstats.bytes_read);
    fmt_str(&f, ",\"packages\":");
    fmt_u64(&f, prefix.packages);
    fmt_str(&f, "}}\n");
}

/* The configured path with %p replaced by the pid (%% is %). */
static bool path_now(char *out, size_t size)
{
    struct fmt p = fmt_on(out, size - 1);
    for (const char *c = config.trace_file; *c; c++) {
        if (c[0] == '%' && c[1] == 'p') {
            fmt_u64(&p, (uint64_t)pid);
            c++;
        } else if (c[0] == '%' && c[1] == '%') {
            fmt_mem(&p, "%", 1);
            c++;
        } else {
            fmt_mem(&p, c, 1);
        }
    }
    out[p.len] = 0;
    return !p.full;
}

/* One line per process at most: the file is written up to four times. */
static void warn_once(const char *a, const char *b, const char *c)
{
    static int said;
    if (!__atomic_exchange_n(&said, 1, __ATOMIC_RELAXED))
        config_warn("LWRAP_TRACE_FILE: ", a, b, c);
}

/* strerror's text, except in a signal handler, where strerror is not safe (it may
 * translate): "errno N" there. */
static const char *why(int err)
{
    static char num[32];
    if (!fatal_sig)
        return strerror(err);
    struct fmt n = fmt_on(num, sizeof num - 1);
    fmt_str(&n, "errno ");
    fmt_u64(&n, (uint64_t)err);
    num[n.len] = 0;
    return num;
}

/* Whether the timeline may go to path: a new name or a regular file, which the finished
 * file is renamed over. Anything else (a device such as /dev/null, a FIFO, a directory, a
 * symbolic link) would be replaced by that rename, so it is refused, never written. */
static bool path_allowed(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0) {
        if (errno == ENOENT)
            return true;
        warn_once(path, ": ", why(errno));
        return false;
    }
    if (S_ISREG(st.st_mode))
        return true;
    warn_once(path,
              S_ISLNK(st.st_mode) ? ": a symbolic link (give the file's own path); no timeline"
                                  : ": not a regular file (a device, FIFO or directory is never replaced); no timeline",
              NULL);
    return false;
}

/* The file the timeline is built in, invisible until complete: an unnamed O_TMPFILE in
 * path's directory (a kill while it is written leaves nothing behind), else, where the
 * file system has none, the named `tmp`, created exclusively. */
static int open_unnamed(const char *path, bool *named, char *tmp)
{
    char dir[300];
    size_t n = (size_t)(strrchr(path, '/') - path);
    memcpy(dir, path, n ? n : 1);
    dir[n ? n : 1] = 0;
    *named = false;
    int fd = REAL(open)(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644);
    if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL))
        return fd;
    *named = true;
    unlink(tmp); /* a leftover of an earlier process with this pid */
    return REAL(open)(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
}

/* After an invoke: the part before the invokes copied from the file written last, when
 * path is still that file; then the rest. False when it is not (removed, replaced). */
static bool copy_prefix(const char *path)
{
    if (!prefix.valid || !trace_spans_ready_ns())
        return false;
    int src = REAL(open)(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (src < 0)
        return false;
    struct stat st;
    bool same = fstat(src, &st) == 0 && st.st_dev == prefix.dev && st.st_ino == prefix.ino &&
                st.st_size == prefix.size && S_ISREG(st.st_mode);
    uint64_t left = prefix.len;
    while (same && left > 0 && !write_errno) {
        ssize_t n = REAL(read)(src, chunk, left < sizeof chunk ? left : sizeof chunk);
        if (n <= 0) {
            same = false;
            break;
        }
        f = fmt_on(chunk, sizeof chunk);
        f.len = (size_t)n;
        flush();
        left -= (uint64_t)n;
    }
    REAL(close)(src);
    if (!same) {
        /* a short copy: start again from nothing */
        if (written && ftruncate(out_fd, 0) == 0 && lseek(out_fd, 0, SEEK_SET) == 0)
            written = 0;
        else if (written)
            write_errno = EIO;
        f = fmt_on(chunk, sizeof chunk);
        return false;
    }
    f = fmt_on(chunk, sizeof chunk);
    first_event = false;
    body_invokes_on();
    return true;
}

/* Gives the complete unnamed file the name tmp (linkat cannot replace, rename can). */
static bool name_unnamed(int fd, const char *tmp)
{
    char proc[64];
    struct fmt p = fmt_on(proc, sizeof proc - 1);
    fmt_str(&p, "/proc/self/fd/");
    fmt_u64(&p, (uint64_t)fd);
    proc[p.len] = 0;
    unlink(tmp);
    return linkat(AT_FDCWD, proc, AT_FDCWD, tmp, AT_SYMLINK_FOLLOW) == 0;
}

void trace_timeline_write(void)
{
    static int busy;
    if (!config.trace_file[0] || __atomic_exchange_n(&busy, 1, __ATOMIC_ACQUIRE))
        return;
    int saved = errno;
    pid = getpid();
    char path[300], tmp[340];
    if (!path_now(path, sizeof path)) {
        warn_once(config.trace_file, ": the path is too long; no timeline", NULL);
        goto out;
    }
    if (!path_allowed(path))
        goto out;
    /* Unique to the process (two with %p-less paths do not share it); only a kill in the
     * two system calls between link and rename can leave it behind. */
    struct fmt t = fmt_on(tmp, sizeof tmp - 1);
    fmt_str(&t, path);
    fmt_str(&t, ".lwrap-");
    fmt_u64(&t, (uint64_t)pid);
    fmt_str(&t, ".tmp");
    tmp[t.len] = 0;
    bool named;
    out_fd = open_unnamed(path, &named, tmp);
    if (out_fd < 0) {
        warn_once(path, ": ", why(errno));
        goto out;
    }
    write_errno = 0;
    written = 0;
    f = fmt_on(chunk, sizeof chunk);
    if (!copy_prefix(path))
        body();
    flush();
    int err = write_errno;
    struct stat st;
    prefix.valid = !err && trace_spans_ready_ns() && fstat(out_fd, &st) == 0;
    if (prefix.valid) {
        prefix.dev = st.st_dev;
        prefix.ino = st.st_ino;
        prefix.size = st.st_size;
    }
    if (!err && !named && !name_unnamed(out_fd, tmp))
        err = errno;
    REAL(close)(out_fd);
    out_fd = -1;
    if (!err && rename(tmp, path) != 0)
        err = errno;
    if (err)
        prefix.valid = false;
    if (err) {
        unlink(tmp);
        warn_once(path, write_errno ? ": write failed: " : ": ", why(err));
    }
out:
    errno = saved;
    __atomic_store_n(&busy, 0, __ATOMIC_RELEASE);
}

void trace_timeline_write_signal(int sig)
{
    fatal_sig = sig;
    trace_timeline_write();
}
