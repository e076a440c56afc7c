/* --managed-instances: the runtime's log socket. Lambda Managed Instances give the runtime
 * no telemetry fd; _LAMBDA_TELEMETRY_LOG_FD_PROVIDER_SOCKET names a Unix stream socket
 * instead, and each worker connects to it: AWS's Python client once for stdout and once for
 * stderr, dup2'd over fds 1 and 2 (lambda_multi_concurrent_utils.py), AWS's Node.js client
 * once for its SocketLogger (socket-fd.ts; AWS's example path is
 * /run/telemetry/log-runtime-stdio.sock). Each connection carries text, one event per line,
 * as stdout does; the emulator reports its events with stream "socket". */
#include "emu.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define LOGSOCK_MAX 512 /* connections at once: two per worker process */

static struct {
    int listen_fd;
    char dir[32], path[96]; /* fits sun_path (108) */
    struct stream conns[LOGSOCK_MAX];
    int n;
    long refused;      /* connections closed unread for want of a slot, since the last report */
    struct proc owner; /* the runtime's streams' owner: no extension */
} K = {.listen_fd = -1};

static void logsock_cleanup(void)
{
    if (K.path[0])
        unlink(K.path);
    if (K.dir[0])
        rmdir(K.dir);
}

const char *logsock_path(void)
{
    if (K.listen_fd >= 0)
        return K.path;
    snprintf(K.dir, sizeof K.dir, "/tmp/lambda-emu.XXXXXX");
    if (!mkdtemp(K.dir)) {
        out_emu("log socket: mkdtemp: %s", strerror(errno));
        K.dir[0] = 0;
        return NULL;
    }
    snprintf(K.path, sizeof K.path, "%s/log-runtime-stdio.sock", K.dir);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    memcpy(sa.sun_path, K.path, strlen(K.path) + 1);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fd, 128) < 0) {
        out_emu("log socket %s: %s", K.path, strerror(errno));
        if (fd >= 0)
            close(fd);
        logsock_cleanup();
        K.path[0] = 0;
        return NULL;
    }
    K.listen_fd = fd;
    atexit(logsock_cleanup);
    return K.path;
}

static void accept_all(void)
{
    for (int fd; (fd = accept4(K.listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0;) {
        if (K.n >= LOGSOCK_MAX) {
            /* Said once, when it starts, and counted when the runtime's connections close
             * (logsock_close_all): a runtime that keeps connecting would otherwise bury
             * everything else under one line per connection. */
            if (!K.refused++)
                out_emu("log socket: more than %d connections at once; refusing more (what they write is lost; "
                        "the count follows when the runtime stops)",
                        LOGSOCK_MAX);
            close(fd);
            continue;
        }
        struct stream *s = &K.conns[K.n++];
        memset(s, 0, sizeof *s);
        s->fd = fd;
        s->kind = ST_SOCKET;
        s->raw_fd = -1;
        s->owner = &K.owner;
    }
}

/* Closed connections leave the table (their last partial line was emitted at close). */
static void compact(void)
{
    int j = 0;
    for (int i = 0; i < K.n; i++) {
        if (K.conns[i].fd >= 0)
            K.conns[j++] = K.conns[i];
        else
            buf_free(&K.conns[i].pending);
    }
    K.n = j;
}

int logsock_poll_fill(struct pollfd *pfd, void **ref, int max)
{
    int n = 0;
    if (K.listen_fd < 0)
        return 0;
    compact();
    if (n < max) {
        pfd[n] = (struct pollfd){K.listen_fd, POLLIN, 0};
        ref[n++] = NULL;
    }
    for (int i = 0; i < K.n && n < max; i++) {
        pfd[n] = (struct pollfd){K.conns[i].fd, POLLIN, 0};
        ref[n++] = &K.conns[i];
    }
    return n;
}

int logsock_poll_need(void)
{
    return K.listen_fd < 0 ? 0 : K.n + 1;
}

/* ref NULL: the listening socket. Streams keep their slots until the next poll_fill. */
void logsock_on_poll(void *ref, short revents)
{
    if (!revents)
        return;
    if (!ref)
        accept_all();
    else
        stream_on_readable(ref);
}

void logsock_drain_all(void)
{
    if (K.listen_fd < 0)
        return;
    accept_all();
    for (int i = 0; i < K.n; i++)
        stream_drain(&K.conns[i]);
}

/* The runtime is gone (reset, shutdown): what its workers left in the sockets is read,
 * then the connections close. */
void logsock_close_all(void)
{
    logsock_drain_all();
    for (int i = 0; i < K.n; i++)
        stream_close(&K.conns[i]);
    compact();
    if (K.refused)
        out_emu("log socket: %ld connection%s refused (more than %d at once)", K.refused, K.refused == 1 ? "" : "s",
                LOGSOCK_MAX);
    K.refused = 0;
}
