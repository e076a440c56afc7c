/* Incremental HTTP/1.1 message parser: feed it bytes as they cross a socket, in any
 * fragments, and it reports what it recognises through a callback. Pure: no I/O, no
 * allocation, no global state, so a fuzzer can drive it directly. One parser follows one
 * direction of one connection (requests out, or responses in), keep-alive and pipelined
 * messages included. */
#ifndef LWRAP_HTTP_H
#define LWRAP_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum http_kind { HTTP_REQUESTS, HTTP_RESPONSES };

enum http_event_type {
    HTTP_EV_START,        /* request line (method, target) or status line (status) */
    HTTP_EV_HEADER,       /* one header field (name, value; truncated if too long) */
    HTTP_EV_HEADERS_END,  /* the empty line after the headers */
    HTTP_EV_BODY,         /* body bytes, de-chunked (data, len) */
    HTTP_EV_END,          /* the message is complete */
};

struct http_event {
    enum http_event_type type;
    const char *method, *target; /* HTTP_EV_START of a request */
    size_t method_len, target_len;
    int status;                  /* HTTP_EV_START of a response */
    const char *name, *value;    /* HTTP_EV_HEADER */
    size_t name_len, value_len;
    bool truncated;              /* the header line was longer than HTTP_LINE_MAX */
    const char *data;            /* HTTP_EV_BODY */
    size_t len;
};

typedef void (*http_sink)(void *ctx, const struct http_event *ev);

/* Long enough for Runtime API start lines and the headers the observer reads; longer
 * header lines are still framed correctly, only their value is cut. */
#define HTTP_LINE_MAX 512

struct http_parser {
    uint8_t kind, state;
    bool chunked, has_length, by_close, line_overflow;
    int status;         /* of the response being parsed */
    uint64_t remaining; /* body or chunk bytes still to come */
    size_t line_len;
    char line[HTTP_LINE_MAX];
};

void http_init(struct http_parser *p, enum http_kind kind);

/* Parse len more bytes. Returns false, now and on every later call, once the stream is
 * not HTTP/1.x as this parser understands it; the caller then stops observing. */
bool http_feed(struct http_parser *p, const char *data, size_t len, http_sink sink, void *ctx);

/* True when the parser sits between messages (nothing partial buffered). */
bool http_idle(const struct http_parser *p);

#endif
