/* The send/receive hooks: write, writev, send, sendto, sendmsg out; read, readv, recv,
 * recvfrom, recvmsg (and glibc's fortified __read_chk, __recv_chk, __recvfrom_chk) in.
 * With every feature off each is one table load, one gate load and a tail call (the work
 * lives in separate noinline functions, so the fast path has no frame or canary). Out:
 * the log pipeline sees a write first (it may take it), then the observer sees the bytes
 * that actually went. In: the observer sees the bytes that actually came. */
#include <errno.h>
#include <limits.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "debuglog.h"
#include "fdtab.h"
#include "hook.h"
#include "initstats.h"
#include "logs.h"
#include "observer.h"
#include "real.h"
#include "trace_spans.h"
#include "user_mem.h"

/* send flags the log pipeline can honour by taking the bytes (no signal, no wait); any
 * other flag is the kernel's to judge. */
#define SEND_PLAIN (MSG_NOSIGNAL | MSG_DONTWAIT)

/* Before a write: the debug echo and the log pipeline. True when the pipeline took the
 * write and *result is what the caller gets. */
static bool out_before(uint8_t g, int fd, const struct iovec *iov, int cnt, bool to_log,
                       bool send_call, ssize_t *result)
{
    if (UNLIKELY(g & GATE_ECHO) && (fd == 1 || fd == 2) && cnt > 0 && user_mem_readable(iov, 1)) {
        int saved = errno;
        debuglog_out(fd, iov[0].iov_base, iov[0].iov_len);
        errno = saved;
    }
    int slot;
    if ((g & GATE_OBSERVE) && (slot = fdtab_conn(fd)) >= 0)
        observer_before_send(slot, iov, cnt);
    return (g & GATE_LOGS) && to_log && logs_intercept(fd, iov, cnt, send_call, result); /* gate set from logs_enabled */
}

static void out_after(uint8_t g, int fd, const struct iovec *iov, int cnt, ssize_t r)
{
    int slot;
    if ((g & GATE_OBSERVE) && r > 0 && (slot = fdtab_conn(fd)) >= 0)
        observer_sent(slot, fd, iov, cnt, (size_t)r);
}

/* Whether a call on fd has work beyond the real call: the observer only cares about
 * watched fds, so with only the observer on, other fds still take the fast path. */
static inline bool out_wanted(uint8_t g, int fd)
{
    return UNLIKELY(g & (GATE_LOGS | GATE_ECHO)) || (UNLIKELY(g & GATE_OBSERVE) && fdtab_conn(fd) >= 0);
}

static inline bool in_wanted(uint8_t g, int fd)
{
    return UNLIKELY(g & GATE_INIT_COUNT) || (UNLIKELY(g & GATE_OBSERVE) && fdtab_conn(fd) >= 0);
}

static void in_after(int fd, const struct iovec *iov, int cnt, ssize_t r, int flags)
{
    uint8_t g = gate();
    if (r <= 0)
        return;
    if (g & GATE_INIT_COUNT) {
        initstats_read(r);
        trace_spans_file_read(fd, (long)r);
    }
    int slot;
    if (!(g & GATE_OBSERVE) || (slot = fdtab_conn(fd)) < 0 || !guard_enter())
        return;
    if (flags & MSG_TRUNC)
        observer_give_up(slot, fd, "recv-MSG_TRUNC"); /* bytes discarded unseen */
    else if (!(flags & MSG_PEEK))                      /* peeked bytes come again */
        observer_received(slot, fd, iov, cnt, (size_t)r);
    guard_leave();
}

#define SLOW static __attribute__((noinline))

/* One write-family call with the work around it: the log pipeline may take it, the
 * observer sees what went. CALL is the real call; send_call: a send* (needs a socket). */
