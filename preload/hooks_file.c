/* Hooks that exist for the startup trace: files opened (open, open64, openat, openat64,
 * glibc's fortified __open*_2, fopen, fopen64), bytes read by pread, and dlopen with the
 * time each took, all only until the runtime's first `next`. A new fd from open also
 * clears any stale Runtime API mark left by a close we did not see (close_range). */
#include <dlfcn.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "clock.h"
#include "fdtab.h"
#include "hook.h"
#include "initstats.h"
#include "real.h"
#include "trace_spans.h"

/* When the startup trace counts, the time an open starts (its span's start), else 0. */
static inline uint64_t open_start(void)
{
    return UNLIKELY(gate() & GATE_INIT_COUNT) ? clock_mono_ns() : 0;
}

static int opened(int fd, const char *path, uint64_t t0)
{
    uint8_t g = gate();
    if (UNLIKELY(g) && fd >= 0) {
        if (g & GATE_INIT_COUNT) {
            initstats_opened();
            trace_spans_file_open(fd, path, t0);
        }
        if (g & GATE_OBSERVE)
            fdtab_forget(fd);
    }
    return fd;
}

/* open's mode argument exists only with O_CREAT or O_TMPFILE. */
#define MODE_ARG(flags, mode) \
    do { \
        if ((flags) & O_CREAT || ((flags) & O_TMPFILE) == O_TMPFILE) { \
            va_list ap; \
            va_start(ap, flags); \
            mode = (mode_t)va_arg(ap, int); \
            va_end(ap); \
        } \
    } while (0)

EXPORT int open(const char *path, int flags, ...)
{
    mode_t mode = 0;
    MODE_ARG(flags, mode);
    int (*fn)(const char *, int, ...) = REAL(open);
    if (UNLIKELY(!fn))
        return (int)syscall(SYS_openat, AT_FDCWD, path, flags, mode);
    uint64_t t0 = open_start();
    return opened(fn(path, flags, mode), path, t0);
}

EXPORT int open64(const char *path, int flags, ...)
{
    mode_t mode = 0;
    MODE_ARG(flags, mode);
    int (*fn)(const char *, int, ...) = REAL(open64);
    if (UNLIKELY(!fn))
        return (int)syscall(SYS_openat, AT_FDCWD, path, flags, mode);
    uint64_t t0 = open_start();
    return opened(fn(path, flags, mode), path, t0);
}

EXPORT int openat(int dir, const char *path, int flags, ...)
{
    mode_t mode = 0;
    MODE_ARG(flags, mode);
    int (*fn)(int, const char *, int, ...) = REAL(openat);
    if (UNLIKELY(!fn))
        return (int)syscall(SYS_openat, dir, path, flags, mode);
    uint64_t t0 = open_start();
    return opened(fn(dir, path, flags, mode), path, t0);
}

EXPORT int openat64(int dir, const char *path, int flags, ...)
{
    mode_t mode = 0;
    MODE_ARG(flags, mode);
    int (*fn)(int, const char *, int, ...) = REAL(openat64);
    if (UNLIKELY(!fn))
        return (int)syscall(SYS_openat, dir, path, flags, mode);
    uint64_t t0 = open_start();
    return opened(fn(dir, path, flags, mode), path, t0);
}

EXPORT int __open_2(const char *path, int flags)
{
    uint64_t t0 = open_start();
    return opened(REAL(open_2)(path, flags), path, t0);
}

EXPORT int __open64_2(const char *path, int flags)
{
    uint64_t t0 = open_start();
    return opened(REAL(open64_2)(path, flags), path, t0);
}

EXPORT int __openat_2(int dir, const char *path, int flags)
{
    uint64_t t0 = open_start();
    return opened(REAL(openat_2)(dir, path, flags), path, t0);
}

EXPORT int __openat64_2(int dir, const char *path, int flags)
{
    uint64_t t0 = open_start();
    return opened(REAL(openat64_2)(dir, path, flags), path, t0);
}

EXPORT FILE *fopen(const char *path, const char *mode)
{
    uint64_t t0 = open_start();
    FILE *f = REAL(fopen)(path, mode);
    if (f)
        opened(fileno(f), path, t0);
    return f;
}

EXPORT FILE *fopen64(const char *path, const char *mode)
{
    uint64_t t0 = open_start();
    FILE *f = REAL(fopen64)(path, mode);
    if (f)
        opened(fileno(f), path, t0);
    return f;
}

EXPORT ssize_t pread(int fd, void *buf, size_t n, off_t off)
{
    ssize_t r = REAL(pread)(fd, buf, n, off);
    if (UNLIKELY(gate() & GATE_INIT_COUNT)) {
        initstats_read(r);
        trace_spans_file_read(fd, r);
    }
    return r;
}

EXPORT ssize_t pread64(int fd, void *buf, size_t n, off_t off)
{
    ssize_t r = REAL(pread64)(fd, buf, n, off);
    if (UNLIKELY(gate() & GATE_INIT_COUNT)) {
        initstats_read(r);
        trace_spans_file_read(fd, r);
    }
    return r;
}

static __attribute__((noinline)) void *timed_dlopen(void *(*fn)(const char *, int),
                                                     const char *file, int mode)
{
    uint64_t t0 = clock_mono_ns();
    void *h = fn(file, mode);
    uint64_t t1 = clock_mono_ns();
    initstats_dlopen_timed(file, t1 - t0);
    trace_spans_dlopen(file, t0, t1);
    return h;
}

/* dlopen searches a bare name with the RUNPATH of its *caller*, found from its return
 * address. A bare name therefore goes to the real dlopen as a tail call (our frame is
 * gone, the caller's address stays) and is only counted; a path does not depend on the
 * caller and is timed. */
EXPORT void *dlopen(const char *file, int mode)
{
    void *(*fn)(const char *, int) = REAL(dlopen);
    if (LIKELY(!(gate() & GATE_INIT_COUNT)) || !file || !strchr(file, '/')) {
        if (UNLIKELY(gate() & GATE_INIT_COUNT) && file)
            __atomic_fetch_add(&initstats_counting()->dlopen_untimed, 1, __ATOMIC_RELAXED);
        return fn(file, mode);
    }
    return timed_dlopen(fn, file, mode);
}
