/* Bytes the kernel moves to an fd without a write from the program (sendfile, splice,
 * copy_file_range) reach stdout/stderr as they are, undecorated: what the thread wrote
 * before and lwrap still holds goes out first, so they cannot overtake it. */
#include <fcntl.h>
#include <sys/sendfile.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hook.h"
#include "logs.h"
#include "real.h"

static void before(int out_fd)
{
    if (UNLIKELY(gate() & GATE_LOGS))
        logs_before_raw_write(out_fd);
}

EXPORT ssize_t sendfile(int out_fd, int in_fd, off_t *offset, size_t count)
{
    before(out_fd);
    return REAL(sendfile)(out_fd, in_fd, offset, count);
}

EXPORT ssize_t sendfile64(int out_fd, int in_fd, off_t *offset, size_t count)
{
    before(out_fd);
    return REAL(sendfile)(out_fd, in_fd, offset, count);
}

EXPORT ssize_t splice(int in_fd, loff_t *in_off, int out_fd, loff_t *out_off, size_t len,
                      unsigned flags)
{
    before(out_fd);
    return REAL(splice)(in_fd, in_off, out_fd, out_off, len, flags);
}

EXPORT ssize_t copy_file_range(int in_fd, loff_t *in_off, int out_fd, loff_t *out_off,
                               size_t len, unsigned flags)
{
    before(out_fd);
    if (!REAL(copy_file_range)) /* glibc < 2.27 */
        return syscall(SYS_copy_file_range, in_fd, in_off, out_fd, out_off, len, flags);
    return REAL(copy_file_range)(in_fd, in_off, out_fd, out_off, len, flags);
}