#define OUT_SLOW(g, fd, iov, cnt, to_log, send_call, CALL) \
    do { \
        if (!guard_enter()) { \
            ssize_t q_; \
            if ((g & GATE_LOGS) && (to_log) && logs_defer_write(fd, iov, cnt, send_call, &q_)) \
                return q_; \
            return CALL; \
        } \
        ssize_t r_; \
        if (!out_before(g, fd, iov, cnt, to_log, send_call, &r_)) { \
            r_ = CALL; \
            out_after(g, fd, iov, cnt, r_); \
        } \
        guard_leave(); \
        return r_; \
    } while (0)

SLOW ssize_t write_slow(ssize_t (*fn)(int, const void *, size_t), uint8_t g, int fd,
                        const void *buf, size_t n)
{
    struct iovec iov = {(void *)buf, n};
    OUT_SLOW(g, fd, &iov, 1, true, false, fn(fd, buf, n));
}

EXPORT ssize_t write(int fd, const void *buf, size_t n)
{
    ssize_t (*fn)(int, const void *, size_t) = REAL(write);
    if (UNLIKELY(!fn))
        return syscall(SYS_write, fd, buf, n);
    uint8_t g = gate();
    if (LIKELY(!out_wanted(g, fd)))
        return fn(fd, buf, n);
    return write_slow(fn, g, fd, buf, n);
}

SLOW ssize_t writev_slow(ssize_t (*fn)(int, const struct iovec *, int), uint8_t g, int fd,
                         const struct iovec *iov, int cnt)
{
    OUT_SLOW(g, fd, iov, cnt, true, false, fn(fd, iov, cnt));
}

EXPORT ssize_t writev(int fd, const struct iovec *iov, int cnt)
{
    ssize_t (*fn)(int, const struct iovec *, int) = REAL(writev);
    if (UNLIKELY(!fn))
        return syscall(SYS_writev, fd, iov, cnt);
    uint8_t g = gate();
    if (LIKELY(!out_wanted(g, fd)))
        return fn(fd, iov, cnt);
    return writev_slow(fn, g, fd, iov, cnt);
}

SLOW ssize_t send_slow(ssize_t (*fn)(int, const void *, size_t, int), uint8_t g, int fd,
                       const void *buf, size_t n, int flags)
{
    struct iovec iov = {(void *)buf, n};
    OUT_SLOW(g, fd, &iov, 1, !(flags & ~SEND_PLAIN), true, fn(fd, buf, n, flags));
}

EXPORT ssize_t send(int fd, const void *buf, size_t n, int flags)
{
    ssize_t (*fn)(int, const void *, size_t, int) = REAL(send);
    if (UNLIKELY(!fn))
        return syscall(SYS_sendto, fd, buf, n, flags, NULL, 0);
    uint8_t g = gate();
    if (LIKELY(!out_wanted(g, fd)))
        return fn(fd, buf, n, flags);
    return send_slow(fn, g, fd, buf, n, flags);
}

typedef ssize_t (*sendto_fn)(int, const void *, size_t, int, const struct sockaddr *, socklen_t);

SLOW ssize_t sendto_slow(sendto_fn fn, uint8_t g, int fd, const void *buf, size_t n, int flags,
                         const struct sockaddr *to, socklen_t tolen)
{
    struct iovec iov = {(void *)buf, n};
    OUT_SLOW(g, fd, &iov, 1, to == NULL && !(flags & ~SEND_PLAIN), true,
             fn(fd, buf, n, flags, to, tolen));
}

EXPORT ssize_t sendto(int fd, const void *buf, size_t n, int flags, const struct sockaddr *to,
                      socklen_t tolen)
{
    sendto_fn fn = REAL(sendto);
    if (UNLIKELY(!fn))
        return syscall(SYS_sendto, fd, buf, n, flags, to, tolen);
    uint8_t g = gate();
    if (LIKELY(!out_wanted(g, fd)))
        return fn(fd, buf, n, flags, to, tolen);
    return sendto_slow(fn, g, fd, buf, n, flags, to, tolen);
}

