/* The records the Telemetry API and the Logs API send, one function per event, in
 * the shapes of AWS's schema references (Telemetry API: "Lambda Telemetry API Event
 * schema reference"; Logs API: "Lambda Logs API", section Log messages). Both shapes
 * are built here and handed to telemetry_deliver.c, which sends each subscriber its own. */
#include "emu.h"

#include <stdlib.h>
#include <string.h>

static void iso(struct buf *b, int64_t ms)
{
    char ts[32];
    iso8601_ms(ts, ms);
    buf_addf(b, "\"%s\"", ts);
}

static void str(struct buf *b, const char *s)
{
    buf_json_str(b, s, strlen(s));
}

static void tracing(struct buf *b, const struct invoke *inv)
{
    buf_adds(b, ",\"tracing\":{\"type\":\"X-Amzn-Trace-Id\",\"value\":");
    str(b, inv->trace);
    buf_addc(b, '}');
}

static void publish(enum tel_type type, const char *event_type, struct buf *tel, struct buf *logs)
{
    tel_publish(type, event_type, now_epoch_ms(), tel ? tel->p : NULL, tel ? tel->len : 0, logs ? logs->p : NULL,
                logs ? logs->len : 0);
    if (tel)
        buf_free(tel);
    if (logs)
        buf_free(logs);
}

static void init_fields(struct buf *b)
{
    buf_addf(b, "{\"initializationType\":\"%s\",\"phase\":\"init\"", life_init_type());
}

void tel_init_start(void)
{
    if (!tel_active())
        return;
    struct buf t = {0};
    init_fields(&t);
    buf_adds(&t, ",\"functionName\":");
    str(&t, E.o.function_name);
    buf_adds(&t, ",\"functionVersion\":\"$LATEST\"}");
    publish(TEL_PLATFORM, "platform.initStart", &t, NULL);
}

/* err_type NULL: the init succeeded. */
void tel_init_done(const char *err_type, double init_ms)
{
    if (!tel_active())
        return;
    struct buf t = {0}, r = {0};
    init_fields(&t);
    /* error: reported through init/error; timeout; failure: the runtime or an extension died */
    const char *st = !err_type                                   ? "success"
                     : strcmp(err_type, "Sandbox.Timedout") == 0 ? "timeout"
                     : strcmp(err_type, "Runtime.ExitError") == 0 || strcmp(err_type, "Extension.Crash") == 0 ||
                             strcmp(err_type, "Runtime.Unknown") == 0
                         ? "failure"
                         : "error";
    buf_addf(&t, ",\"status\":\"%s\"", st);
    if (err_type) {
        buf_adds(&t, ",\"errorType\":");
        str(&t, err_type);
    }
    buf_add(&r, t.p, t.len);
    buf_addc(&t, '}');
    publish(TEL_PLATFORM, "platform.initRuntimeDone", &t, NULL);
    buf_addf(&r, ",\"metrics\":{\"durationMs\":%.3f}}", init_ms);
    publish(TEL_PLATFORM, "platform.initReport", &r, NULL);
}

void tel_start(const struct invoke *inv)
{
    if (!tel_active())
        return;
    struct buf t = {0}, l = {0};
    buf_adds(&t, "{\"requestId\":");
    str(&t, inv->id);
    buf_adds(&t, ",\"version\":\"$LATEST\"");
    buf_add(&l, t.p, t.len);
    tracing(&t, inv);
    buf_addc(&t, '}');
    buf_addc(&l, '}');
    publish(TEL_PLATFORM, "platform.start", &t, &l);
}

/* The Status object of the schema: success, error (the function reported one),
 * timeout, failure (the runtime or the environment failed). */
static const char *status_of(const struct invoke *inv)
{
    if (!inv->status || strcmp(inv->status, "success") == 0)
        return "success";
    if (strcmp(inv->status, "timeout") == 0)
        return "timeout";
    if (strcmp(inv->status, "crash") == 0)
        return "failure";
    return "error";
}

static void status_fields(struct buf *b, const struct invoke *inv)
{
    const char *st = status_of(inv);
    buf_addf(b, ",\"status\":\"%s\"", st);
    if (strcmp(st, "success") != 0 && inv->err_type) {
        buf_adds(b, ",\"errorType\":");
        str(b, inv->err_type);
    }
}

