/* Which fds are the runtime's stdout, stderr and telemetry fd. stdout/stderr are the
 * files fds 1 and 2 referred to when we started (compared by device and inode, so a dup
 * counts and a pipe to a child never does). The answer is cached per fd number (one
 * relaxed load on the hot path); the core's close/dup2/dup3 hooks clear an entry when
 * the number starts meaning something else (logs_fd_changed). */
#include "log_internal.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "logs.h"
#include "sink.h"

#define CACHED 4096

static uint8_t kind[CACHED];
static struct {
    bool have;
    dev_t dev;
    ino_t ino;
} std[3]; /* stdout, stderr, the telemetry fd */

static bool same(int i, const struct stat *st)
{
    return std[i].have && std[i].dev == st->st_dev && std[i].ino == st->st_ino;
}

/* Lambda Managed Instances: each Python worker process connects to this socket once per
 * stream and dup2s the connection over its stdout and stderr (AWS's client pops the
 * variable, so it is read here, at start). Those connections are the runtime's stdout and
 * stderr from then on, not a file the program chose. */
static char provider[sizeof ((struct sockaddr_un *)0)->sun_path];

void log_fd_init(void)
{
    const char *p = getenv("_LAMBDA_TELEMETRY_LOG_FD_PROVIDER_SOCKET");
    if (p && strlen(p) < sizeof provider)
        strcpy(provider, p);
    struct stat tst;
    if (log_cfg.tfd >= 0 && fstat(log_cfg.tfd, &tst) == 0) {
        std[2].have = true;
        std[2].dev = tst.st_dev;
        std[2].ino = tst.st_ino;
    } else {
        log_cfg.tfd = -1;
    }
    for (int i = 0; i < 2; i++) {
        std[i].have = false;
        struct stat st;
        if (fstat(i + 1, &st) == 0) {
            std[i].have = true;
            std[i].dev = st.st_dev;
            std[i].ino = st.st_ino;
        }
    }
}


/* Cached with the kind: whether the fd is a socket (send/sendto/sendmsg on anything
 * else must meet the kernel's ENOTSOCK). */
#define SOCKET_BIT 0x80

static int classify_kind(int fd, const struct stat *st)
{
    if (fd == log_cfg.tfd && same(2, st))
        return LOG_FD_TELEMETRY;
    /* fd 2 is stderr even when stdout and stderr share one pipe. */
    if (fd == 2 && same(1, st))
        return LOG_FD_STDERR;
    if (same(0, st))
        return LOG_FD_STDOUT;
    if (same(1, st))
        return LOG_FD_STDERR;
    return LOG_FD_OTHER;
}

static int classify(int fd)
{
    struct stat st;
    if (fstat(fd, &st) != 0)
        return LOG_FD_OTHER;
    return classify_kind(fd, &st) | (S_ISSOCK(st.st_mode) ? SOCKET_BIT : 0);
}

bool log_fd_still(int fd, int want)
{
    return fd >= 0 && (classify(fd) & ~SOCKET_BIT) == want;
}

static int kind_and_socket(int fd)
{
    if (fd < 0)
        return LOG_FD_OTHER;
    if (fd >= CACHED)
        return classify(fd);
    int k = __atomic_load_n(&kind[fd], __ATOMIC_RELAXED);
    if (LIKELY(k))
        return k;
    k = classify(fd);
    if ((pid_t)syscall(SYS_getpid) == log_pid)
        __atomic_store_n(&kind[fd], (uint8_t)k, __ATOMIC_RELAXED);
    return k;
}

int log_fd_kind(int fd)
{
    return kind_and_socket(fd) & ~SOCKET_BIT;
}

bool log_fd_socket(int fd)
{
    return kind_and_socket(fd) & SOCKET_BIT;
}

bool log_fd_home_ok(int stream, int fd)
{
    int home = stream == LOG_STDERR ? 2 : 1;
    if (fd == home || __atomic_load_n(&log_cfg.tfd, __ATOMIC_RELAXED) >= 0)
        return true;
    return log_fd_kind(home) == (stream == LOG_STDERR ? LOG_FD_STDERR : LOG_FD_STDOUT);
}

void logs_fd_range_changed(unsigned lo, unsigned hi)
{
    if ((pid_t)syscall(SYS_getpid) != log_pid)
        return;
    for (unsigned fd = lo; fd <= hi && fd < CACHED; fd++)
        __atomic_store_n(&kind[fd], 0, __ATOMIC_RELAXED);
    int known[3] = {1, 2, log_cfg.tfd};
    for (int i = 0; i < 3; i++)
        if (known[i] >= 0 && (unsigned)known[i] >= lo && (unsigned)known[i] <= hi)
            logs_fd_changed(known[i]);
}

/* fd (1 or 2) now refers to a connection to the Managed Instances log socket: it becomes
 * that stream's destination (see provider). */
static void maybe_log_socket(int fd)
{
    struct sockaddr_un peer;
    socklen_t len = sizeof peer;
    struct stat st;
    if (!provider[0] || fstat(fd, &st) != 0 || !S_ISSOCK(st.st_mode) ||
        getpeername(fd, (struct sockaddr *)&peer, &len) != 0 || peer.sun_family != AF_UNIX ||
        len <= offsetof(struct sockaddr_un, sun_path) ||
        strncmp(peer.sun_path, provider, len - offsetof(struct sockaddr_un, sun_path)) != 0 ||
        strlen(provider) != strnlen(peer.sun_path, len - offsetof(struct sockaddr_un, sun_path)))
        return;
    std[fd - 1].dev = st.st_dev;
    std[fd - 1].ino = st.st_ino;
    std[fd - 1].have = true;
}

void logs_fd_changed(int fd)
{
    /* A vfork child (posix_spawn, Python's subprocess) shares our memory but has its own
     * fds: what it closes or redirects before exec must not change what we know. */
    if ((pid_t)syscall(SYS_getpid) != log_pid)
        return;
    if (fd == 1 || fd == 2)
        maybe_log_socket(fd);
    if (fd >= 0 && fd < CACHED)
        __atomic_store_n(&kind[fd], 0, __ATOMIC_RELAXED);
    sink_fd_changed(fd);
    /* The runtime closed or replaced its telemetry fd: never write frames into whatever
     * now has that number; records go to stdout/stderr as lines from now on. */
    struct stat st;
    if (fd >= 0 && fd == log_cfg.tfd && (fstat(fd, &st) != 0 || !same(2, &st)))
        __atomic_store_n(&log_cfg.tfd, -1, __ATOMIC_RELAXED);
}