SLOW ssize_t sendmsg_slow(ssize_t (*fn)(int, const struct msghdr *, int), uint8_t g, int fd,
                          const struct msghdr *msg, int flags)
{
    struct iovec whole = {(void *)msg, sizeof *msg};
    if (!user_mem_readable(&whole, 1) || msg->msg_iovlen > IOV_MAX)
        return fn(fd, msg, flags); /* EFAULT, EMSGSIZE: the kernel's answer */
    bool plain = msg->msg_name == NULL && msg->msg_controllen == 0 && !(flags & ~SEND_PLAIN);
    OUT_SLOW(g, fd, msg->msg_iov, (int)msg->msg_iovlen, plain, true, fn(fd, msg, flags));
}

EXPORT ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
    ssize_t (*fn)(int, const struct msghdr *, int) = REAL(sendmsg);
    if (UNLIKELY(!fn))
        return syscall(SYS_sendmsg, fd, msg, flags);
    uint8_t g = gate();
    if (LIKELY(!out_wanted(g, fd)))
        return fn(fd, msg, flags);
    return sendmsg_slow(fn, g, fd, msg, flags);
}

/* One receive-family call, then what came in goes to the counters and the observer. */
#define IN_SLOW(fd, buf, n, flags, CALL) \
    do { \
        ssize_t r_ = CALL; \
        struct iovec iov_ = {buf, n}; \
        in_after(fd, &iov_, 1, r_, flags); \
        return r_; \
    } while (0)

SLOW ssize_t read_slow(ssize_t (*fn)(int, void *, size_t), int fd, void *buf, size_t n)
{
    IN_SLOW(fd, buf, n, 0, fn(fd, buf, n));
}

EXPORT ssize_t read(int fd, void *buf, size_t n)
{
    ssize_t (*fn)(int, void *, size_t) = REAL(read);
    if (UNLIKELY(!fn))
        return syscall(SYS_read, fd, buf, n);
    if (LIKELY(!in_wanted(gate(), fd)))
        return fn(fd, buf, n);
    return read_slow(fn, fd, buf, n);
}

SLOW ssize_t read_chk_slow(ssize_t (*fn)(int, void *, size_t, size_t), int fd, void *buf,
                           size_t n, size_t buflen)
{
    IN_SLOW(fd, buf, n, 0, fn(fd, buf, n, buflen));
}

EXPORT ssize_t __read_chk(int fd, void *buf, size_t n, size_t buflen)
{
    ssize_t (*fn)(int, void *, size_t, size_t) = REAL(read_chk);
    if (UNLIKELY(!fn))
        return syscall(SYS_read, fd, buf, n);
    if (LIKELY(!in_wanted(gate(), fd)))
        return fn(fd, buf, n, buflen);
    return read_chk_slow(fn, fd, buf, n, buflen);
}

SLOW ssize_t readv_slow(ssize_t (*fn)(int, const struct iovec *, int), int fd,
                        const struct iovec *iov, int cnt)
{
    ssize_t r = fn(fd, iov, cnt);
    in_after(fd, iov, cnt, r, 0);
    return r;
}

EXPORT ssize_t readv(int fd, const struct iovec *iov, int cnt)
{
    ssize_t (*fn)(int, const struct iovec *, int) = REAL(readv);
    if (UNLIKELY(!fn))
        return syscall(SYS_readv, fd, iov, cnt);
    if (LIKELY(!in_wanted(gate(), fd)))
        return fn(fd, iov, cnt);
    return readv_slow(fn, fd, iov, cnt);
}

SLOW ssize_t recv_slow(ssize_t (*fn)(int, void *, size_t, int), int fd, void *buf, size_t n,
                       int flags)
{
    IN_SLOW(fd, buf, n, flags, fn(fd, buf, n, flags));
}

