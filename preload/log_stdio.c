/* C stdio. glibc's printf/fputs/fwrite reach the kernel through internal calls, not the
 * `write` symbol our hooks replace, so a native extension's printf would bypass the
 * pipeline (and the `import time:` lines of python -X importtime, which CPython writes
 * with fprintf(stderr)). The constructor therefore replaces the `stdout`/`stderr` FILE
 * pointers with fopencookie streams that feed the pipeline, with the buffering mode the
 * originals would have had (stdout: full, or line on a tty; stderr: unbuffered). Their
 * _fileno is set to 1/2 so fileno(stdout), isatty(fileno(stdout)) keep working.
 * Caveats (documented): fclose(stdout) does not close fd 1; code holding the address of
 * the original FILE (&_IO_2_1_stdout_) writes around us. */
#include "log_internal.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* glibc's FILE flag bits (libio.h); stable ABI since glibc 2.1. */
#define GLIBC_IO_UNBUFFERED 0x0002
#define GLIBC_IO_LINE_BUF 0x0200

/* LWRAP_LOGS=off with the importtime summary: only `import time:` lines are taken out,
 * everything else goes to fd 2 unchanged, in the chunks stdio hands us. */
static void importtime_only(int fd, const char *p, size_t n)
{
    const char *run = p, *end = p + n;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            break;
        if (log_importtime_line(p, (size_t)(nl - p))) {
            if (p > run)
                log_write_all(fd, run, (size_t)(p - run));
            run = nl + 1;
        }
        p = nl + 1;
    }
    if (end > run)
        log_write_all(fd, run, (size_t)(end - run));
}

static FILE *mine[2]; /* our replacement streams */

static ssize_t cookie_write(void *cookie, const char *buf, size_t n)
{
    int stream = (int)(intptr_t)cookie;
    int fd = stream == LOG_STDERR ? 2 : 1;
    if (n == 0)
        return 0;
    /* A signal handler's printf while this thread is inside the pipeline: write raw. */
    if (log_reentered()) {
        log_write_all(fd, buf, n);
        return (ssize_t)n;
    }
    FILE *f = mine[stream];
    if (log_cfg.streams && f && !(f->_flags & GLIBC_IO_UNBUFFERED)) {
        /* A buffered stream's chunk is many printf calls: each line its own write. */
        const char *end = buf + n;
        for (const char *p = buf; p < end;) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            size_t k = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
            log_feed(stream, p, k);
            p += k;
        }
    } else if (log_cfg.streams)
        log_feed(stream, buf, n);
    else
        importtime_only(fd, buf, n);
    return (ssize_t)n;
}

static FILE *replace(FILE *orig, int stream)
{
    int fd = stream == LOG_STDERR ? 2 : 1;
    cookie_io_functions_t io = {.write = cookie_write};
    FILE *f = fopencookie((void *)(intptr_t)stream, "w", io);
    if (!f)
        return orig;
    int mode = (orig->_flags & GLIBC_IO_UNBUFFERED) ? _IONBF
               : (orig->_flags & GLIBC_IO_LINE_BUF) || isatty(fd) ? _IOLBF
                                                                  : _IOFBF;
    setvbuf(f, NULL, mode, mode == _IONBF ? 0 : BUFSIZ);
    f->_fileno = fd;
    fflush(orig);
    return f;
}

void log_stdio_install(bool out, bool err)
{
    if (out)
        stdout = mine[LOG_STDOUT] = replace(stdout, LOG_STDOUT);
    if (err)
        stderr = mine[LOG_STDERR] = replace(stderr, LOG_STDERR);
}
