/* The pipeline's settings and its entry points from the preload core (logs.h).
 *
 * LWRAP_LOGS=off (default) means the runtime's stdout and stderr are never touched; with
 * no other log feature logs_enabled stays false and the write hooks pass everything
 * through. Two features still work with off, each touching only its own part (they set
 * logs_enabled, and logs_intercept declines stdout/stderr at once):
 * - LWRAP_LOG_LEVEL (explicit) filters the frames the runtime writes to the telemetry
 *   fd by their level bits; kept frames pass byte-exact. (AWS_LAMBDA_LOG_LEVEL is the
 *   default threshold only when LWRAP_LOGS is text or json.)
 * - the importtime summary takes `import time:` lines out of C stdio's stderr. */
#include "log_internal.h"

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "config.h"
#include "logs.h"
#include "sink.h"
#include "telemetry.h"
#include "user_mem.h"

bool logs_enabled;
struct log_config log_cfg = {.tfd = -1};
volatile bool log_exiting;
static bool active; /* any log feature on */
static uint64_t reported_dropped;

static int level_env(const char *name, bool warn)
{
    const char *v = getenv(name);
    if (!v || !*v)
        return LOG_LVL_NONE;
    int l = log_level_parse(v, strlen(v));
    if (!l && warn)
        config_warn(name, ": unknown level \"", v,
                    "\" (want TRACE, DEBUG, INFO, WARN, ERROR or FATAL); ignored");
    return l;
}

/* What the forking thread printed comes out before whatever the child prints, an
 * unfinished line too (order matters more there than the line staying one record). */
static void atfork_prepare(void)
{
    if (log_cfg.streams)
        log_flush_own(LOG_OWN_ALL);
}

static void atfork_child(void)
{
    log_pid = getpid();
    /* The parent reports what it dropped; a forked child (a bash subshell) only its own. */
    reported_dropped = log_dropped;
    log_record_atfork_child();
    log_frames_atfork_child();
    log_importtime_atfork_child();
    log_flusher_atfork_child();
}

void logs_init(void)
{
    const char *m = getenv("LWRAP_LOGS");
    if (!m || !*m || strcmp(m, "off") == 0)
        log_cfg.mode = LOG_MODE_OFF;
    else if (strcmp(m, "text") == 0)
        log_cfg.mode = LOG_MODE_TEXT;
    else if (strcmp(m, "json") == 0)
        log_cfg.mode = LOG_MODE_JSON;
    else
        config_warn("LWRAP_LOGS: unknown mode \"", m, "\" (want off, text or json); using off", NULL);
    int explicit_level = level_env("LWRAP_LOG_LEVEL", true);
    log_cfg.threshold = explicit_level;
    if (!explicit_level && log_cfg.mode != LOG_MODE_OFF)
        log_cfg.threshold = level_env("AWS_LAMBDA_LOG_LEVEL", false);
    log_cfg.tfd = telemetry_fd();
    log_cfg.streams = log_cfg.mode != LOG_MODE_OFF;
    log_cfg.frames = log_cfg.tfd >= 0 && (log_cfg.streams || explicit_level);
    log_importtime_init();
    if (!log_cfg.streams && !log_cfg.frames && !log_cfg.importtime)
        return;
    active = true;
    log_pid = getpid();
    log_fd_init();
    log_order_init();
    log_exit_init();
    pthread_atfork(atfork_prepare, NULL, atfork_child);
    if (!log_stdio_install(log_cfg.streams, log_cfg.streams || log_cfg.importtime)) {
        config_out_of_memory(log_cfg.streams ? "C stdio streams not replaced; LWRAP_LOGS is off"
                                             : "C stdio streams not replaced; no importtime summary");
        log_cfg.streams = log_cfg.importtime = false;
        log_cfg.frames = log_cfg.tfd >= 0 && explicit_level;
        active = log_cfg.frames;
        if (!active)
            return;
    }
    if (log_cfg.streams)
        log_redact_init();
    /* The importtime summary alone needs no write to be intercepted, but it needs the
     * observer (runtime ready, invoke end), which the core runs when logs_enabled. */
    logs_enabled = true;
}

/* The kernel's own verdict on a call the pipeline would take: anything it would refuse
 * or cut short (a count it rejects, a send on what is no socket, a buffer it cannot read)
 * goes to the real call, so the program gets the kernel's answer. Sets *total to the
 * byte count. */