EXPORT ssize_t recv(int fd, void *buf, size_t n, int flags)
{
    ssize_t (*fn)(int, void *, size_t, int) = REAL(recv);
    if (UNLIKELY(!fn))
        return syscall(SYS_recvfrom, fd, buf, n, flags, NULL, NULL);
    if (LIKELY(!in_wanted(gate(), fd)))
        return fn(fd, buf, n, flags);
    return recv_slow(fn, fd, buf, n, flags);
}

SLOW ssize_t recv_chk_slow(ssize_t (*fn)(int, void *, size_t, size_t, int), int fd, void *buf,
                           size_t n, size_t buflen, int flags)
{
    IN_SLOW(fd, buf, n, flags, fn(fd, buf, n, buflen, flags));
}

EXPORT ssize_t __recv_chk(int fd, void *buf, size_t n, size_t buflen, int flags)
{
    ssize_t (*fn)(int, void *, size_t, size_t, int) = REAL(recv_chk);
    if (UNLIKELY(!fn))
        return syscall(SYS_recvfrom, fd, buf, n, flags, NULL, NULL);
    if (LIKELY(!in_wanted(gate(), fd)))
        return fn(fd, buf, n, buflen, flags);
    return recv_chk_slow(fn, fd, buf, n, buflen, flags);
}

typedef ssize_t (*recvfrom_fn)(int, void *, size_t, int, struct sockaddr *, socklen_t *);

SLOW ssize_t recvfrom_slow(recvfrom_fn fn, int fd, void *buf, size_t n, int flags,
                           struct sockaddr *from, socklen_t *fromlen)
{
    IN_SLOW(fd, buf, n, flags, fn(fd, buf, n, flags, from, fromlen));
}

EXPORT ssize_t recvfrom(int fd, void *buf, size_t n, int flags, struct sockaddr *from,
                        socklen_t *fromlen)
{
    recvfrom_fn fn = REAL(recvfrom);
    if (UNLIKELY(!fn))
        return syscall(SYS_recvfrom, fd, buf, n, flags, from, fromlen);
    if (LIKELY(!in_wanted(gate(), fd)))
        return fn(fd, buf, n, flags, from, fromlen);
    return recvfrom_slow(fn, fd, buf, n, flags, from, fromlen);
}

typedef ssize_t (*recvfrom_chk_fn)(int, void *, size_t, size_t, int, struct sockaddr *,
                                   socklen_t *);

SLOW ssize_t recvfrom_chk_slow(recvfrom_chk_fn fn, int fd, void *buf, size_t n, size_t buflen,
                               int flags, struct sockaddr *from, socklen_t *fromlen)
{
    IN_SLOW(fd, buf, n, flags, fn(fd, buf, n, buflen, flags, from, fromlen));
}

EXPORT ssize_t __recvfrom_chk(int fd, void *buf, size_t n, size_t buflen, int flags,
                              struct sockaddr *from, socklen_t *fromlen)
{
    recvfrom_chk_fn fn = REAL(recvfrom_chk);
    if (UNLIKELY(!fn))
        return syscall(SYS_recvfrom, fd, buf, n, flags, from, fromlen);
    if (LIKELY(!in_wanted(gate(), fd)))
        return fn(fd, buf, n, buflen, flags, from, fromlen);
    return recvfrom_chk_slow(fn, fd, buf, n, buflen, flags, from, fromlen);
}

SLOW ssize_t recvmsg_slow(ssize_t (*fn)(int, struct msghdr *, int), int fd, struct msghdr *msg,
                          int flags)
{
    ssize_t r = fn(fd, msg, flags);
    in_after(fd, msg->msg_iov, (int)msg->msg_iovlen, r, flags);
    return r;
}

EXPORT ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
    ssize_t (*fn)(int, struct msghdr *, int) = REAL(recvmsg);
    if (UNLIKELY(!fn))
        return syscall(SYS_recvmsg, fd, msg, flags);
    if (LIKELY(!in_wanted(gate(), fd)))
        return fn(fd, msg, flags);
    return recvmsg_slow(fn, fd, msg, flags);
}