static void span(struct buf *b, const char *name, double start_epoch_ms, double dur)
{
    buf_addf(b, "{\"name\":\"%s\",\"start\":", name);
    iso(b, (int64_t)start_epoch_ms);
    buf_addf(b, ",\"durationMs\":%.3f}", dur < 0 ? 0 : dur);
}

void tel_runtime_done(const struct invoke *inv)
{
    if (!tel_active())
        return;
    struct buf t = {0}, l = {0};
    double now = now_mono_ms();
    double first = inv->t_first_byte > 0 ? inv->t_first_byte : now;
    /* monotonic -> epoch for the span starts */
    double epoch_of_dispatch = (double)now_epoch_ms() - (now - inv->t_dispatch);
    buf_adds(&t, "{\"requestId\":");
    str(&t, inv->id);
    status_fields(&t, inv);
    buf_add(&l, t.p, t.len);
    buf_addc(&l, '}');
    buf_addf(&t, ",\"metrics\":{\"durationMs\":%.3f,\"producedBytes\":%zu}", now - inv->t_dispatch,
             strcmp(status_of(inv), "success") == 0 ? inv->result.len : 0);
    buf_adds(&t, ",\"spans\":[");
    span(&t, "responseLatency", epoch_of_dispatch, first - inv->t_dispatch);
    buf_addc(&t, ',');
    span(&t, "responseDuration", epoch_of_dispatch + (first - inv->t_dispatch), now - first);
    buf_addc(&t, ']');
    tracing(&t, inv);
    buf_addc(&t, '}');
    publish(TEL_PLATFORM, "platform.runtimeDone", &t, &l);
}

void tel_report(const struct invoke *inv, double dur_ms, int mem_mb, int max_mem_mb, double init_ms,
                double restore_ms)
{
    if (!tel_active())
        return;
    long long billed = (long long)dur_ms;
    if ((double)billed < dur_ms)
        billed++;
    struct buf m = {0}, t = {0}, l = {0}, end = {0};
    buf_addf(&m, "{\"durationMs\":%.3f,\"billedDurationMs\":%lld,\"memorySizeMB\":%d,\"maxMemoryUsedMB\":%d", dur_ms,
             billed, mem_mb, max_mem_mb);
    if (init_ms >= 0)
        buf_addf(&m, ",\"initDurationMs\":%.3f", init_ms);
    if (restore_ms >= 0)
        buf_addf(&m, ",\"restoreDurationMs\":%.3f", restore_ms);
    buf_addc(&m, '}');
    buf_adds(&end, "{\"requestId\":");
    str(&end, inv->id);
    buf_add(&t, end.p, end.len);
    buf_add(&l, end.p, end.len);
    buf_addc(&end, '}');
    publish(TEL_PLATFORM, "platform.end", NULL, &end); /* the Logs API only */
    status_fields(&t, inv);
    buf_adds(&t, ",\"metrics\":");
    buf_add(&t, m.p, m.len);
    tracing(&t, inv);
    buf_addc(&t, '}');
    buf_adds(&l, ",\"metrics\":");
    buf_add(&l, m.p, m.len);
    buf_addc(&l, '}');
    buf_free(&m);
    publish(TEL_PLATFORM, "platform.report", &t, &l);
}

/* SnapStart (schema reference: platform.restoreStart; no runtimeVersion, instanceId: the
 * emulator has none). */
void tel_restore_start(void)
{
    if (!tel_active())
        return;
    struct buf t = {0};
    buf_adds(&t, "{\"functionName\":");
    str(&t, E.o.function_name);
    buf_addf(&t, ",\"functionVersion\":\"$LATEST\",\"instanceMaxMemory\":%d}", E.o.memory);
    publish(TEL_PLATFORM, "platform.restoreStart", &t, NULL);
}

/* err_type NULL: success. platform.restoreRuntimeDone (also to the Logs API, 2021-03-18) and
 * platform.restoreReport, with the status words of platform.initRuntimeDone. */
