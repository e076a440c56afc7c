/* Every event the emulator reports goes through here: Lambda-like text lines
 * for people, or one JSON object per line (--log-format json) for tests.
 * Each event is written with one write(2) so lines never interleave. */
#include "emu.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static struct buf ob;

static void emit(int fd)
{
    const char *p = ob.p;
    size_t n = ob.len;
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            /* stdout went away (a closed pipe): nothing sensible left to do */
            break;
        }
        p += w;
        n -= (size_t)w;
    }
    buf_reset(&ob);
}

static void json_id(const char *key, const char *id)
{
    buf_addf(&ob, ",\"%s\":", key);
    if (id)
        buf_json_str(&ob, id, strlen(id));
    else
        buf_adds(&ob, "null");
}

static const char *stream_name(enum stream_kind st)
{
    return st == ST_STDOUT ? "stdout" : st == ST_STDERR ? "stderr" : st == ST_SOCKET ? "socket" : "telemetry";
}

static const char *level_name(uint32_t type)
{
    switch (type & 0x1C) {
    case 0x04: return "TRACE";
    case 0x08: return "DEBUG";
    case 0x0C: return "INFO";
    case 0x10: return "WARN";
    case 0x14: return "ERROR";
    case 0x18: return "FATAL";
    default: return NULL;
    }
}

void out_log(const char *ext_name, enum stream_kind st, const char *req_id, const char *msg, size_t n,
             const struct frame_info *fi)
{
    tel_log(ext_name, msg, n, fi);
    if (E.o.json) {
        if (ext_name) {
            buf_adds(&ob, "{\"type\":\"extension\",\"name\":");
            buf_json_str(&ob, ext_name, strlen(ext_name));
            buf_addf(&ob, ",\"stream\":\"%s\"", stream_name(st));
        } else {
            buf_addf(&ob, "{\"type\":\"function\",\"stream\":\"%s\"", stream_name(st));
        }
        buf_adds(&ob, ",\"message\":");
        buf_json_str(&ob, msg, n);
        json_id("requestId", req_id);
        if (fi) {
            const char *lv = level_name(fi->type);
            buf_addf(&ob, ",\"frameType\":\"0x%08X\",\"level\":", fi->type);
            if (lv)
                buf_addf(&ob, "\"%s\"", lv);
            else
                buf_adds(&ob, "null");
            buf_addf(&ob, ",\"format\":\"%s\",\"timestampUs\":%lld", (fi->type & 3) == 2 ? "json" : "text",
                     (long long)fi->ts_us);
        }
        buf_adds(&ob, "}\n");
        emit(1);
        return;
    }
    /* Text: one event per line; a multi-line event keeps its continuation lines
     * indented by a tab so it is visibly one event. */
    if (n && msg[n - 1] == '\n')
        n--;
    for (size_t i = 0; i < n; i++) {
        buf_addc(&ob, msg[i]);
        if (msg[i] == '\n')
            buf_addc(&ob, '\t');
    }
    buf_addc(&ob, '\n');
    emit(1);
}

void out_init_start(void)
{
    if (E.o.json) {
        buf_adds(&ob, "{\"type\":\"platform.initStart\"}\n");
        emit(1);
    }
}

/* Managed Instances log in JSON only, platform lines included ("Configuring JSON and plain
 * text log formats": system logs as {"time","type","record"} objects, the record shaped as
 * the Telemetry API's). Text mode then prints START/END/REPORT that way. */
static bool system_logs_json(void)
{
    return !E.o.json && E.o.managed;
}

static void system_log_begin(const char *type)
{
    char ts[32];
    iso8601_ms(ts, now_epoch_ms());
    buf_addf(&ob, "{\"time\":\"%s\",\"type\":\"%s\",\"record\":", ts, type);
}

void out_start(const char *id)
{
    if (system_logs_json()) {
        system_log_begin("platform.start");
        buf_adds(&ob, "{\"requestId\":");
        buf_json_str(&ob, id, strlen(id));
        buf_adds(&ob, ",\"version\":\"$LATEST\"}}\n");
    } else if (E.o.json) {
        buf_adds(&ob, "{\"type\":\"platform.start\"");
        json_id("requestId", id);
        buf_adds(&ob, ",\"version\":\"$LATEST\"}\n");
    } else {
        buf_addf(&ob, "START RequestId: %s Version: $LATEST\n", id);
    }
    emit(1);
}

