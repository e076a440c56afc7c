/* liblwrap.so's constructor: settings first, then each feature in the order the
 * others depend on (the observer must be on before the runtime's first byte to the
 * Runtime API). The internal extension registers later, at the runtime's first connect
 * to the Runtime API (extension.h says why). */
#include <pthread.h>

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

/* A forked child starts with no lock held and nothing known about its outputs. */
static void atfork_child(void)
{
    sink_atfork_child();
    signals_atfork_child();
}

__attribute__((constructor)) static void lwrap_preload_init(void)
{
    config.constructor_ns = clock_mono_ns();
    real_resolve();
    telemetry_capture();
    sink_init();
    config_load();
    child_env_scrub();
    pthread_atfork(NULL, NULL, atfork_child);
    logs_init();

    bool have_api = runtime_addr_init();
    uint8_t g = 0;
    if (logs_enabled)
        g |= GATE_LOGS;
    if (config.observer_log[0])
        g |= GATE_ECHO;
    /* Every feature wants request ids or the end of init: the observer serves them all. */
    if (have_api && (logs_enabled || config.trace != TRACE_OFF || config.extension ||
                     config.crash || config.observer_log[0]))
        g |= GATE_OBSERVE;
    if (config.trace != TRACE_OFF)
        g |= GATE_INIT_COUNT;
    __atomic_store_n(&hook_gate, g, __ATOMIC_RELEASE);

    struct debugline line;
    struct fmt *f = debuglog_begin(&line, "init");
    if (f) {
        debuglog_kvi(f, "gate", g);
        debuglog_kvs(f, "api", have_api ? runtime_addr_text() : "-");
        debuglog_end(f);
    }
    if (logs_hold_records() || config.crash)
        signals_install(logs_hold_records(), config.crash);
}
