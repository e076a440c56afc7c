/* liblwrap.so's constructor: settings first, then each feature in the order the
 * others depend on (the observer must be on before the runtime's first byte to the
 * Runtime API). The internal extension registers later, at the runtime's first connect
 * to the Runtime API (extension.h says why). */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/auxv.h>
#include <unistd.h>

#include "child_env.h"
#include "clock.h"
#include "config.h"
#include "debuglog.h"
#include "hook.h"
#include "logs.h"
#include "real.h"
#include "runtime_addr.h"
#include "sink.h"
#include "signals.h"
#include "telemetry.h"
#include "trace.h"
#include "trace_children.h"
#include "trace_spans.h"

/* A forked child starts with no lock held and nothing known about its outputs. */
static void atfork_child(void)
{
    hook_pid = getpid();
    sink_atfork_child();
    signals_atfork_child();
    trace_spans_atfork_child();
}

/* lwrap leaves its pid in _LWRAP_PID, and the runtime keeps that pid (exec keeps it). A
 * process with another pid that loads us anyway is a child of a runtime that could not
 * take our entry out of LD_PRELOAD (a static Go or Rust bootstrap loads no preload): it
 * must run exactly as without lwrap. (LWRAP_KEEP_PRELOAD=1 asks for children with us.) */
static bool a_child_of_the_runtime(void)
{
    const char *m = getenv("_LWRAP_PID");
    if (!m || !*m || config.keep_preload)
        return false;
    long pid = 0;
    for (; *m >= '0' && *m <= '9' && pid < 1L << 40; m++)
        pid = pid * 10 + (*m - '0');
    return *m == 0 && pid != (long)getpid();
}

__attribute__((constructor)) static void lwrap_preload_init(void)
{
    int saved_errno = errno; /* main() must find errno as the loader left it */
    /* A setuid or setgid program (AT_SECURE; /etc/ld.so.preload reaches those) runs with
     * privileges its caller lacks, while every setting comes from that caller's
     * environment (LWRAP_OBSERVER_LOG names a file to append to): the gate stays closed,
     * and every hook passes straight through. */
    if (getauxval(AT_SECURE)) {
        errno = saved_errno;
        return;
    }
    hook_pid = getpid();
    config.constructor_ns = clock_mono_ns();
    real_resolve();
    logs_mask_secrets_init(); /* before any line that could quote a value */
    telemetry_capture();
    sink_init();
    config_load();
    if (a_child_of_the_runtime()) {
        child_env_scrub(false);
        errno = saved_errno;
        return;
    }
    child_env_scrub(true);
    pthread_atfork(NULL, NULL, atfork_child);
    logs_init();
    trace_lifecycle_init();

    bool have_api = runtime_addr_init();
    if (have_api)
        trace_children_init();
    uint8_t g = 0;
    if (logs_enabled)
        g |= GATE_LOGS;
    if (config.observer_log[0])
        g |= GATE_ECHO;
    /* Every feature wants request ids or the end of init: the observer serves them all. */
    if (have_api && (logs_enabled || config_trace_spans() || config.extension ||
                     config.crash || config.observer_log[0]))
        g |= GATE_OBSERVE;
    if (config_trace_spans())
        g |= GATE_INIT_COUNT;
    __atomic_store_n(&hook_gate, g, __ATOMIC_RELEASE);

    struct debugline line;
    struct fmt *f = debuglog_begin(&line, "init");
    if (f) {
        debuglog_kvi(f, "gate", g);
        debuglog_kvs(f, "api", have_api ? runtime_addr_text() : "-");
        debuglog_end(f);
    }
    /* The faults and SIGABRT also for LWRAP_TRACE_FILE: a runtime that crashes in init
     * still leaves its timeline. */
    bool faults = config.crash || config.trace_file[0];
    if (logs_hold_records() || faults)
        signals_install(logs_hold_records(), faults);
    errno = saved_errno;
}
