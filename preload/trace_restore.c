/* SnapStart's after-restore record (trace.h): from the moment `restore/next` answers (the
 * process was restored from the snapshot) to the runtime's next `next` (its after-restore
 * hooks ran) or its `restore/error`. The hooks count files, bytes and dlopens into
 * restorestats meanwhile. Both ends are read after the restore, on CLOCK_MONOTONIC:
 * nothing here spans the snapshot, whose clocks may jump (SIGSTOP, another host). */
#include <string.h>

#include "clock.h"
#include "config.h"
#include "hook.h"
#include "initstats.h"
#include "trace.h"
#include "trace_record.h"

static uint64_t restored_ns; /* restore/next answered; 0: no restore under way */

void trace_restore_started(void)
{
    if (config.trace == TRACE_OFF)
        return;
    __atomic_store_n(&initstats_now, &restorestats, __ATOMIC_RELAXED);
    __atomic_store_n(&restored_ns, clock_mono_ns(), __ATOMIC_RELEASE);
    __atomic_fetch_or(&hook_gate, (uint8_t)GATE_INIT_COUNT, __ATOMIC_RELEASE);
}

static void text_record(struct fmt *f, uint64_t ns, bool error)
{
    fmt_str(f, "LWRAP TRACE restore ");
    fmt_str(f, error ? "error" : "restored");
    fmt_str(f, " restore_ms=");
    fmt_ms(f, ns);
    fmt_str(f, " files_opened=");
    fmt_u64(f, restorestats.files_opened);
    fmt_str(f, " bytes_read=");
    fmt_u64(f, restorestats.bytes_read);
    trace_text_dlopens(f, &restorestats);
}

static void json_record(struct fmt *f, uint64_t ns, bool error)
{
    fmt_str(f, "{\"type\":\"lwrap.trace\",\"outcome\":");
    fmt_str(f, error ? "\"restoreError\"" : "\"restored\"");
    fmt_str(f, ",\"restoreMs\":");
    fmt_ms(f, ns);
    trace_json_stats(f, &restorestats);
    fmt_str(f, "}");
}

static void emf_record(struct fmt *f, uint64_t ns, bool error)
{
    bool have_fn = config.function_name[0] != 0;
    fmt_str(f, "{\"_aws\":{\"Timestamp\":");
    fmt_u64(f, clock_epoch_us() / 1000);
    fmt_str(f, ",\"CloudWatchMetrics\":[{\"Namespace\":");
    trace_json_str(f, config.trace_namespace);
    fmt_str(f, have_fn ? ",\"Dimensions\":[[\"FunctionName\"]]" : ",\"Dimensions\":[[]]");
    fmt_str(f, ",\"Metrics\":[");
    trace_emf_metric(f, "RestoreMs", "Milliseconds", true);
    trace_emf_metric(f, "RestoreDlopenMs", "Milliseconds", false);
    trace_emf_metric(f, "RestoreDlopenCount", "Count", false);
    trace_emf_metric(f, "RestoreFilesOpened", "Count", false);
    trace_emf_metric(f, "RestoreBytesRead", "Bytes", false);
    fmt_str(f, "]}]}");
    if (have_fn) {
        fmt_str(f, ",\"FunctionName\":");
        trace_json_str(f, config.function_name);
    }
    fmt_str(f, ",\"RestoreMs\":");
    fmt_ms(f, ns);
    fmt_str(f, ",\"RestoreDlopenMs\":");
    fmt_ms(f, restorestats.dlopen_ns);
    fmt_str(f, ",\"RestoreDlopenCount\":");
    fmt_u64(f, restorestats.dlopen_count + restorestats.dlopen_dropped);
    fmt_str(f, ",\"RestoreFilesOpened\":");
    fmt_u64(f, restorestats.files_opened);
    fmt_str(f, ",\"RestoreBytesRead\":");
    fmt_u64(f, restorestats.bytes_read);
    fmt_str(f, ",\"outcome\":");
    fmt_str(f, error ? "\"restoreError\"" : "\"restored\"");
    fmt_str(f, ",\"dlopen\":");
    trace_json_dlopen_list(f, &restorestats);
    fmt_str(f, "}");
}

void trace_restore_ended(bool error)
{
    static char buf[16384];
    uint64_t t0 = __atomic_exchange_n(&restored_ns, 0, __ATOMIC_ACQ_REL);
    if (!t0)
        return;
    __atomic_fetch_and(&hook_gate, (uint8_t)~GATE_INIT_COUNT, __ATOMIC_RELEASE);
    uint64_t now = clock_mono_ns();
    uint64_t ns = now > t0 ? now - t0 : 0; /* never negative, whatever the clock did */
    struct fmt f = fmt_on(buf, sizeof buf - 1);
    if (config.trace == TRACE_TEXT)
        text_record(&f, ns, error);
    else if (config.trace == TRACE_JSON)
        json_record(&f, ns, error);
    else
        emf_record(&f, ns, error);
    if (f.full && config.trace != TRACE_TEXT)
        return; /* a cut JSON record would only mislead */
    trace_put_record(buf, f.len, config.trace == TRACE_TEXT);
}
