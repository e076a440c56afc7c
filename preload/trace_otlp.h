/* The init span tree as OTLP/HTTP JSON (LWRAP_TRACE_OTLP), sent once to a collector on
 * the sandbox after the first invoke's response has left. */
#ifndef LWRAP_TRACE_OTLP_H
#define LWRAP_TRACE_OTLP_H

/* Copy what the resource attributes need from the environment (constructor). */
void trace_otlp_init(void);
/* Why url cannot be used (a sentence), or NULL when it can. */
const char *trace_otlp_url_error(const char *url);
/* Build and POST; a failure gets one line on stderr. Blocks at most the timeout. */
void trace_otlp_send(void);

#endif