void tel_restore_done(const char *err_type, double restore_ms)
{
    if (!tel_active())
        return;
    const char *st = !err_type                                   ? "success"
                     : strcmp(err_type, "Sandbox.Timedout") == 0 ? "timeout"
                     : strcmp(err_type, "Runtime.ExitError") == 0 || strcmp(err_type, "Extension.Crash") == 0
                         ? "failure"
                         : "error";
    struct buf t = {0}, l = {0}, r = {0};
    buf_addf(&t, "{\"status\":\"%s\"", st);
    if (err_type) {
        buf_adds(&t, ",\"errorType\":");
        str(&t, err_type);
    }
    buf_add(&r, t.p, t.len);
    buf_addc(&t, '}');
    buf_add(&l, t.p, t.len);
    publish(TEL_PLATFORM, "platform.restoreRuntimeDone", &t, &l);
    buf_addf(&r, ",\"metrics\":{\"durationMs\":%.3f}}", restore_ms);
    publish(TEL_PLATFORM, "platform.restoreReport", &r, NULL);
}

/* The runtime failed (exited): the Logs API's platform.fault, a string record. */
void tel_fault(const char *req_id, const char *msg)
{
    if (!tel_active())
        return;
    struct buf text = {0}, l = {0};
    if (req_id)
        buf_addf(&text, "RequestId: %s ", req_id);
    buf_addf(&text, "Error: %s", msg);
    buf_json_str(&l, text.p, text.len);
    buf_free(&text);
    publish(TEL_PLATFORM, "platform.fault", NULL, &l);
}

void tel_extension(const struct ext *e)
{
    if (!tel_active())
        return;
    struct buf t = {0};
    buf_adds(&t, "{\"name\":");
    str(&t, e->name);
    buf_addf(&t, ",\"state\":\"Ready\",\"events\":[%s%s%s]}", e->sub_invoke ? "\"INVOKE\"" : "",
             e->sub_invoke && e->sub_shutdown ? "," : "", e->sub_shutdown ? "\"SHUTDOWN\"" : "");
    struct buf l = {0};
    buf_add(&l, t.p, t.len);
    publish(TEL_PLATFORM, "platform.extension", &t, &l);
}

void tel_subscription_record(enum tel_api api, const char *name, unsigned types)
{
    struct buf b = {0};
    buf_adds(&b, "{\"name\":");
    str(&b, name);
    buf_adds(&b, ",\"state\":\"Subscribed\",\"types\":[");
    const char *names[] = {"platform", "function", "extension"};
    bool first = true;
    for (int i = 0; i < 3; i++)
        if (types & (1u << i)) {
            buf_addf(&b, "%s\"%s\"", first ? "" : ",", names[i]);
            first = false;
        }
    buf_adds(&b, "]}");
    if (api == TEL_API_TELEMETRY)
        publish(TEL_PLATFORM, "platform.telemetrySubscription", &b, NULL);
    else
        publish(TEL_PLATFORM, "platform.logsSubscription", NULL, &b);
}

/* AWS_LAMBDA_LOG_FORMAT=JSON as the function sees it (-e wins over the environment). */
static bool json_log_format(void)
{
    const char *v = getenv("AWS_LAMBDA_LOG_FORMAT");
    for (int i = 0; i < E.o.nenv; i++)
        if (strncmp(E.o.env[i], "AWS_LAMBDA_LOG_FORMAT=", 22) == 0)
            v = E.o.env[i] + 22;
    return v && strcmp(v, "JSON") == 0;
}

/* One CloudWatch event of the function or an extension. Text: the record is the event's
 * text (the Logs API's ends with '\n', as in its documentation). JSON (a JSON frame, or a
 * JSON-object line under the JSON log format): the record is that object, as written. */
void tel_log(const char *ext_name, const char *msg, size_t n, const struct frame_info *fi)
{
    if (!tel_active())
        return;
    struct buf t = {0}, l = {0};
    bool as_json = (fi ? (fi->type & 3) == 2 : json_log_format()) && json_valid(msg, n, '{');
    if (as_json)
        buf_add(&t, msg, n);
    else
        buf_json_str(&t, msg, n);
    size_t body = n && msg[n - 1] == '\n' ? n - 1 : n;
    buf_json_str(&l, msg, body);
    l.len--; /* reopen the string to end it with a newline */
    buf_adds(&l, "\\n\"");
    int64_t ts = fi && fi->ts_us > 0 ? fi->ts_us / 1000 : now_epoch_ms();
    tel_publish(ext_name ? TEL_EXTENSION : TEL_FUNCTION, ext_name ? "extension" : "function", ts, t.p, t.len, l.p,
                l.len);
    buf_free(&t);
    buf_free(&l);
}
