/* A small HTTP/1.1 client for the extensions on the sandbox's loopback: every request on
 * its own non-blocking connection, all of them at once under one poll loop and one total
 * time budget. Connections refused (an extension whose server is still starting) are
 * retried inside the budget. Answers are untrusted: size-capped, Content-Length or
 * chunked or read to the end, anything else is a failure with a reason. */
#ifndef LWRAP_FETCH_H
#define LWRAP_FETCH_H
#include <stddef.h>

/* The largest answer read (headers and body): AppConfig's hosted configurations are at
 * most 2 MB, but no environment variable can hold more than 128 KiB. */
#define FETCH_MAX_ANSWER (1u << 20)

struct fetch {
    /* in */
    unsigned short port;
    int tag; /* the caller's, passed back to fetch_refused_fn */
    const char *request;
    size_t request_len;
    /* out: status > 0 with body (and content type, maybe empty) when an answer came;
     * else fail says why not (static text) */
    int status;
    const char *body;
    size_t body_len;
    const char *ctype;
    size_t ctype_len;
    const char *fail;
    int timed_out; /* fail is the budget running out */
    /* private */
    int fd, phase;
    size_t sent, len, cap, head_len;
    char *buf;
    long long retry_at;
    unsigned refused, not_ready;
};

/* Called when f's port refuses a connection; returns a reason to give up at once (the
 * extension is not installed), or NULL to keep retrying. */
typedef const char *(*fetch_refused_fn)(const struct fetch *f);

long long fetch_now_ms(void); /* CLOCK_MONOTONIC */
/* f: zeroed but for port, tag and request; one without a request is skipped. */
void fetch_all(struct fetch *f, size_t n, unsigned budget_ms, fetch_refused_fn refused);
/* The pure part, for tests and fuzzing: whether buf[0, len) is a whole answer (1), a
 * beginning (0), or broken (-1, *why set); on 1 the fields status, body, ctype are set
 * (chunked bodies are decoded in place). eof: the server closed the connection. */
int fetch_parse(struct fetch *f, char *buf, size_t len, int eof, const char **why);

#endif
