/* Startup trace record (see trace.h). Phases, in CLOCK_MONOTONIC:
 *   wrapper start (_LWRAP_START_NS, set by lwrap) -> our constructor (the runtime's
 *   image is loaded) -> runtime ready (its first `next` is sent).
 * "exec" is the first interval (lwrap's own work, execve and dynamic loading), absent
 * without lwrap; "runtime init" the second. Built in one buffer and written once: as a
 * telemetry frame when the runtime has a telemetry fd, else as one line on stderr. */
#include "trace.h"

#include <string.h>

#include "lifecycle.h"
#include "trace_record.h"

#include "clock.h"
#include "config.h"
#include "fmt.h"
#include "initstats.h"
#include "log_internal.h" /* log_json_escape: the same JSON strings as the log records */
#include "logs.h"
#include "real.h"
#include "sink.h"
#include "telemetry.h"
#include "trace_packages.h"
#include "trace_spans.h"

struct phases {
    bool have_exec;
    uint64_t exec_ns, runtime_ns, total_ns;
    unsigned packages; /* built (trace_packages.h), longest first */
};

bool trace_have_exec(void)
{
    /* A start stamp after our constructor is not from this process's lwrap: ignore it
     * rather than print a negative phase. */
    return config.have_wrapper_start && config.wrapper_start_ns <= config.constructor_ns;
}

static struct phases measure(void)
{
    struct phases p = {0};
    uint64_t now = clock_mono_ns();
    p.runtime_ns = now > config.constructor_ns ? now - config.constructor_ns : 0;
    p.have_exec = trace_have_exec();
    if (p.have_exec)
        p.exec_ns = config.constructor_ns - config.wrapper_start_ns;
    p.total_ns = p.exec_ns + p.runtime_ns;
    return p;
}

static unsigned dlopen_entries(const struct initstats *st)
{
    unsigned n = __atomic_load_n(&st->dlopen_count, __ATOMIC_ACQUIRE);
    return n < INITSTATS_DLOPEN_MAX ? n : INITSTATS_DLOPEN_MAX;
}

/* What init's record calls its end: under SnapStart init ends at the snapshot point. */
static const char *init_outcome(bool init_error, bool json)
{
    if (init_error)
        return json ? "\"initError\"" : "error";
    if (lifecycle_at_snapshot())
        return json ? "\"snapshot\"" : "snapshot";
    return json ? "\"ready\"" : "ready";
}

/* A value the record shows (a library path, the namespace, the function name), with the
 * built-in redaction every line of the preload gets; returns its length in out. */
static size_t shown(const char *s, char *out, size_t cap)
{
    size_t n = strnlen(s, cap);
    memcpy(out, s, n);
    return logs_mask_secrets(out, n);
}

void trace_text_str(struct fmt *f, const char *s)
{
    char v[INITSTATS_PATH_MAX + 128];
    fmt_escaped(f, v, shown(s, v, sizeof v));
}

/* A JSON string literal: bytes that are not UTF-8 become \u00XX, as in the log records,
 * so CloudWatch accepts an EMF record whatever the path or name holds. */
void trace_json_str(struct fmt *f, const char *s)
{
    char v[INITSTATS_PATH_MAX + 128];
    size_t n = shown(s, v, sizeof v), used;
    fmt_mem(f, "\"", 1);
    f->len += log_json_escape(v, n, f->p + f->len, f->cap - f->len, &used);
    if (used < n)
        f->full = true;
    fmt_mem(f, "\"", 1);
}

void trace_text_dlopens(struct fmt *f, const struct initstats *st)
{
    fmt_str(f, " dlopen_count=");
    fmt_u64(f, st->dlopen_count + st->dlopen_dropped);
    fmt_str(f, " dlopen_ms=");
    fmt_ms(f, st->dlopen_ns);
    fmt_str(f, " dlopen_untimed=");
    fmt_u64(f, st->dlopen_untimed);
    unsigned n = dlopen_entries(st);
    if (n)
        fmt_str(f, " dlopen=");
    for (unsigned i = 0; i < n; i++) {
        const struct initstats_dlopen *d = &st->dlopen[i];
        if (i)
            fmt_str(f, ",");
        trace_text_str(f, d->path);
        fmt_str(f, ":");
        fmt_ms(f, d->ns);
    }
}

static void text_record(struct fmt *f, const struct phases *p, bool init_error)
{
    fmt_str(f, "LWRAP TRACE init ");
    fmt_str(f, init_outcome(init_error, false));
    fmt_str(f, " total_ms=");
    fmt_ms(f, p->total_ns);
    if (p->have_exec) {
        fmt_str(f, " exec_ms=");
        fmt_ms(f, p->exec_ns);
    }
    fmt_str(f, " runtime_init_ms=");
    fmt_ms(f, p->runtime_ns);
    fmt_str(f, " files_opened=");
    fmt_u64(f, initstats.files_opened);
    fmt_str(f, " bytes_read=");
    fmt_u64(f, initstats.bytes_read);
    trace_text_dlopens(f, &initstats);
    for (unsigned i = 0; i < p->packages && i < TRACE_PACKAGES_TOP; i++) {
        const struct trace_package *k = &trace_packages[i];
        fmt_str(f, i ? "," : " packages=");
        trace_text_str(f, k->name);
        fmt_str(f, ":");
        fmt_ms(f, k->ns);
        fmt_str(f, "ms/");
        fmt_u64(f, k->files);
        fmt_str(f, "files/");
        fmt_u64(f, k->bytes);
        fmt_str(f, "B");
    }
}

