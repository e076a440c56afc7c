/* Rings are found as fds ("anon_inode:[io_uring]" in /proc/self/fd), not by hooking
 * syscall(): the preload's own raw calls and every futex call of a Rust runtime would
 * then pass through a variadic hook, and a ring set up with inline system calls (liburing
 * built without libc) would still be missed. The cost is a scan of the fd directory,
 * at most twice per process, outside any hot path. */
#include "uring_notice.h"

#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "config.h"
#include "debuglog.h"
#include "fmt.h"
#include "hook.h"
#include "logs.h"
#include "real.h"

/* What getdents64 fills in (glibc < 2.30 has no struct for it). */
struct dirent64_raw {
    uint64_t ino;
    int64_t off;
    unsigned short reclen;
    unsigned char type;
    char name[];
};

static bool is_ring(const char *name)
{
    char path[64], target[32];
    struct fmt f = fmt_on(path, sizeof path - 1);
    fmt_str(&f, "/proc/self/fd/");
    fmt_str(&f, name);
    path[f.len] = 0;
    ssize_t n = readlink(path, target, sizeof target);
    return n == 21 && memcmp(target, "anon_inode:[io_uring]", 21) == 0;
}

/* The first io_uring fd, or -1. */
static int find_ring(void)
{
    int dir = REAL(open)("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0)
        return -1;
    char buf[4096] __attribute__((aligned(8)));
    int found = -1;
    for (long n; found < 0 && (n = syscall(SYS_getdents64, dir, buf, sizeof buf)) > 0;) {
        for (long off = 0; off < n && found < 0;) {
            struct dirent64_raw *d = (struct dirent64_raw *)(buf + off);
            off += d->reclen;
            if (d->name[0] >= '0' && d->name[0] <= '9' && is_ring(d->name)) {
                found = 0;
                for (const char *c = d->name; *c; c++)
                    found = found * 10 + (*c - '0');
            }
        }
    }
    REAL(close)(dir);
    return found;
}

void uring_notice_check(void)
{
    static int said;
    if (!(logs_enabled || config.observer_log[0]) || __atomic_load_n(&said, __ATOMIC_RELAXED) ||
        hook_in_vfork_child())
        return;
    int fd = find_ring();
    if (fd < 0 || __atomic_exchange_n(&said, 1, __ATOMIC_ACQ_REL))
        return;
    struct debugline line;
    struct fmt *f = debuglog_begin(&line, "io-uring");
    if (f) {
        debuglog_kvi(f, "fd", fd);
        debuglog_end(f);
    }
    if (logs_enabled) {
        char num[24];
        struct fmt nf = fmt_on(num, sizeof num - 1);
        fmt_u64(&nf, (uint64_t)fd);
        num[nf.len] = 0;
        config_warn("the runtime set up io_uring (fd ", num,
                    "): what it writes through the ring passes lwrap by, undecorated", NULL);
    }
}
