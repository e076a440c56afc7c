/* See sink.h. One lock per destination (stdout, stderr, the telemetry fd, any other fd):
 * a stdout pipe nobody reads must not hold up stderr. Each is a futex word (0 free, 1
 * held, 2 held with waiters) plus the holder's thread marker, so a signal handler can
 * tell that its own thread holds it. */
#include "sink.h"

#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "hook.h"
#include "real.h"
#include "telemetry.h"

struct lock {
    int word;           /* atomic */
    const void *holder; /* atomic: the holding thread's marker */
};
static struct lock locks[4]; /* stdout, stderr, telemetry fd, other */
static __thread char marker __attribute__((tls_model("initial-exec")));
static __thread unsigned held_by_me __attribute__((tls_model("initial-exec"))); /* locks */
static __thread bool in_signal __attribute__((tls_model("initial-exec")));

/* Per destination (stdout, stderr, telemetry fd): 0 = not checked yet, -1 = fine,
 * else the errno it failed with. */
static int state[3];
/* A pipe or socket (its reader can go away at any time), and when (coarse clock tick)
 * we last looked whether it did. Atomic: threads may probe a destination at once; a
 * state other than 0, stored with release, says it is known. */
static bool readers_can_go[3];
static long looked[3];
/* A telemetry fd in the middle of a runtime frame too big to hold (log_frames.c passes
 * it through piece by piece as the runtime writes it): -1 when none. */
static int open_fd = -1;
static int tfd = -1; /* the runtime's telemetry fd, captured before sink_init */
static int one_file; /* stdout and stderr are one file: 0 not known yet, 1 yes, 2 no */

/* A vfork child shares our memory but not our fds: what it finds must not stick. */
static bool in_owner(void)
{
    return !hook_in_vfork_child();
}

void sink_init(void)
{
    tfd = telemetry_fd();
}

static long futex(int *w, int op, int val, const struct timespec *ts)
{
    return syscall(SYS_futex, w, op, val, ts, NULL, 0);
}