void out_end(const char *id, const char *tel_status, const char *err_type)
{
    if (system_logs_json()) {
        system_log_begin("platform.runtimeDone");
        buf_adds(&ob, "{\"requestId\":");
        buf_json_str(&ob, id, strlen(id));
        buf_addf(&ob, ",\"status\":\"%s\"", tel_status);
        if (err_type && strcmp(tel_status, "success") != 0) {
            buf_adds(&ob, ",\"errorType\":");
            buf_json_str(&ob, err_type, strlen(err_type));
        }
        buf_adds(&ob, "}}\n");
    } else if (E.o.json) {
        buf_adds(&ob, "{\"type\":\"platform.end\"");
        json_id("requestId", id);
        buf_adds(&ob, "}\n");
    } else {
        buf_addf(&ob, "END RequestId: %s\n", id);
    }
    emit(1);
}

/* Lambda bills whole milliseconds, rounded up. */
static long long billed_ms(double ms)
{
    long long b = (long long)ms;
    return (double)b < ms ? b + 1 : b;
}

/* status/err_type: a failed invoke's, as CloudWatch shows them at the end of REPORT (NULL
 * status: it did not fail, or the function reported the error itself; Error Type only with
 * status "error"). */
void out_report(const char *id, double dur_ms, int mem_mb, int max_mem_mb, double init_ms, double restore_ms,
                const char *status, const char *err_type, const char *tel_status)
{
    long long billed = billed_ms(dur_ms);
    if (system_logs_json()) {
        system_log_begin("platform.report");
        buf_adds(&ob, "{\"requestId\":");
        buf_json_str(&ob, id, strlen(id));
        buf_addf(&ob, ",\"metrics\":{\"durationMs\":%.2f,\"billedDurationMs\":%lld,\"memorySizeMB\":%d,"
                      "\"maxMemoryUsedMB\":%d",
                 dur_ms, billed, mem_mb, max_mem_mb);
        if (init_ms >= 0)
            buf_addf(&ob, ",\"initDurationMs\":%.2f", init_ms);
        buf_addf(&ob, "},\"status\":\"%s\"", tel_status);
        if (err_type && strcmp(tel_status, "success") != 0) {
            buf_adds(&ob, ",\"errorType\":");
            buf_json_str(&ob, err_type, strlen(err_type));
        }
        buf_adds(&ob, "}}\n");
    } else if (E.o.json) {
        buf_adds(&ob, "{\"type\":\"platform.report\"");
        json_id("requestId", id);
        buf_addf(&ob, ",\"durationMs\":%.2f,\"billedDurationMs\":%lld,\"memorySizeMB\":%d,\"maxMemoryUsedMB\":%d",
                 dur_ms, billed, mem_mb, max_mem_mb);
        if (init_ms >= 0)
            buf_addf(&ob, ",\"initDurationMs\":%.2f", init_ms);
        if (restore_ms >= 0)
            buf_addf(&ob, ",\"restoreDurationMs\":%.2f,\"billedRestoreDurationMs\":%lld", restore_ms,
                     billed_ms(restore_ms));
        if (status) {
            buf_addf(&ob, ",\"status\":\"%s\"", status);
            if (err_type && strcmp(status, "error") == 0) {
                buf_adds(&ob, ",\"errorType\":");
                buf_json_str(&ob, err_type, strlen(err_type));
            }
        }
        buf_adds(&ob, "}\n");
    } else {
        /* Lambda's order: Init Duration comes last on the line. */
        buf_addf(&ob, "REPORT RequestId: %s\tDuration: %.2f ms\tBilled Duration: %lld ms\tMemory Size: %d MB\tMax Memory Used: %d MB\t",
                 id, dur_ms, billed, mem_mb, max_mem_mb);
        if (init_ms >= 0)
            buf_addf(&ob, "Init Duration: %.2f ms\t", init_ms);
        /* SnapStart: where Init Duration would be (AWS's "Monitoring for Lambda SnapStart") */
        if (restore_ms >= 0)
            buf_addf(&ob, "Restore Duration: %.2f ms\tBilled Restore Duration: %lld ms\t", restore_ms,
                     billed_ms(restore_ms));
        if (status)
            buf_addf(&ob, "Status: %s\t", status);
        if (status && err_type && strcmp(status, "error") == 0)
            buf_addf(&ob, "Error Type: %s\t", err_type);
        buf_addc(&ob, '\n');
    }
    emit(1);
}

