/* Crash report: on a fatal signal, one record (signal, fault address, the request id in
 * flight, a native backtrace) to stderr and to /tmp/lwrap-crash-<request-id>.txt, then
 * the signal goes on as if we had not been there, so the exit status is unchanged.
 * signals.c owns the handler (a runtime that installs its own later, the JVM, Node,
 * replaces it, and that is its right) and calls crash_report from it.
 *
 * Everything in the report is async-signal-safe: static buffers, raw fds, backtrace()
 * (libgcc_s is loaded in the constructor, not in the handler). The backtrace goes to
 * the file first and is read back, so stderr gets the whole record in one write. */
#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "crash.h"
#include "fmt.h"
#include "lifecycle.h"
#include "logs.h"
#include "real.h"
#include "sink.h"

static char record[64 * 1024];
static void *frames[64];

const char *crash_signal_name(int sig)
{
    switch (sig) {
    case SIGSEGV: return "SIGSEGV";
    case SIGBUS: return "SIGBUS";
    case SIGFPE: return "SIGFPE";
    case SIGILL: return "SIGILL";
    case SIGABRT: return "SIGABRT";
    case SIGTERM: return "SIGTERM";
    case SIGINT: return "SIGINT";
    case SIGHUP: return "SIGHUP";
    case SIGQUIT: return "SIGQUIT";
    case SIGPIPE: return "SIGPIPE";
    case SIGALRM: return "SIGALRM";
    case SIGSYS: return "SIGSYS";
    case SIGXCPU: return "SIGXCPU";
    case SIGXFSZ: return "SIGXFSZ";
    case SIGUSR1: return "SIGUSR1";
    case SIGUSR2: return "SIGUSR2";
    default: return "?";
    }
}

/* A request id may only put safe characters into a file name. */
static void file_name(struct fmt *f, const char *id, size_t n)
{
    fmt_str(f, "/tmp/lwrap-crash-");
    if (n == 0) {
        fmt_str(f, "init-");
        fmt_u64(f, (uint64_t)getpid());
    }
    for (size_t i = 0; i < n; i++) {
        char c = id[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_' || c == '.';
        fmt_mem(f, ok ? &c : "_", 1);
    }
    fmt_str(f, ".txt");
}

/* Why the report file could not be written, in words (strerror is not
 * async-signal-safe). */
static void not_written(struct fmt *f, int err)
{
    fmt_str(f, " (not written: ");
    switch (err) {
    case ELOOP: fmt_str(f, "a symlink is there"); break;
    case EACCES:
    case EPERM: fmt_str(f, "permission denied"); break;
    case ENOENT: fmt_str(f, "no /tmp"); break;
    case ENOSPC: fmt_str(f, "no space left"); break;
    case EROFS: fmt_str(f, "read-only file system"); break;
    case EMFILE:
    case ENFILE: fmt_str(f, "no file descriptor left"); break;
    case EINVAL: fmt_str(f, "not a regular file"); break; /* (our own fstat check) */
    default:
        fmt_str(f, "errno ");
        fmt_i64(f, err);
    }
    fmt_str(f, ")");
}

/* The report file, created or truncated: never through a symlink, and never anything but
 * a regular file (a FIFO planted there could block the handler's writes). -1 with errno. */
static int open_report(const char *path)
{
    int fd = REAL(open)(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0600);
    struct stat st;
    if (fd >= 0 && (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))) {
        REAL(close)(fd);
        errno = EINVAL;
        return -1;
    }
    return fd;
}

static void report(int sig, const siginfo_t *si)
{
    char id[LWRAP_REQUEST_ID_SIZE];
    size_t idlen = lifecycle_request_id(id, sizeof id);

    char path[256];
    struct fmt pf = fmt_on(path, sizeof path - 1);
    file_name(&pf, id, idlen);
    path[pf.len] = 0;

    struct fmt f = fmt_on(record, sizeof record);
    fmt_str(&f, "LWRAP CRASH signal=");
    fmt_str(&f, crash_signal_name(sig));
    fmt_str(&f, " (");
    fmt_u64(&f, (uint64_t)sig);
    fmt_str(&f, ") code=");
    fmt_i64(&f, si ? si->si_code : 0);
    fmt_str(&f, " address=");
    fmt_hex(&f, si ? (uint64_t)(uintptr_t)si->si_addr : 0);
    fmt_str(&f, " requestId=");
    fmt_mem(&f, idlen ? id : "-", idlen ? idlen : 1);
    fmt_str(&f, " pid=");
    fmt_u64(&f, (uint64_t)getpid());
    fmt_str(&f, " tid=");
    fmt_u64(&f, (uint64_t)syscall(SYS_gettid));
    int depth = backtrace(frames, (int)(sizeof frames / sizeof frames[0]));
    int saved = errno;
    int fd = open_report(path);
    fmt_str(&f, " report=");
    fmt_str(&f, path);
    if (fd < 0)
        not_written(&f, errno);
    errno = saved;
    fmt_str(&f, "\nbacktrace:\n");

    if (fd >= 0) {
        real_write_all(fd, record, f.len);
        backtrace_symbols_fd(frames, depth, fd);
        off_t end = lseek(fd, 0, SEEK_CUR);
        if (end > 0 && lseek(fd, 0, SEEK_SET) == 0) {
            size_t want = end < (off_t)sizeof record ? (size_t)end : sizeof record, n = 0;
            while (n < want) { /* the report back, however the reads are cut */
                ssize_t r = REAL(read)(fd, record + n, want - n);
                if (r < 0 && errno == EINTR)
                    continue;
                if (r <= 0)
                    break;
                n += (size_t)r;
            }
            if (n > 0)
                sink_write(2, record, n, SINK_ONE);
        }
        REAL(close)(fd);
    } else { /* not written (the line says why): the record without the backtrace */
        sink_write(2, record, f.len, SINK_ONE);
    }
}

void crash_report(int sig, const siginfo_t *si)
{
    report(sig, si);
}

void crash_prepare(void)
{
    /* backtrace() loads libgcc_s on first use: do it now, not inside the handler. */
    backtrace(frames, 1);
}