static bool kernel_would_take(int fd, const struct iovec *iov, int iovcnt, bool send_call,
                              size_t *total)
{
    if (iovcnt < 0 || iovcnt > IOV_MAX || (send_call && !log_fd_socket(fd)))
        return false;
    if (!user_mem_readable(iov, iovcnt))
        return false;
    *total = 0;
    for (int i = 0; i < iovcnt; i++) {
        if (iov[i].iov_len > (size_t)SSIZE_MAX - *total)
            return false; /* EINVAL */
        *total += iov[i].iov_len;
    }
    return true;
}

bool logs_intercept(int fd, const struct iovec *iov, int iovcnt, bool send_call, ssize_t *result)
{
    int k = log_fd_kind(fd);
    bool frames = k == LOG_FD_TELEMETRY;
    if (frames ? !log_cfg.frames : (k != LOG_FD_STDOUT && k != LOG_FD_STDERR) || !log_cfg.streams)
        return false;
    size_t total;
    if (!kernel_would_take(fd, iov, iovcnt, send_call, &total)) {
        if (!log_must_defer())
            log_flush_own(LOG_OWN_ALL); /* what the kernel does write comes after what we hold */
        return false;
    }
    if (total == 0)
        return false;
    /* A destination that failed: the program's write meets the error itself. */
    int stream = frames ? LOG_DEFER_FRAMES : k == LOG_FD_STDERR ? LOG_STDERR : LOG_STDOUT;
    /* A saved copy of stdout while fd 1 is elsewhere: as it is, where it was sent. */
    if (!frames && !log_fd_home_ok(stream, fd))
        return false;
    /* A signal handler interrupted this thread inside the pipeline: wait in the queue. */
    if (log_must_defer())
        return log_defer(stream, iov, iovcnt, result);
    int dest = frames ? log_cfg.tfd : log_dest_fd(stream);
    if (sink_broken(dest))
        return false;
    if (frames && log_cfg.streams)
        log_flush_own(LOG_OWN_COMPLETE); /* what this thread printed before logging comes first */
    if (!frames)
        log_feedv(k == LOG_FD_STDERR ? LOG_STDERR : LOG_STDOUT, iov, iovcnt);
    for (int i = 0; frames && i < iovcnt; i++)
        if (iov[i].iov_len)
            log_frames_feed(iov[i].iov_base, iov[i].iov_len);
    *result = (ssize_t)total;
    return true;
}

/* "N records below LEVEL dropped", once per invoke (and at exit) when there were any;
 * written at the threshold level so that it passes the filter itself. */