void out_response(const char *id, const char *status, const char *body, size_t n, const char *err_type,
                  bool streamed)
{
    if (E.o.json) {
        buf_adds(&ob, "{\"type\":\"response\"");
        json_id("requestId", id);
        buf_addf(&ob, ",\"status\":\"%s\",\"body\":", status);
        buf_json_str(&ob, body, n);
        if (err_type) {
            buf_adds(&ob, ",\"errorType\":");
            buf_json_str(&ob, err_type, strlen(err_type));
        }
        buf_addf(&ob, ",\"streamed\":%s}\n", streamed ? "true" : "false");
    } else {
        buf_addf(&ob, "RESPONSE RequestId: %s\t", id);
        if (strcmp(status, "success") != 0)
            buf_addf(&ob, "%s %s\t", status, err_type ? err_type : "");
        buf_add(&ob, body, n);
        if (!n || body[n - 1] != '\n')
            buf_addc(&ob, '\n');
    }
    emit(1);
}

/* An error message at the end of a text-mode report line (INIT_REPORT, RESTORE_REPORT):
 * the report must stay one line, one CloudWatch event, however the message is made, so
 * its control characters are written as JSON escapes (\n, \r, \t, \u00XX), the way
 * Lambda's JSON records and the runtime's own error body show them. Other bytes (UTF-8
 * text included) are copied. */
static void add_one_line(struct buf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\n')
            buf_adds(b, "\\n");
        else if (c == '\r')
            buf_adds(b, "\\r");
        else if (c == '\t')
            buf_adds(b, "\\t");
        else if (c < 0x20 || c == 0x7F)
            buf_addf(b, "\\u%04x", c);
        else
            buf_addc(b, (char)c);
    }
}

/* message: the body's errorMessage when it has one; body: the whole error body. */
void out_init_error(const char *type, const char *body, size_t n, double init_ms)
{
    struct buf m = {0};
    if (!json_get_string(body, n, "errorMessage", &m))
        buf_add(&m, body, n);
    if (E.o.json) {
        buf_adds(&ob, "{\"type\":\"platform.initError\",\"errorType\":");
        buf_json_str(&ob, type, strlen(type));
        buf_adds(&ob, ",\"message\":");
        buf_json_str(&ob, m.p ? m.p : "", m.len);
        buf_adds(&ob, ",\"body\":");
        buf_json_str(&ob, body, n);
        buf_addf(&ob, ",\"initDurationMs\":%.2f}\n", init_ms);
    } else if (system_logs_json()) {
        /* Managed Instances: a JSON record like the other system lines, shaped as the
         * Telemetry API's platform.initReport (no message there: the error body is on the
         * RESPONSE line of the invoke that waited) */
        system_log_begin("platform.initReport");
        buf_adds(&ob, "{\"initializationType\":\"lambda-managed-instances\",\"phase\":\"init\",\"status\":\"error\","
                      "\"errorType\":");
        buf_json_str(&ob, type, strlen(type));
        buf_addf(&ob, ",\"metrics\":{\"durationMs\":%.2f}}}\n", init_ms);
    } else {
        buf_addf(&ob, "INIT_REPORT Init Duration: %.2f ms\tPhase: init\tStatus: error\tError Type: %s\t", init_ms, type);
        add_one_line(&ob, m.p ? m.p : "", m.len);
        buf_addc(&ob, '\n');
    }
    buf_free(&m);
    emit(1);
}

/* SnapStart: the init (made when the version is published, in Lambda) reports its duration
 * in its own INIT_REPORT line, not on the first REPORT. */
void out_init_report(double init_ms)
{
    if (E.o.json)
        buf_addf(&ob, "{\"type\":\"platform.initReport\",\"initializationType\":\"snap-start\",\"status\":\"success\","
                      "\"initDurationMs\":%.2f}\n", init_ms);
    else
        buf_addf(&ob, "INIT_REPORT Init Duration: %.2f ms\tPhase: init\tStatus: success\t\n", init_ms);
    emit(1);
}

void out_restore_start(void)
{
    if (!E.o.json)
        return; /* Lambda's RESTORE_START names runtime versions the emulator has not got */
    buf_adds(&ob, "{\"type\":\"platform.restoreStart\"}\n");
    emit(1);
}

/* err_type NULL: the restore succeeded (text mode then prints nothing: Restore Duration goes
 * on the first REPORT); otherwise Lambda's RESTORE_REPORT line for a failed restore. */
