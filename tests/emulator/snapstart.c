/* --snapstart: Lambda SnapStart's two phases in one process. Lambda runs the init when a
 * version is published, snapshots the microVM when the runtime calls
 * GET /runtime/restore/next, and on an invoke restores the snapshot and answers that
 * request; the runtime runs its after-restore hooks and calls `next`. Here the process is
 * simply kept (optionally stopped with SIGSTOP for --snapshot-pause ms, so the runtime sees
 * its clocks jump as a restored snapshot does), and the restore begins when an invoke waits.
 * Sources: AWS's Runtime Interface Emulator (lambda/rapi/router.go registers restore/next and
 * restore/error only for init type snap-start; handler/restorenext.go answers 200 with no body,
 * handler/restoreerror.go 202 and the error type through fatalerror's
 * GetValidRuntimeOrFunctionErrorType); AWS's "Monitoring for Lambda SnapStart" for the logs. */
#include "emu.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

enum snap_phase { SN_NONE, SN_PAUSED, SN_RESTORING };

static struct {
    enum snap_phase phase;
    struct conn *restore_conn; /* the runtime's parked restore/next */
    bool restore_called;       /* restore/next was called in this environment */
    bool stopped;              /* process groups are SIGSTOPped */
    double resume_at, restore_start, restore_deadline;
    bool report_restore;
    double restore_ms;
} S;

static const char *runtime_state_name(void)
{
    /* the names of AWS's RIE (lambda/core/states.go) for the runtime's state */
    switch (E.env) {
    case ENV_INIT: return S.restore_called ? "RestoreReady" : life_runtime_called_next() ? "Ready" : "Started";
    case ENV_RESTORE: return S.phase == SN_RESTORING ? "Restoring" : "RestoreReady";
    case ENV_READY: return E.inflight ? "Running" : "Ready";
    default: return "Stopped";
    }
}

/* 403 as AWS's RIE words it (handler/constants.go), from the runtime's state to `to`; also
 * init/error's refusal (runtime_api.c): after the first next, or while restoring. */
void runtime_refuse_state(struct conn *c, const char *to)
{
    char msg[256];
    snprintf(msg, sizeof msg, "State transition from %s to %s failed for runtime. Error: State transition is not allowed",
             runtime_state_name(), to);
    conn_respond_json_error(c, 403, "InvalidStateTransition", msg);
}

/* Lambda has no such endpoints outside SnapStart (RIE's router does not register them). */
static bool refuse_unless_snapstart(struct conn *c, const char *want_method)
{
    if (!E.o.snapstart) {
        conn_respond_json_error(c, 404, "NotFound",
                                "no such runtime API endpoint (restore/* exists only with --snapstart, "
                                "AWS_LAMBDA_INITIALIZATION_TYPE=snap-start)");
        return true;
    }
    if (strcmp(c->req.method, want_method) != 0) {
        conn_respond_json_error(c, 405, "MethodNotAllowed", strcmp(want_method, "GET") == 0 ? "wants GET" : "wants POST");
        return true;
    }
    return false;
}

void snap_restore_next(struct conn *c)
{
    if (refuse_unless_snapstart(c, "GET"))
        return;
    /* once, during init, before any `next`: the snapshot point */
    if (E.env != ENV_INIT || S.restore_called || life_runtime_called_next()) {
        runtime_refuse_state(c, "RestoreReady");
        return;
    }
    S.restore_called = true;
    S.restore_conn = c;
    c->park = PARK_RESTORE_NEXT;
    life_note_runtime_next(); /* closes extension registration, as `next` does */
    life_pump();
}

void snap_conn_gone(struct conn *c)
{
    if (S.restore_conn == c)
        S.restore_conn = NULL;
}

/* AWS's GetValidRuntimeOrFunctionErrorType: the header is kept when it contains
 * (Runtime|Function).[A-Z][a-zA-Z]+ (an unanchored match), else Function.Unknown when it
 * starts with "Function.", else Runtime.Unknown. */
static const char *valid_error_type(const char *t)
{
    if (!t)
        return "Runtime.Unknown";
    static const char *prefixes[] = {"Runtime.", "Function."};
    for (const char *p = t; *p; p++)
        for (int k = 0; k < 2; k++) {
            size_t pl = strlen(prefixes[k]);
            if (strncmp(p, prefixes[k], pl) == 0 && p[pl] >= 'A' && p[pl] <= 'Z' &&
                ((p[pl + 1] >= 'a' && p[pl + 1] <= 'z') || (p[pl + 1] >= 'A' && p[pl + 1] <= 'Z')))
                return t;
        }
    return strncmp(t, "Function.", 9) == 0 ? "Function.Unknown" : "Runtime.Unknown";
}

