/* C stdio. glibc's printf/fputs/fwrite reach the kernel through internal calls, not the
 * `write` symbol our hooks replace, so a native extension's printf would bypass the
 * pipeline (and the `import time:` lines of python -X importtime, which CPython writes
 * with fprintf(stderr)). The constructor therefore replaces the `stdout`/`stderr` FILE
 * pointers with fopencookie streams that feed the pipeline, with the buffering mode the
 * originals would have had (stdout: full, or line on a tty; stderr: unbuffered). Their
 * _fileno is set to 1/2 so fileno(stdout), isatty(fileno(stdout)) keep working. Each
 * chunk goes where fd 1/2 points at that moment: into the pipeline while it is still
 * the runtime's stdout/stderr, else (a redirection, a command substitution, a stream
 * whose destination failed) straight to the fd, with the kernel's answer.
 * Caveats (documented): fclose(stdout) does not close fd 1; code holding the address of
 * the original FILE (&_IO_2_1_stdout_) writes around us. */
#include "log_internal.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "real.h"
#include "sink.h"

/* glibc's FILE flag bits (libio.h); stable ABI since glibc 2.1. */
#define GLIBC_IO_UNBUFFERED 0x0002
#define GLIBC_IO_LINE_BUF 0x0200

/* What fd 1 or 2 would have done with the bytes: the real write, its short count or
 * its error (stdio marks the stream failed, as it would without us). */
static ssize_t raw_write(int fd, const char *p, size_t n)
{
    size_t done = 0;
    while (done < n) {
        ssize_t w = REAL(write)(fd, p + done, n - done);
        if (w > 0)
            done += (size_t)w;
        else if (!(w < 0 && errno == EINTR))
            return done ? (ssize_t)done : -1;
    }
    return (ssize_t)n;
}

/* LWRAP_LOGS=off with the importtime summary: only `import time:` lines are taken out,
 * everything else goes to fd 2 unchanged, in the chunks stdio hands us. */
static ssize_t importtime_only(int fd, const char *p, size_t n)
{
    const char *run = p, *end = p + n;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            break;
        if (log_importtime_line(p, (size_t)(nl - p))) {
            if (p > run && raw_write(fd, run, (size_t)(p - run)) < 0)
                return -1;
            run = nl + 1;
        }
        p = nl + 1;
    }
    if (end > run && raw_write(fd, run, (size_t)(end - run)) < 0)
        return -1;
    return (ssize_t)n;
}

static FILE *mine[2];       /* our replacement streams */
static FILE *originals[2];  /* glibc's own stdout and stderr */
static bool given_back[2];  /* atomic: the stream went back to the original (wide use) */

static ssize_t cookie_write(void *cookie, const char *buf, size_t n)
{
    int fd = (int)(intptr_t)cookie == LOG_STDERR ? 2 : 1;
    if (n == 0)
        return 0;
    /* Where fd 1/2 points now decides, not where it pointed at start: after
     * `dup2(file, 1)` (bash's `echo hi > f`, `$(...)`) stdio writes to the file. */
    int kind = log_fd_kind(fd);
    int stream = kind == LOG_FD_STDERR ? LOG_STDERR : LOG_STDOUT;
    bool ours = log_cfg.streams && (kind == LOG_FD_STDOUT || kind == LOG_FD_STDERR) &&
                log_fd_home_ok(stream, fd);
    /* A signal handler's printf while this thread is inside the pipeline: it waits in the
     * queue (log_defer.c), or, when that is full, goes to the fd as it is. */
    if (ours && log_must_defer()) {
        struct iovec v = {(void *)buf, n};
        ssize_t r;
        return log_defer(stream, &v, 1, &r) ? r : raw_write(fd, buf, n);
    }
    if (!ours || sink_broken(log_dest_fd(stream)))
        return log_cfg.importtime && fd == 2 && !log_reentered() ? importtime_only(fd, buf, n)
                                                                   : raw_write(fd, buf, n);
    FILE *f = mine[fd - 1];
    if (f && !(f->_flags & GLIBC_IO_UNBUFFERED)) {
        /* A buffered stream's chunk is many printf calls: each line its own write. */
        const char *end = buf + n;
        for (const char *p = buf; p < end;) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            size_t k = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
            log_feed(stream, p, k);
            p += k;
        }
    } else {
        log_feed(stream, buf, n);
    }
    if (UNLIKELY(hook_deferred) && !hook_busy)
        hook_run_deferred();
    return (ssize_t)n;
}

FILE *log_stdio_original(FILE *f)
{
    for (int i = 0; i < 2; i++) {
        if (!f || f != mine[i])
            continue;
        if (!__atomic_exchange_n(&given_back[i], true, __ATOMIC_ACQ_REL)) {
            fflush(f); /* what stdio still buffers in ours goes first, then what is held */
            log_flush_own(LOG_OWN_ALL);
            if (i == LOG_STDOUT && stdout == f)
                stdout = originals[i];
            else if (i == LOG_STDERR && stderr == f)
                stderr = originals[i];
        }
        return originals[i];
    }
    return NULL;
}

/* Our stream in place of orig, or NULL (fopencookie allocates: out of memory). */
static FILE *replace(FILE *orig, int stream)
{
    int fd = stream == LOG_STDERR ? 2 : 1;
    cookie_io_functions_t io = {.write = cookie_write};
    FILE *f = fopencookie((void *)(intptr_t)stream, "w", io);
    if (!f)
        return NULL;
    int mode = (orig->_flags & GLIBC_IO_UNBUFFERED) ? _IONBF
               : (orig->_flags & GLIBC_IO_LINE_BUF) || isatty(fd) ? _IOLBF
                                                                  : _IOFBF;
    /* The size glibc would have chosen: the file's block size (4 KiB for a pipe). */
    struct stat st;
    size_t size = fstat(fd, &st) == 0 && st.st_blksize > 0 ? (size_t)st.st_blksize : BUFSIZ;
    setvbuf(f, NULL, mode, mode == _IONBF ? 0 : size);
    f->_fileno = fd;
    return f;
}

/* What stdio still holds in orig (a constructor that ran before ours printed) moves into
 * f, to leave when glibc would have written it: at exit, or when the buffer fills. */
static void take_pending(FILE *orig, FILE *f)
{
    if (orig->_IO_write_ptr > orig->_IO_write_base) {
        fwrite(orig->_IO_write_base, 1, (size_t)(orig->_IO_write_ptr - orig->_IO_write_base), f);
        orig->_IO_write_ptr = orig->_IO_write_base;
    }
}

bool log_stdio_install(bool out, bool err)
{
    originals[LOG_STDOUT] = stdout;
    originals[LOG_STDERR] = stderr;
    FILE *o = out ? replace(stdout, LOG_STDOUT) : NULL;
    FILE *e = err ? replace(stderr, LOG_STDERR) : NULL;
    if ((out && !o) || (err && !e)) {
        /* Half of it would let printf overtake what the pipeline holds: neither. */
        if (o)
            REAL(fclose)(o);
        if (e)
            REAL(fclose)(e);
        return false;
    }
    if (o) {
        take_pending(stdout, o);
        stdout = mine[LOG_STDOUT] = o;
    }
    if (e) {
        take_pending(stderr, e);
        stderr = mine[LOG_STDERR] = e;
    }
    return true;
}
