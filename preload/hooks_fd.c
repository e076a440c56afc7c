/* The hooks that keep the fd table true: connect marks Runtime API connections
 * (non-blocking connects that return EINPROGRESS included, as libcurl's); close, fclose,
 * close_range, closefrom, the dup family and fcntl's F_DUPFD keep marks from outliving or
 * missing their socket, and let the log pipeline write what it holds for an fd before it goes. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "extension.h"
#include "fdtab.h"
#include "hook.h"
#include "lifecycle_events.h"
#include "logs.h"
#include "real.h"
#include "runtime_addr.h"
#include "trace_spans.h"

EXPORT int connect(int fd, const struct sockaddr *sa, socklen_t len)
{
    int (*fn)(int, const struct sockaddr *, socklen_t) = REAL(connect);
    if (UNLIKELY(!fn))
        return (int)syscall(SYS_connect, fd, sa, len);
    if (LIKELY(!(gate() & GATE_OBSERVE)))
        return fn(fd, sa, len);
    if (gate() & GATE_INIT_COUNT) {
        trace_spans_pause();         /* network work is nobody's file's */
        trace_spans_file_forget(fd); /* a file closed unseen had this number (libuv) */
    }
    bool to_api = runtime_addr_match(sa, len);
    if (to_api)
        extension_before_runtime_connect();
    int r = fn(fd, sa, len);
    int e = errno;
    bool going = r == 0 || e == EINPROGRESS || e == EINTR || e == EALREADY;
    if (going && to_api) {
        if (fdtab_watch(fd) < 0)
            lifecycle_lost(fd, (unsigned)fd >= FDTAB_FDS ? "fd-too-high" : "too-many-connections");
    } else {
        fdtab_forget(fd);
    }
    errno = e;
    return r;
}

/* fd is about to be closed or replaced: records held for it go out first, to what it
 * still is (`exec >file` in a bash runtime must not carry earlier lines into file). */
static void fd_changing(int fd)
{
    if (UNLIKELY(gate() & GATE_LOGS)) {
        int saved = errno;
        logs_fd_changing(fd);
        errno = saved;
    }
}

/* The log pipeline caches which fds are stdout/stderr/telemetry. */
static void fd_changed(int fd)
{
    int saved = errno;
    logs_fd_changed(fd);
    errno = saved;
}

/* dup2/dup3 made `to` a copy of `fd` (in a vfork child: its fds, not ours). */
static void dup_changed(int fd, int to)
{
    uint8_t g = gate();
    if (hook_in_vfork_child())
        return;
    if (g & GATE_OBSERVE)
        fdtab_dup(fd, to);
    if (g & GATE_LOGS)
        fd_changed(to);
}

EXPORT int close(int fd)
{
    int (*fn)(int) = REAL(close);
    if (UNLIKELY(!fn))
        return (int)syscall(SYS_close, fd);
    /* Forget first: once closed, another thread may get the same number back. */
    uint8_t g = gate();
    if (UNLIKELY(g) && hook_in_vfork_child())
        return fn(fd);
    if (UNLIKELY(g & GATE_OBSERVE))
        fdtab_forget(fd);
    if (UNLIKELY(g & GATE_INIT_COUNT))
        trace_spans_file_close(fd);
    fd_changing(fd);
    int r = fn(fd);
    if (UNLIKELY(g & GATE_LOGS))
        fd_changed(fd);
    return r;
}

/* fclose closes its fd inside glibc, not through our close. */
EXPORT int fclose(FILE *f)
{
    int (*fn)(FILE *) = REAL(fclose);
    uint8_t g = gate();
    int fd = UNLIKELY(g) && f && !hook_in_vfork_child() ? fileno(f) : -1;
    if (fd >= 0) {
        if (g & GATE_OBSERVE)
            fdtab_forget(fd);
        if (g & GATE_INIT_COUNT)
            trace_spans_file_close(fd);
        fd_changing(fd);
    }
    int r = fn(f);
    if (fd >= 0 && (g & GATE_LOGS))
        fd_changed(fd);
    return r;
}

/* close_range (Python's os.closerange) and closefrom: as close, for each fd of the range
 * the observer watches or the log pipeline knows (stdout, stderr, the telemetry fd, and
 * every fd it has classified). */