static void lock(struct lock *l)
{
    int c = 0;
    if (!__atomic_compare_exchange_n(&l->word, &c, 1, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
        if (c != 2)
            c = __atomic_exchange_n(&l->word, 2, __ATOMIC_ACQUIRE);
        while (c != 0) {
            futex(&l->word, FUTEX_WAIT_PRIVATE, 2, NULL);
            c = __atomic_exchange_n(&l->word, 2, __ATOMIC_ACQUIRE);
        }
    }
    __atomic_store_n(&l->holder, &marker, __ATOMIC_RELAXED);
    held_by_me++;
}

/* From a signal handler: never the lock our own interrupted thread holds, and at most
 * about 200 ms for another thread's (it may be stuck on a pipe nobody reads). */
static bool lock_bounded(struct lock *l)
{
    if (__atomic_load_n(&l->holder, __ATOMIC_RELAXED) == &marker)
        return false;
    for (int i = 0; i < 200; i++) {
        int c = 0;
        if (__atomic_compare_exchange_n(&l->word, &c, 2, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
            __atomic_store_n(&l->holder, &marker, __ATOMIC_RELAXED);
            held_by_me++;
            return true;
        }
        struct timespec ts = {0, 1000 * 1000};
        futex(&l->word, FUTEX_WAIT_PRIVATE, c, &ts);
    }
    return false;
}

static void unlock(struct lock *l)
{
    held_by_me--;
    __atomic_store_n(&l->holder, NULL, __ATOMIC_RELAXED);
    if (__atomic_exchange_n(&l->word, 0, __ATOMIC_RELEASE) == 2)
        futex(&l->word, FUTEX_WAKE_PRIVATE, 1, NULL);
}

bool sink_held_by_me(void)
{
    return held_by_me != 0;
}

void sink_in_signal(bool on)
{
    in_signal = on;
}

void sink_atfork_child(void)
{
    memset(locks, 0, sizeof locks);
    held_by_me = 0;
    one_file = 0;
    open_fd = -1;
    memset(state, 0, sizeof state);
}

static int dest(int fd)
{
    return fd >= 0 && fd == tfd ? 2 : fd == 1 ? 0 : fd == 2 ? 1 : -1;
}

static void fail(int fd, int err)
{
    int d = dest(fd);
    if (d >= 0 && in_owner())
        __atomic_store_n(&state[d], err, __ATOMIC_RELAXED);
}

void sink_fd_changed(int fd)
{
    int d = dest(fd);
    if (d >= 0)
        __atomic_store_n(&state[d], 0, __ATOMIC_RELAXED);
    if (fd == 1 || fd == 2)
        __atomic_store_n(&one_file, 0, __ATOMIC_RELAXED);
}

/* A zero-length write reports what the file itself refuses (/dev/full: ENOSPC; a
 * closed fd: EBADF), except on a socket, where it could send an empty datagram or
 * record; a pipe or socket without a reader shows as POLLERR. */
static int reader_gone(int fd)
{
    struct pollfd p = {.fd = fd, .events = POLLOUT};
    if (poll(&p, 1, 0) == 1 && (p.revents & (POLLERR | POLLNVAL)))
        return p.revents & POLLNVAL ? EBADF : EPIPE;
    return -1;
}

static int probe(int fd, int d)
{
    struct stat st;
    if (fstat(fd, &st) != 0)
        return errno;
    __atomic_store_n(&readers_can_go[d], S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode), __ATOMIC_RELAXED);
    if (!S_ISSOCK(st.st_mode) && REAL(write)(fd, "", 0) < 0 && errno != EAGAIN && errno != EINTR)
        return errno;
    return reader_gone(fd);
}

/* The coarse monotonic clock's tick (a few ms; read from the vDSO, no system call). */
static long tick(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Not known yet, known bad, or a pipe whose reader may have gone: the looking. */
static __attribute__((noinline)) int look(int fd, int d, int s)
{
    if (s == -1) {
        /* A reader that went away since (`| head -1`): looked at once per clock tick, so
         * a program's last write meets EPIPE too, not only the one after ours failed. */
        long now = tick();
        if (__atomic_load_n(&looked[d], __ATOMIC_RELAXED) == now)
            return 0;
        __atomic_store_n(&looked[d], now, __ATOMIC_RELAXED);
        int saved = errno;
        s = reader_gone(fd);
        errno = saved;
    } else if (s == 0) {
        int saved = errno;
        s = probe(fd, d);
        errno = saved;
    }
    if (in_owner())
        __atomic_store_n(&state[d], s, __ATOMIC_RELEASE);
    return s == -1 ? 0 : s;
}

int sink_broken(int fd)
{
    int d = dest(fd);
    if (d < 0)
        return 0;
    int s = __atomic_load_n(&state[d], __ATOMIC_ACQUIRE);
    if (LIKELY(s == -1 && !__atomic_load_n(&readers_can_go[d], __ATOMIC_RELAXED)))
        return 0;
    return look(fd, d, s);
}

/* Wait for room on a non-blocking fd (the file description is shared with a runtime
 * that made it non-blocking). False when the fd is gone. */
static bool wait_room(int fd)
{
    struct pollfd p = {.fd = fd, .events = POLLOUT};
    int r = poll(&p, 1, 1000);
    return !(r == 1 && (p.revents & POLLNVAL));
}

/* Write all of p[0..n), which the kernel may take in several short writes. */
static int write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = REAL(write)(fd, p, n);
        if (w > 0) {
            p += w;
            n -= (size_t)w;
            continue;
        }
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && errno == EAGAIN && !in_signal && wait_room(fd))
            continue;
        return w < 0 ? errno : EIO;
    }
    return 0;
}

static uint32_t be32(const char *p)
{
    const unsigned char *u = (const unsigned char *)p;
    return (uint32_t)u[0] << 24 | (uint32_t)u[1] << 16 | (uint32_t)u[2] << 8 | u[3];
}

/* The end of the units that fit into max bytes from p (at least one whole unit). */
static size_t cut(const char *p, size_t n, size_t max, enum sink_units units)
{
    if (n <= max || units == SINK_ONE)
        return n;
    if (units == SINK_LINES) {
        const char *nl = memrchr(p, '\n', max);
        if (nl)
            return (size_t)(nl - p) + 1;
        nl = memchr(p + max, '\n', n - max);
        return nl ? (size_t)(nl - p) + 1 : n;
    }
    size_t at = 0;
    while (at + 16 <= n) {
        size_t unit = 16 + (size_t)be32(p + at + 4);
        if (at + unit > max)
            return at ? at : (unit < n ? unit : n);
        at += unit;
    }
    return at ? at : n;
}

static int write_units(int fd, const char *p, size_t n, enum sink_units units, bool pipe_like)
{
    while (n) {
        size_t k = pipe_like ? cut(p, n, PIPE_BUF, units) : n;
        int err = write_all(fd, p, k);
        if (err)
            return err;
        p += k;
        n -= k;
    }
    return 0;
}