void snap_restore_error(struct conn *c)
{
    if (refuse_unless_snapstart(c, "POST"))
        return;
    const struct http_req *r = &c->req;
    if (E.env != ENV_RESTORE || S.phase != SN_RESTORING) {
        runtime_refuse_state(c, "RestoreError");
        return;
    }
    if (r->too_large) {
        conn_respond_json_error(c, 413, "RequestEntityTooLarge", "request body too large");
        return;
    }
    /* the body is the runtime's business: Lambda accepts any (RIE does not read it) */
    struct buf type = {0}, body = {0};
    buf_adds(&type, valid_error_type(http_header(r, "Lambda-Runtime-Function-Error-Type")));
    buf_add(&body, r->body.p ? r->body.p : "", r->body.len);
    const char ok[] = "{\"status\":\"OK\"}";
    conn_respond(c, 202, "Content-Type: application/json\r\n", ok, sizeof ok - 1);
    life_restore_failed(buf_cstr(&type), body.p ? body.p : "", body.len, false);
    buf_free(&type);
    buf_free(&body);
}

static void signal_groups(int sig)
{
    if (E.runtime && E.runtime->alive)
        kill(-E.runtime->pid, sig);
    for (int i = 0; i < EMU_MAX_EXTENSIONS; i++)
        if (E.exts[i].used && E.exts[i].proc && E.exts[i].proc->alive)
            kill(-E.exts[i].proc->pid, sig);
}

void snap_begin(double init_ms)
{
    out_init_report(init_ms);
    S.phase = SN_PAUSED;
    S.resume_at = now_mono_ms() + E.o.snapshot_pause_ms;
    if (E.o.snapshot_pause_ms > 0) {
        /* the snapshot: nothing in the environment runs until the restore */
        streams_drain_all();
        signal_groups(SIGSTOP);
        S.stopped = true;
        out_emu("snapshot: runtime and extensions stopped (SIGSTOP) for at least %g ms", E.o.snapshot_pause_ms);
    }
}

static bool invoke_waiting(void)
{
    for (struct invoke *i = E.invokes; i; i = i->next)
        if (i->state == INV_QUEUED)
            return true;
    return false;
}

static void resume(void)
{
    if (S.stopped) {
        signal_groups(SIGCONT);
        S.stopped = false;
    }
}

void snap_progress(void)
{
    if (E.env != ENV_RESTORE)
        return;
    double now = now_mono_ms();
    /* Lambda restores when an invoke needs the environment */
    if (S.phase == SN_PAUSED && now >= S.resume_at && invoke_waiting()) {
        resume();
        S.phase = SN_RESTORING;
        S.restore_start = now;
        S.restore_deadline = now + E.o.restore_timeout * 1000.0;
        out_restore_start();
        tel_restore_start();
        if (S.restore_conn) {
            struct conn *c = S.restore_conn;
            S.restore_conn = NULL;
            conn_respond(c, 200, NULL, "", 0); /* RIE's RestoreRenderer: 200, no body */
        }
    }
    /* restored: the runtime (after-restore hooks done) waits in `next`, extensions in theirs */
    if (S.phase == SN_RESTORING && invoke_parked_nexts() > 0 && life_extensions_ready()) {
        /* what the after-restore hooks wrote is in the pipes by now: it comes before
         * the report, whatever order poll() gave the fds in */
        streams_drain_all();
        double ms = now - S.restore_start;
        S.phase = SN_NONE;
        snap_set_report(ms);
        out_restore_report(ms, NULL, NULL, 0);
        tel_restore_done(NULL, ms);
        E.env = ENV_READY;
        E.ready_envs++;
    }
}

double snap_next_timer(void)
{
    if (E.env != ENV_RESTORE)
        return -1;
    if (S.phase == SN_PAUSED)
        return invoke_waiting() ? S.resume_at : -1;
    if (S.phase == SN_RESTORING)
        return S.restore_deadline;
    return -1;
}

void snap_timers(void)
{
    if (E.env != ENV_RESTORE || S.phase != SN_RESTORING || now_mono_ms() < S.restore_deadline)
        return;
    char msg[128];
    struct buf b = {0};
    snprintf(msg, sizeof msg, "Restore timed out after %.2f seconds", E.o.restore_timeout);
    buf_json_error(&b, "Sandbox.Timedout", msg);
    life_restore_failed("Sandbox.Timedout", b.p, b.len, true);
    buf_free(&b);
}

double snap_restore_elapsed(void)
{
    return S.phase == SN_RESTORING ? now_mono_ms() - S.restore_start : 0;
}

void snap_set_report(double restore_ms)
{
    S.report_restore = true;
    S.restore_ms = restore_ms;
}

double snap_take_restore_ms(void)
{
    if (!S.report_restore)
        return -1;
    S.report_restore = false;
    return S.restore_ms;
}

void snap_reset(void)
{
    resume(); /* a stopped process could not take SIGTERM or its SHUTDOWN */
    S.phase = SN_NONE;
    S.restore_called = false;
    S.restore_conn = NULL; /* still parked: it goes when its runtime does */
}