void out_restore_report(double restore_ms, const char *err_type, const char *body, size_t n)
{
    struct buf m = {0};
    if (err_type && !json_get_string(body, n, "errorMessage", &m))
        buf_add(&m, body, n);
    if (E.o.json) {
        buf_addf(&ob, "{\"type\":\"platform.restoreReport\",\"status\":\"%s\"", err_type ? "error" : "success");
        if (err_type) {
            buf_adds(&ob, ",\"errorType\":");
            buf_json_str(&ob, err_type, strlen(err_type));
            buf_adds(&ob, ",\"message\":");
            buf_json_str(&ob, m.p ? m.p : "", m.len);
            buf_adds(&ob, ",\"body\":");
            buf_json_str(&ob, body, n);
        }
        buf_addf(&ob, ",\"restoreDurationMs\":%.2f}\n", restore_ms);
    } else if (err_type) {
        buf_addf(&ob, "RESTORE_REPORT Restore Duration: %.2f ms\tStatus: error\tError Type: %s\t", restore_ms, err_type);
        add_one_line(&ob, m.p ? m.p : "", m.len);
        buf_addc(&ob, '\n');
    }
    buf_free(&m);
    if (ob.len)
        emit(1);
}

void out_runtime_exit(const char *req_id, const char *msg)
{
    if (E.o.json) {
        buf_adds(&ob, "{\"type\":\"platform.runtimeExit\",\"message\":");
        buf_json_str(&ob, msg, strlen(msg));
        json_id("requestId", req_id);
        buf_adds(&ob, "}\n");
    } else if (system_logs_json()) {
        /* Managed Instances' system lines are all JSON records: the on-demand text with its
         * tab-indented second line would stand alone among them. The record is the Logs API's
         * platform.fault (a string, as AWS's example shows it). */
        struct buf r = {0};
        if (req_id)
            buf_addf(&r, "RequestId: %s Error: %s", req_id, msg);
        else
            buf_addf(&r, "Error: %s", msg);
        system_log_begin("platform.fault");
        buf_json_str(&ob, r.p, r.len);
        buf_adds(&ob, "}\n");
        buf_free(&r);
    } else {
        if (req_id)
            buf_addf(&ob, "RequestId: %s Error: %s\n\tRuntime.ExitError\n", req_id, msg);
        else
            buf_addf(&ob, "Error: %s\n\tRuntime.ExitError\n", msg);
    }
    emit(1);
}

void out_timeout(const char *id, double secs)
{
    if (system_logs_json())
        return; /* platform.runtimeDone and platform.report say "timeout" */
    if (E.o.json) {
        buf_adds(&ob, "{\"type\":\"platform.timeout\"");
        json_id("requestId", id);
        buf_addf(&ob, ",\"message\":\"Task timed out after %.2f seconds\"}\n", secs);
    } else {
        char ts[32];
        iso8601_ms(ts, now_epoch_ms());
        buf_addf(&ob, "%s %s Task timed out after %.2f seconds\n", ts, id, secs);
    }
    emit(1);
}

void out_extension(const char *name, bool sub_invoke, bool sub_shutdown, bool internal)
{
    if (E.o.json) {
        buf_adds(&ob, "{\"type\":\"platform.extension\",\"name\":");
        buf_json_str(&ob, name, strlen(name));
        buf_addf(&ob, ",\"events\":[%s%s%s],\"internal\":%s}\n", sub_invoke ? "\"INVOKE\"" : "",
                 sub_invoke && sub_shutdown ? "," : "", sub_shutdown ? "\"SHUTDOWN\"" : "",
                 internal ? "true" : "false");
    } else {
        buf_addf(&ob, "EXTENSION\tName: %s\tState: Ready\tEvents: [%s%s%s]\n", name, sub_invoke ? "INVOKE" : "",
                 sub_invoke && sub_shutdown ? "," : "", sub_shutdown ? "SHUTDOWN" : "");
    }
    emit(1);
}

/* Extension lifecycle notes: init/error, exit/error, exits. */
void out_ext_event(const char *type, const char *name, const char *what, const char *msg)
{
    if (E.o.json) {
        buf_addf(&ob, "{\"type\":\"%s\",\"name\":", type);
        buf_json_str(&ob, name, strlen(name));
        if (what) {
            buf_adds(&ob, ",\"errorType\":");
            buf_json_str(&ob, what, strlen(what));
        }
        buf_adds(&ob, ",\"message\":");
        buf_json_str(&ob, msg, strlen(msg));
        buf_adds(&ob, "}\n");
    } else {
        buf_addf(&ob, "EXTENSION\tName: %s\t%s%s%s\n", name, what ? what : "", what ? "\t" : "", msg);
    }
    emit(1);
}

void out_emu(const char *fmt, ...)
{
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (E.o.json) {
        buf_adds(&ob, "{\"type\":\"emu\",\"message\":");
        buf_json_str(&ob, msg, strlen(msg));
        buf_adds(&ob, "}\n");
        emit(1);
    } else {
        buf_addf(&ob, "lambda-emu: %s\n", msg);
        emit(2);
    }
}