/* stdout and stderr are one file (2>&1, one pipe to the platform): one lock for both.
 * Known once until fd 1 or 2 changes (sink_fd_changed). */

static bool stdout_is_stderr(void)
{
    int k = __atomic_load_n(&one_file, __ATOMIC_RELAXED);
    if (!k) {
        struct stat x, y;
        k = fstat(1, &x) == 0 && fstat(2, &y) == 0 && x.st_dev == y.st_dev && x.st_ino == y.st_ino
                ? 1 : 2;
        if (in_owner())
            __atomic_store_n(&one_file, k, __ATOMIC_RELAXED);
    }
    return k == 1;
}

/* fd's lock (NULL: not to be had from this signal handler). */
static struct lock *take(int fd)
{
    int d = dest(fd);
    if (d == 1 && stdout_is_stderr())
        d = 0;
    struct lock *l = &locks[d < 0 ? 3 : d];
    if (in_signal ? !lock_bounded(l) : (lock(l), false))
        return NULL;
    return l;
}

/* fd's lock, and no runtime frame half written to fd: our units never land inside one.
 * The runtime finishes its frame in its next write; after about 2 s we stop waiting. */
static struct lock *lock_for(int fd)
{
    for (int i = 0;; i++) {
        struct lock *l = take(fd);
        if (!l)
            return NULL;
        if (__atomic_load_n(&open_fd, __ATOMIC_RELAXED) != fd || i >= 2000)
            return l;
        unlock(l);
        if (in_signal && i >= 200)
            return false;
        struct timespec ts = {0, 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}

/* write and poll are cancellation points: a thread cancelled inside them while holding
 * a lock would leave it held for good. No cancellation while we hold one. */
static int no_cancel(void)
{
    int old;
    pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old);
    return old;
}

static void cancel_again(int old)
{
    int ignored;
    pthread_setcancelstate(old, &ignored);
}

/* The end of a write under l: the lock and cancellation given back; a failure is
 * remembered for fd and returned as -1 with errno (NULL l: the lock was not to be had). */
static int done(int fd, struct lock *l, int cancel, int err)
{
    if (l)
        unlock(l);
    cancel_again(cancel);
    if (!l)
        return errno = EAGAIN, -1;
    if (err) {
        fail(fd, err);
        errno = err;
        return -1;
    }
    return 0;
}

int sink_frame_part(int fd, const char *p, size_t n, bool last)
{
    int cancel = no_cancel();
    struct lock *l = take(fd);
    if (!l)
        return done(fd, NULL, cancel, 0);
    int err = write_all(fd, p, n);
    __atomic_store_n(&open_fd, last || err ? -1 : fd, __ATOMIC_RELAXED);
    return done(fd, l, cancel, err);
}

int sink_writev(int fd, const struct iovec *iov, int cnt, enum sink_units units)
{
    int cancel = no_cancel();
    struct lock *l = lock_for(fd);
    if (!l)
        return done(fd, NULL, cancel, 0);
    int d = dest(fd);
    bool pipe_like;
    if (d >= 0 && __atomic_load_n(&state[d], __ATOMIC_ACQUIRE) != 0) {
        pipe_like = __atomic_load_n(&readers_can_go[d], __ATOMIC_RELAXED); /* known since its check */
    } else {
        struct stat st;
        pipe_like = fstat(fd, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode));
    }
    int err = 0;
    if (cnt == 1 || !pipe_like) {
        for (int i = 0; i < cnt && !err; i++)
            err = write_units(fd, iov[i].iov_base, iov[i].iov_len, cnt == 1 ? units : SINK_ONE,
                              pipe_like);
    } else {
        /* Several pieces of one unit to a pipe: one writev keeps them together (up to
         * PIPE_BUF); a short write is finished piece by piece under the lock. */
        ssize_t w;
        do
            w = REAL(writev)(fd, iov, cnt);
        while (w < 0 && (errno == EINTR || (errno == EAGAIN && !in_signal && wait_room(fd))));
        if (w < 0)
            err = errno;
        size_t skip = w > 0 ? (size_t)w : 0;
        for (int i = 0; i < cnt && !err; i++) {
            size_t len = iov[i].iov_len;
            if (skip >= len) {
                skip -= len;
                continue;
            }
            err = write_all(fd, (const char *)iov[i].iov_base + skip, len - skip);
            skip = 0;
        }
    }
    return done(fd, l, cancel, err);
}

int sink_write(int fd, const char *p, size_t n, enum sink_units units)
{
    struct iovec v = {(void *)p, n};
    return sink_writev(fd, &v, 1, units);
}
