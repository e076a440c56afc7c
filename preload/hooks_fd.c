/* The hooks that keep the fd table true: connect marks Runtime API connections
 * (non-blocking connects that return EINPROGRESS included, as libcurl's); close and the
 * dup family keep marks from outliving or missing their socket. */
#include <errno.h>
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

EXPORT int connect(int fd, const struct sockaddr *sa, socklen_t len)
{
    int (*fn)(int, const struct sockaddr *, socklen_t) = REAL(connect);
    if (UNLIKELY(!fn))
        return (int)syscall(SYS_connect, fd, sa, len);
    if (LIKELY(!(gate() & GATE_OBSERVE)))
        return fn(fd, sa, len);
    bool to_api = runtime_addr_match(sa, len);
    if (to_api)
        extension_before_runtime_connect();
    int r = fn(fd, sa, len);
    int e = errno;
    bool going = r == 0 || e == EINPROGRESS || e == EINTR || e == EALREADY;
    if (going && to_api) {
        if (fdtab_watch(fd) < 0)
            lifecycle_lost(fd, "too-many-connections");
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

/* dup2/dup3 made `to` a copy of `fd`. */
static void dup_changed(int fd, int to)
{
    uint8_t g = gate();
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
    if (UNLIKELY(g & GATE_OBSERVE))
        fdtab_forget(fd);
    fd_changing(fd);
    int r = fn(fd);
    if (UNLIKELY(g & GATE_LOGS))
        fd_changed(fd);
    return r;
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
