/* The preload core's settings, read once from the environment by the constructor
 * (the wrapper exports those that came from a config file). */
#ifndef LWRAP_CONFIG_H
#define LWRAP_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "hook.h"

enum trace_format { TRACE_OFF, TRACE_TEXT, TRACE_JSON, TRACE_EMF };

struct lwrap_config {
    enum trace_format trace;        /* LWRAP_TRACE */
    bool extension;                 /* LWRAP_EXTENSION=1 */
    bool crash;                     /* LWRAP_CRASH=1 */
    bool keep_preload;              /* LWRAP_KEEP_PRELOAD=1 */
    char observer_log[256];         /* LWRAP_OBSERVER_LOG: debug channel path, "" = off */
    char trace_namespace[128];      /* LWRAP_TRACE_NAMESPACE (default "lwrap") */
    char trace_file[256];           /* LWRAP_TRACE_FILE: timeline path ("%p": pid), "" = off */
    char trace_otlp[256];           /* LWRAP_TRACE_OTLP: collector base URL, "" = off */
    unsigned trace_otlp_timeout_ms; /* LWRAP_TRACE_OTLP_TIMEOUT_MS (default 200) */
    char function_name[128];        /* AWS_LAMBDA_FUNCTION_NAME, the EMF dimension */
    int max_concurrency;            /* AWS_LAMBDA_MAX_CONCURRENCY (Managed Instances), 1 */
    bool managed_instances;         /* AWS_LAMBDA_INITIALIZATION_TYPE=lambda-managed-instances */
    bool snapstart;                 /* AWS_LAMBDA_INITIALIZATION_TYPE=snap-start */
    bool have_wrapper_start;
    uint64_t wrapper_start_ns;      /* _LWRAP_START_NS, CLOCK_MONOTONIC */
    uint64_t wrapper_exec_ns;       /* _LWRAP_EXEC_NS: lwrap's execve of the runtime; 0: none */
    uint64_t constructor_ns;        /* when our constructor started */
    int pid;                        /* the constructor's process (a forked child's differs) */
};

extern HIDDEN struct lwrap_config config;

void config_load(void);

/* Several invocations may be in flight at once in this environment (Managed Instances,
 * or AWS_LAMBDA_MAX_CONCURRENCY > 1): "the only one in flight" is no evidence then. */
static inline bool config_concurrent(void)
{
    return config.max_concurrency > 1 || config.managed_instances;
}

/* The span store is wanted: LWRAP_TRACE, LWRAP_TRACE_FILE or LWRAP_TRACE_OTLP is on. */
bool config_trace_spans(void);

/* One "lwrap: ..." line on stderr, written with the real write. */
void config_warn(const char *a, const char *b, const char *c, const char *d);

/* Something of lwrap's own could not be had (memory, a thread) and a feature steps down
 * as `what` says: "lwrap: out of memory: <what>", only the first time in the process
 * (README: Faults and limits). Async-signal-safe. */
void config_out_of_memory(const char *what);

#endif
