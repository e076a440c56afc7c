/* LWRAP_TRACE_OTLP's URL, http://HOST[:PORT][/PATH], read by one set of rules in lwrap
 * (which checks the setting before the runtime starts) and in liblwrap.so (which sends
 * the spans there): the two can never disagree about a value (preload/otlp_url_shared.c). */
#ifndef LWRAP_OTLP_URL_H
#define LWRAP_OTLP_URL_H
#include <stddef.h>

#define OTLP_URL_HOST_MAX 128
#define OTLP_URL_PATH_MAX 255 /* the request path, /v1/traces included */

struct otlp_url {
    char host[OTLP_URL_HOST_MAX]; /* an IP address (brackets removed) or "localhost" */
    const char *hostport;         /* HOST[:PORT] as written, for the Host header */
    size_t hostport_len;
    unsigned port;                /* 80 when none is given */
    const char *path;             /* PATH as written, trailing '/' removed */
    size_t path_len;
    int add_traces;               /* the request path is PATH + "/v1/traces" */
};

/* NULL, and *u filled, when url is usable; else why not (a phrase without a final '.'). */
const char *otlp_url_parse(const char *url, struct otlp_url *u);

#endif