static void report_dropped(void)
{
    uint64_t now = __atomic_load_n(&log_dropped, __ATOMIC_RELAXED);
    uint64_t prev = __atomic_exchange_n(&reported_dropped, now, __ATOMIC_RELAXED);
    if (now <= prev)
        return;
    char msg[128], digits[24];
    uint64_t v = now - prev;
    int d = 0;
    do {
        digits[d++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    size_t n = 0;
    memcpy(msg, "lwrap: ", 7), n = 7;
    while (d)
        msg[n++] = digits[--d];
    const char *tail = " log records below ";
    memcpy(msg + n, tail, strlen(tail)), n += strlen(tail);
    const char *lv = log_level_name(log_cfg.threshold);
    memcpy(msg + n, lv, strlen(lv)), n += strlen(lv);
    memcpy(msg + n, " dropped", 8), n += 8;
    log_emit_own(LOG_STDOUT, log_cfg.threshold, msg, n);
}

void logs_on_runtime_ready(void)
{
    if (!active)
        return;
    log_flush_slots(true, true);
    log_importtime_report(true);
}

/* The running invocation's deadline (CLOCK_REALTIME us; 0: none). With several in
 * flight (Managed Instances) the latest started one's. */
static uint64_t deadline_us;

bool log_hold_off(uint64_t now_us)
{
    uint64_t d = __atomic_load_n(&deadline_us, __ATOMIC_RELAXED);
    return d && now_us + LOG_DEADLINE_MARGIN_US >= d;
}

uint64_t log_hold_off_at(void)
{
    uint64_t d = __atomic_load_n(&deadline_us, __ATOMIC_RELAXED);
    return d > LOG_DEADLINE_MARGIN_US ? d - LOG_DEADLINE_MARGIN_US : 0;
}

void logs_on_invoke_start(const char *request_id, const char *deadline_ms)
{
    (void)request_id;
    uint64_t ms = 0;
    for (const char *p = deadline_ms; *p >= '0' && *p <= '9' && ms < UINT64_MAX / 10000; p++)
        ms = ms * 10 + (uint64_t)(*p - '0');
    __atomic_store_n(&deadline_us, ms * 1000, __ATOMIC_RELAXED);
}

void logs_on_invoke_end(const char *request_id, bool others_in_flight)
{
    (void)request_id;
    if (!others_in_flight) /* (another's deadline still stands) */
        __atomic_store_n(&deadline_us, 0, __ATOMIC_RELAXED);
    if (!active)
        return;
    if (log_cfg.streams) {
        fflush(stdout); /* a native extension's buffered printf belongs to this invoke */
        log_flush_at_invoke_end(others_in_flight);
    }
    log_importtime_report(false);
    report_dropped();
}

void logs_fd_changing(int fd)
{
    if (!active || !log_cfg.streams || (fd != 1 && fd != 2 && fd != log_cfg.tfd) ||
        (pid_t)syscall(SYS_getpid) != log_pid || log_reentered())
        return;
    log_flush_slots(true, true);
}

void logs_fd_range_changing(unsigned lo, unsigned hi)
{
    unsigned tfd = (unsigned)log_cfg.tfd;
    if ((lo <= 1 && hi >= 1) || (lo <= 2 && hi >= 2) || (log_cfg.tfd >= 0 && lo <= tfd && hi >= tfd))
        logs_fd_changing(lo <= 1 && hi >= 1 ? 1 : lo <= 2 && hi >= 2 ? 2 : log_cfg.tfd);
}

bool logs_hold_records(void)
{
    return active && (log_cfg.streams || log_cfg.importtime);
}

bool logs_defer_write(int fd, const struct iovec *iov, int cnt, bool send_call, ssize_t *result)
{
    if (!active)
        return false;
    int k = log_fd_kind(fd);
    bool frames = k == LOG_FD_TELEMETRY;
    if (frames ? !log_cfg.frames : (k != LOG_FD_STDOUT && k != LOG_FD_STDERR) || !log_cfg.streams)
        return false;
    size_t total;
    if (!kernel_would_take(fd, iov, cnt, send_call, &total))
        return false;
    int stream = frames ? LOG_DEFER_FRAMES : k == LOG_FD_STDERR ? LOG_STDERR : LOG_STDOUT;
    if (!frames && !log_fd_home_ok(stream, fd))
        return false;
    return log_defer(stream, iov, cnt, result);
}

void logs_on_fatal_signal(void)
{
    if (!active)
        return;
    /* (LWRAP_REDACT's regexec allocates: only the built-in masks here) */
    if (log_cfg.streams && (pid_t)syscall(SYS_getpid) == log_pid) {
        log_flush_slots(false, false);
        log_defer_write_raw();
    }
    log_importtime_final(true);
}

void logs_on_init_error(void)
{
    if (!active)
        return;
    if (log_cfg.streams)
        log_flush_slots(true, true);
    log_importtime_final(false);
}

void logs_on_restore_over(void)
{
    if (active)
        log_flush_slots(true, true);
}

void logs_before_raw_write(int fd)
{
    int k = active && log_cfg.streams ? log_fd_kind(fd) : LOG_FD_OTHER;
    if (k == LOG_FD_STDOUT || k == LOG_FD_STDERR || k == LOG_FD_TELEMETRY)
        log_flush_own(LOG_OWN_ALL);
}

void logs_before_positioned_write(int fd)
{
    int k = active && log_cfg.streams ? log_fd_kind(fd) : LOG_FD_OTHER;
    if ((k == LOG_FD_STDOUT || k == LOG_FD_STDERR || k == LOG_FD_TELEMETRY) &&
        (pid_t)syscall(SYS_getpid) == log_pid && !log_reentered())
        log_flush_slots(true, true);
}

void logs_before_spawn(void)
{
    if (active && log_cfg.streams)
        log_flush_own(LOG_OWN_ALL);
}

void logs_before_thread(void)
{
    if (active && log_cfg.streams)
        log_flush_own(LOG_OWN_COMPLETE);
}

void logs_before_exec(void)
{
    if (!active || !log_cfg.streams)
        return;
    /* A vfork child (posix_spawn, Python's subprocess) about to exec shares our memory
     * and runs on the forking thread's stack and thread-local data while that thread
     * waits: it writes what that thread printed (so it comes before the child's own
     * output), and nothing of other threads, which run on. */
    if ((pid_t)syscall(SYS_getpid) == log_pid)
        log_flush_slots(true, true);
    else
        log_flush_own_vfork_child();
}

/* What C stdio still buffers is left to glibc, which flushes it after every destructor
 * (as it would have, after the writes of destructors that run after ours); with
 * log_exiting set, it goes out at once. */
__attribute__((destructor)) static void logs_fini(void)
{
    if (!active)
        return;
    log_exiting = true;
    log_flush_slots(true, true);
    if (hook_deferred) { /* a signal handler wrote meanwhile */
        hook_run_deferred();
        log_flush_slots(true, true);
    }
    log_importtime_final(false);
    report_dropped();
}