static void range_closing(unsigned lo, unsigned hi, uint8_t g)
{
    if (g & GATE_OBSERVE)
        for (unsigned fd = lo; fd <= hi && fd < FDTAB_FDS; fd++)
            if (fdtab_conn((int)fd) >= 0)
                fdtab_forget((int)fd);
    if (g & GATE_LOGS)
        logs_fd_range_changing(lo, hi);
}

static void range_closed(unsigned lo, unsigned hi, uint8_t g)
{
    if (g & GATE_LOGS) {
        int saved = errno;
        logs_fd_range_changed(lo, hi);
        errno = saved;
    }
}

EXPORT int close_range(unsigned lo, unsigned hi, int flags)
{
    int (*fn)(unsigned, unsigned, int) = REAL(close_range);
    uint8_t g = gate();
    /* CLOSE_RANGE_CLOEXEC only marks the fds; a vfork child's fds are not ours. */
    bool ours = g && lo <= hi && !(flags & CLOSE_RANGE_CLOEXEC) && !hook_in_vfork_child();
    if (ours)
        range_closing(lo, hi, g);
    int r = fn ? fn(lo, hi, flags) : (int)syscall(SYS_close_range, lo, hi, flags);
    if (ours && r == 0)
        range_closed(lo, hi, g);
    return r;
}

EXPORT void closefrom(int lo)
{
    void (*fn)(int) = REAL(closefrom);
    uint8_t g = gate();
    bool ours = g && lo >= 0 && !hook_in_vfork_child();
    if (ours)
        range_closing((unsigned)lo, ~0u, g);
    if (fn) {
        fn(lo);
    } else if (syscall(SYS_close_range, (unsigned)lo, ~0u, 0) != 0) {
        for (int fd = lo; fd < 65536; fd++)
            syscall(SYS_close, fd);
    }
    if (ours)
        range_closed((unsigned)lo, ~0u, g);
}

EXPORT int dup(int fd)
{
    int (*fn)(int) = REAL(dup);
    if (UNLIKELY(!fn))
        return (int)syscall(SYS_dup, fd);
    int r = fn(fd);
    if (UNLIKELY(gate() & GATE_OBSERVE) && r >= 0)
        fdtab_dup(fd, r);
    return r;
}

EXPORT int dup2(int fd, int to)
{
    int (*fn)(int, int) = REAL(dup2);
    if (UNLIKELY(!fn)) /* aarch64 has only dup3, which refuses fd == to */
        return fd == to ? fd : (int)syscall(SYS_dup3, fd, to, 0);
    if (fd != to)
        fd_changing(to);
    int r = fn(fd, to);
    if (UNLIKELY(gate()) && r >= 0 && fd != to)
        dup_changed(fd, to);
    return r;
}

EXPORT int dup3(int fd, int to, int flags)
{
    int (*fn)(int, int, int) = REAL(dup3);
    if (UNLIKELY(!fn))
        return (int)syscall(SYS_dup3, fd, to, flags);
    fd_changing(to);
    int r = fn(fd, to, flags);
    if (UNLIKELY(gate()) && r >= 0)
        dup_changed(fd, to);
    return r;
}

/* fcntl(F_DUPFD, F_DUPFD_CLOEXEC) is a dup (Python's os.dup, libuv make their copies so);
 * like dup, the copy never replaces an open fd. Programs built with _FILE_OFFSET_BITS=64
 * on glibc >= 2.28 call fcntl64: the same call on LP64, hooked under both names. The
 * argument is taken as glibc's fcntl takes it: one pointer-sized word, whatever cmd. */
static int fcntl_hook(int fd, int cmd, void *arg)
{
    int (*fn)(int, int, ...) = REAL(fcntl);
    if (UNLIKELY(!fn))
        return (int)syscall(SYS_fcntl, fd, cmd, arg);
    int r = fn(fd, cmd, arg);
    if (UNLIKELY(gate() & GATE_OBSERVE) && r >= 0 && (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC) &&
        !hook_in_vfork_child()) {
        int saved = errno;
        fdtab_dup(fd, r);
        errno = saved;
    }
    return r;
}

EXPORT int fcntl(int fd, int cmd, ...)
{
    va_list ap;
    va_start(ap, cmd);
    void *arg = va_arg(ap, void *);
    va_end(ap);
    return fcntl_hook(fd, cmd, arg);
}

EXPORT int fcntl64(int fd, int cmd, ...)
{
    va_list ap;
    va_start(ap, cmd);
    void *arg = va_arg(ap, void *);
    va_end(ap);
    return fcntl_hook(fd, cmd, arg);
}