void trace_json_dlopen_list(struct fmt *f, const struct initstats *st)
{
    fmt_str(f, "[");
    for (unsigned i = 0, n = dlopen_entries(st); i < n; i++) {
        const struct initstats_dlopen *d = &st->dlopen[i];
        fmt_str(f, i ? ",{\"path\":" : "{\"path\":");
        trace_json_str(f, d->path);
        fmt_str(f, ",\"ms\":");
        fmt_ms(f, d->ns);
        fmt_str(f, "}");
    }
    fmt_str(f, "]");
}

void trace_json_stats(struct fmt *f, const struct initstats *st)
{
    fmt_str(f, ",\"filesOpened\":");
    fmt_u64(f, st->files_opened);
    fmt_str(f, ",\"bytesRead\":");
    fmt_u64(f, st->bytes_read);
    fmt_str(f, ",\"dlopenCount\":");
    fmt_u64(f, st->dlopen_count + st->dlopen_dropped);
    fmt_str(f, ",\"dlopenMs\":");
    fmt_ms(f, st->dlopen_ns);
    fmt_str(f, ",\"dlopenUntimed\":");
    fmt_u64(f, st->dlopen_untimed);
    fmt_str(f, ",\"dlopen\":");
    trace_json_dlopen_list(f, st);
}

/* The top packages by time: "packages":[{"name","ecosystem","files","bytes","ms"}, ...]. */
static void json_packages(struct fmt *f, const struct phases *p)
{
    fmt_str(f, ",\"packages\":[");
    for (unsigned i = 0; i < p->packages && i < TRACE_PACKAGES_TOP; i++) {
        const struct trace_package *k = &trace_packages[i];
        fmt_str(f, i ? ",{\"name\":" : "{\"name\":");
        trace_json_str(f, k->name);
        fmt_str(f, ",\"ecosystem\":\"");
        fmt_str(f, trace_ecosystem_name(k->eco));
        fmt_str(f, "\",\"files\":");
        fmt_u64(f, k->files);
        fmt_str(f, ",\"bytes\":");
        fmt_u64(f, k->bytes);
        fmt_str(f, ",\"ms\":");
        fmt_ms(f, k->ns);
        if (k->import_ns) {
            fmt_str(f, ",\"importMs\":");
            fmt_ms(f, k->import_ns);
        }
        fmt_str(f, "}");
    }
    fmt_str(f, "]");
    if (trace_spans_dropped()) {
        fmt_str(f, ",\"spansDropped\":");
        fmt_u64(f, trace_spans_dropped());
    }
}

static void json_record(struct fmt *f, const struct phases *p, bool init_error)
{
    fmt_str(f, "{\"type\":\"lwrap.trace\",\"outcome\":");
    fmt_str(f, init_outcome(init_error, true));
    fmt_str(f, ",\"totalMs\":");
    fmt_ms(f, p->total_ns);
    if (p->have_exec) {
        fmt_str(f, ",\"execMs\":");
        fmt_ms(f, p->exec_ns);
    }
    fmt_str(f, ",\"runtimeInitMs\":");
    fmt_ms(f, p->runtime_ns);
    trace_json_stats(f, &initstats);
    json_packages(f, p);
    fmt_str(f, "}");
}

void trace_emf_metric(struct fmt *f, const char *name, const char *unit, bool first)
{
    fmt_str(f, first ? "{\"Name\":\"" : ",{\"Name\":\"");
    fmt_str(f, name);
    fmt_str(f, "\",\"Unit\":\"");
    fmt_str(f, unit);
    fmt_str(f, "\"}");
}

