/* The observer's debug channel (see debuglog.h). Each line is one O_APPEND write to a
 * file opened for that line: the runtime may close or reuse any fd we kept. */
#include "debuglog.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "config.h"
#include "lifecycle.h"
#include "logs.h"
#include "real.h"

struct fmt *debuglog_begin(struct debugline *line, const char *event)
{
    if (!config.observer_log[0])
        return NULL;
    line->f = fmt_on(line->buf, sizeof line->buf - 1); /* room for the newline */
    fmt_str(&line->f, event);
    debuglog_kvi(&line->f, "pid", (long long)getpid());
    debuglog_kvi(&line->f, "tid", (long long)syscall(SYS_gettid));
    return &line->f;
}

void debuglog_kv(struct fmt *f, const char *key, const char *value, size_t len)
{
    fmt_str(f, " ");
    fmt_str(f, key);
    fmt_str(f, "=");
    fmt_escaped(f, value, len);
}

void debuglog_kvs(struct fmt *f, const char *key, const char *value)
{
    size_t n = 0;
    while (value[n])
        n++;
    debuglog_kv(f, key, value, n);
}

void debuglog_kvi(struct fmt *f, const char *key, long long value)
{
    fmt_str(f, " ");
    fmt_str(f, key);
    fmt_str(f, "=");
    fmt_i64(f, value);
}

void debuglog_end(struct fmt *f)
{
    f->p[f->len++] = '\n';
    /* Non-blocking: a FIFO put there since the start must not stop the runtime; only a
     * regular file is written (see load_observer_log in config.c). */
    int fd = REAL(open)(config.observer_log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NONBLOCK, 0644);
    if (fd < 0)
        return;
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
        real_write_all(fd, f->p, f->len);
    REAL(close)(fd);
}

void debuglog_out(int fd, const void *buf, size_t n)
{
    struct debugline line;
    struct fmt *f = debuglog_begin(&line, "out");
    if (!f)
        return;
    char id[LWRAP_REQUEST_ID_SIZE];
    size_t idlen = lifecycle_request_id(id, sizeof id);
    debuglog_kvi(f, "fd", fd);
    debuglog_kv(f, "id", idlen ? id : "-", idlen ? idlen : 1);
    debuglog_kvi(f, "bytes", (long long)n);
    /* The first 80 bytes, masked as the log pipeline would mask them: the window is one
     * credential longer, so one that starts inside the 80 bytes is found whole. */
    char window[80 + 4096];
    size_t w = n < sizeof window ? n : sizeof window;
    memcpy(window, buf, w);
    w = logs_mask_secrets(window, w);
    debuglog_kv(f, "data", window, w < 80 ? w : 80);
    debuglog_end(f);
}
