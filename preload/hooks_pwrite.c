/* Writes at an offset (pwrite, pwritev, pwritev2 and their 64 names) go to the kernel as
 * they are: the log pipeline decorates a stream, and a positioned write patches a file.
 * When the fd is the runtime's stdout, stderr or telemetry fd (a file, then), everything
 * held for it is written first, so held records cannot land later over the patch. */
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "hook.h"
#include "logs.h"
#include "real.h"

static void before(int fd)
{
    if (UNLIKELY(gate() & GATE_LOGS) && guard_enter()) {
        logs_before_positioned_write(fd);
        guard_leave();
    }
}

EXPORT ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
    before(fd);
    if (!REAL(pwrite))
        return syscall(SYS_pwrite64, fd, buf, n, off);
    return REAL(pwrite)(fd, buf, n, off);
}

EXPORT ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off)
{
    before(fd);
    if (!REAL(pwrite64))
        return syscall(SYS_pwrite64, fd, buf, n, off);
    return REAL(pwrite64)(fd, buf, n, off);
}

EXPORT ssize_t pwritev(int fd, const struct iovec *iov, int cnt, off_t off)
{
    before(fd);
    if (!REAL(pwritev))
        return syscall(SYS_pwritev, fd, iov, cnt, off, 0);
    return REAL(pwritev)(fd, iov, cnt, off);
}

EXPORT ssize_t pwritev64(int fd, const struct iovec *iov, int cnt, off_t off)
{
    before(fd);
    if (!REAL(pwritev64))
        return syscall(SYS_pwritev, fd, iov, cnt, off, 0);
    return REAL(pwritev64)(fd, iov, cnt, off);
}

/* Offset -1 writes at the file position like writev; it too goes as it is. */
EXPORT ssize_t pwritev2(int fd, const struct iovec *iov, int cnt, off_t off, int flags)
{
    before(fd);
    if (!REAL(pwritev2))
        return syscall(SYS_pwritev2, fd, iov, cnt, off, 0, flags);
    return REAL(pwritev2)(fd, iov, cnt, off, flags);
}

EXPORT ssize_t pwritev64v2(int fd, const struct iovec *iov, int cnt, off_t off, int flags)
{
    before(fd);
    if (!REAL(pwritev64v2))
        return syscall(SYS_pwritev2, fd, iov, cnt, off, 0, flags);
    return REAL(pwritev64v2)(fd, iov, cnt, off, flags);
}
