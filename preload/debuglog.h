/* The observer's debug channel (LWRAP_OBSERVER_LOG=path): one line per lifecycle event,
 * appended to the file, so tests and users can see what the preload derived.
 *   <event> pid=N tid=N key=value...   (`data=`, when present, comes last)
 * Events: init, ready, start, end, end-unknown, init-error, lost, ext-register, ext-invoke,
 * ext-event, ext-error, ext-stopped, io-uring,
 * and `out` for every write to fd 1 or 2 with the request id it is attributed to. */
#ifndef LWRAP_DEBUGLOG_H
#define LWRAP_DEBUGLOG_H

#include <stdbool.h>
#include <stddef.h>

#include "fmt.h"

/* One line being built, on the caller's stack (no TLS, no lock). */
struct debugline {
    struct fmt f;
    char buf[1024];
};

/* Start a line with its event name; NULL when the channel is off. */
struct fmt *debuglog_begin(struct debugline *line, const char *event);
/* Append " key=value" (value escaped to stay on one line). */
void debuglog_kv(struct fmt *f, const char *key, const char *value, size_t len);
void debuglog_kvs(struct fmt *f, const char *key, const char *value);
void debuglog_kvi(struct fmt *f, const char *key, long long value);
/* Write the line in one append. */
void debuglog_end(struct fmt *f);

/* `out fd=N id=ID bytes=N data=...` for a write to stdout/stderr. */
void debuglog_out(int fd, const void *buf, size_t n);

#endif