static void emf_record(struct fmt *f, const struct phases *p, bool init_error)
{
    bool have_fn = config.function_name[0] != 0;
    fmt_str(f, "{\"_aws\":{\"Timestamp\":");
    fmt_u64(f, clock_epoch_us() / 1000);
    fmt_str(f, ",\"CloudWatchMetrics\":[{\"Namespace\":");
    trace_json_str(f, config.trace_namespace);
    fmt_str(f, have_fn ? ",\"Dimensions\":[[\"FunctionName\"]]" : ",\"Dimensions\":[[]]");
    fmt_str(f, ",\"Metrics\":[");
    trace_emf_metric(f, "InitTotalMs", "Milliseconds", true);
    if (p->have_exec)
        trace_emf_metric(f, "InitExecMs", "Milliseconds", false);
    trace_emf_metric(f, "InitRuntimeMs", "Milliseconds", false);
    trace_emf_metric(f, "InitDlopenMs", "Milliseconds", false);
    trace_emf_metric(f, "InitDlopenCount", "Count", false);
    trace_emf_metric(f, "InitFilesOpened", "Count", false);
    trace_emf_metric(f, "InitBytesRead", "Bytes", false);
    fmt_str(f, "]}]}");
    if (have_fn) {
        fmt_str(f, ",\"FunctionName\":");
        trace_json_str(f, config.function_name);
    }
    fmt_str(f, ",\"InitTotalMs\":");
    fmt_ms(f, p->total_ns);
    if (p->have_exec) {
        fmt_str(f, ",\"InitExecMs\":");
        fmt_ms(f, p->exec_ns);
    }
    fmt_str(f, ",\"InitRuntimeMs\":");
    fmt_ms(f, p->runtime_ns);
    fmt_str(f, ",\"InitDlopenMs\":");
    fmt_ms(f, initstats.dlopen_ns);
    fmt_str(f, ",\"InitDlopenCount\":");
    fmt_u64(f, initstats.dlopen_count + initstats.dlopen_dropped);
    fmt_str(f, ",\"InitFilesOpened\":");
    fmt_u64(f, initstats.files_opened);
    fmt_str(f, ",\"InitBytesRead\":");
    fmt_u64(f, initstats.bytes_read);
    fmt_str(f, ",\"outcome\":");
    fmt_str(f, init_outcome(init_error, true));
    fmt_str(f, ",\"dlopen\":");
    trace_json_dlopen_list(f, &initstats);
    fmt_str(f, "}");
}

void trace_put_record(char *buf, size_t len, bool text)
{
    if (telemetry_fd() >= 0) {
        uint32_t type = (text ? TELEMETRY_FRAME_TEXT : TELEMETRY_FRAME_JSON) | TELEMETRY_LEVEL_INFO;
        if (telemetry_write_frame(type, clock_epoch_us(), buf, len) == 0)
            return;
    }
    buf[len++] = '\n';
    sink_write(2, buf, len, SINK_ONE);
}

/* EMF: one more record per top package (an EMF dimension takes one value per record),
 * at most TRACE_EMF_PACKAGES of them: metric PackageInitMs (with PackageFiles and
 * PackageBytes), dimensions FunctionName and Package. */
#define TRACE_EMF_PACKAGES 5
static void emf_packages(char *buf, size_t cap, const struct phases *p)
{
    bool have_fn = config.function_name[0] != 0;
    for (unsigned i = 0; i < p->packages && i < TRACE_EMF_PACKAGES; i++) {
        const struct trace_package *k = &trace_packages[i];
        struct fmt f = fmt_on(buf, cap - 1);
        fmt_str(&f, "{\"_aws\":{\"Timestamp\":");
        fmt_u64(&f, clock_epoch_us() / 1000);
        fmt_str(&f, ",\"CloudWatchMetrics\":[{\"Namespace\":");
        trace_json_str(&f, config.trace_namespace);
        fmt_str(&f, have_fn ? ",\"Dimensions\":[[\"FunctionName\",\"Package\"]]" : ",\"Dimensions\":[[\"Package\"]]");
        fmt_str(&f, ",\"Metrics\":[");
        trace_emf_metric(&f, "PackageInitMs", "Milliseconds", true);
        trace_emf_metric(&f, "PackageFiles", "Count", false);
        trace_emf_metric(&f, "PackageBytes", "Bytes", false);
        fmt_str(&f, "]}]}");
        if (have_fn) {
            fmt_str(&f, ",\"FunctionName\":");
            trace_json_str(&f, config.function_name);
        }
        fmt_str(&f, ",\"Package\":");
        trace_json_str(&f, k->name);
        fmt_str(&f, ",\"PackageInitMs\":");
        fmt_ms(&f, k->ns);
        fmt_str(&f, ",\"PackageFiles\":");
        fmt_u64(&f, k->files);
        fmt_str(&f, ",\"PackageBytes\":");
        fmt_u64(&f, k->bytes);
        fmt_str(&f, "}");
        if (!f.full)
            trace_put_record(buf, f.len, false);
    }
}

void trace_emit(bool init_error)
{
    static bool done;
    static char buf[16384];
    if (config.trace == TRACE_OFF || __atomic_exchange_n(&done, true, __ATOMIC_ACQ_REL))
        return;
    struct phases p = measure();
    p.packages = trace_packages_build(clock_mono_ns());
    struct fmt f = fmt_on(buf, sizeof buf - 1);
    if (config.trace == TRACE_TEXT)
        text_record(&f, &p, init_error);
    else if (config.trace == TRACE_JSON)
        json_record(&f, &p, init_error);
    else
        emf_record(&f, &p, init_error);
    if (f.full && config.trace != TRACE_TEXT)
        return; /* a cut JSON record would only mislead; the table caps keep this rare */
    trace_put_record(buf, f.len, config.trace == TRACE_TEXT);
    if (config.trace == TRACE_EMF)
        emf_packages(buf, sizeof buf, &p);
}
