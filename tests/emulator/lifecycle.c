/* The execution environment's life: init (external extensions, then the runtime,
 * until everyone waits in `next`), timeouts and crashes (reset, re-init on the
 * next invoke; invoke.c handles the invokes themselves), and shutdown (SHUTDOWN
 * events, 2 s / 500 ms deadlines, then SIGKILL). */
#include "emu.h"

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define DRAIN_MS 300.0
#define INIT_ERROR_GRACE_MS 500.0
/* At most this long of the shutdown's 2 s goes to delivering the buffered telemetry
 * before the extensions get SHUTDOWN (so they see every record before they stop). */
#define TELEMETRY_FLUSH_MS 1000.0

static struct {
    double init_start, init_deadline;
    bool report_init;
    double init_ms;
    bool runtime_in_next;
    bool runtime_started;
    int init_attempts, init_ok;
    /* shutdown */
    const char *reason;
    double kill_at, drain_at;
    double runtime_kill_at; /* the runtime's own, shorter, graceful-shutdown budget */
    bool killed, runtime_killed;
    bool eager_done;
    /* SHUTDOWN events waiting for the telemetry flush */
    bool shutdown_pending;
    double shutdown_send_at;
    int64_t shutdown_deadline_epoch;
} L;

static void env_reset(const char *reason, double grace_ms, bool kill_runtime_now);

/* Init Duration goes on the first REPORT after an init, once. */
double life_take_init_ms(void)
{
    if (!L.report_init)
        return -1;
    L.report_init = false;
    return L.init_ms;
}

void life_note_runtime_next(void)
{
    L.runtime_in_next = true;
}

bool life_runtime_called_next(void)
{
    return L.runtime_in_next;
}

const char *life_init_type(void)
{
    return E.o.snapstart ? "snap-start" : E.o.managed ? "lambda-managed-instances" : "on-demand";
}

bool life_registration_open(void)
{
    return E.env == ENV_INIT && !L.runtime_in_next;
}

/* Init or restore failed: the invoke that was waiting for the environment fails with it. */
static void fail_waiting_invoke(const char *type, const char *body, size_t n, bool restore)
{
    struct invoke *inv = E.invokes;
    while (inv && inv->state != INV_QUEUED)
        inv = inv->next;
    if (!inv)
        return;
    inv->state = INV_RUNNING;
    E.inflight++;
    inv->t_dispatch = now_mono_ms();
    out_start(inv->id);
    /* the caller gets a JSON error even for a body the runtime got wrong */
    struct buf b = {0};
    if (n && json_valid(body, n, '{'))
        buf_add(&b, body, n);
    else {
        char *msg = xstrndup(n ? body : type, n ? n : strlen(type)); /* body is not NUL-terminated */
        buf_json_error(&b, type, msg);
        free(msg);
    }
    invoke_set_result(inv, "error", b.p, b.len, type);
    buf_free(&b);
    invoke_responded(inv);
    if (restore) {
        snap_set_report(snap_restore_elapsed());
    } else {
        L.report_init = true;
        L.init_ms = now_mono_ms() - L.init_start;
    }
    invoke_finish(inv);
}

/* Init failed: report it, fail the invoke that was waiting for this init, reset. */
static void init_failed(const char *type, const char *body, size_t n, double grace_ms, bool kill_now)
{
    out_init_error(type, body, n, now_mono_ms() - L.init_start);
    tel_init_done(type, now_mono_ms() - L.init_start);
    fail_waiting_invoke(type, body, n, false);
    env_reset("failure", grace_ms, kill_now);
}

/* --snapstart: restore/error (Runtime.AfterRestoreError), a crash or a timeout while
 * restoring. RESTORE_REPORT, the waiting invoke fails, the environment is reset (the next
 * invoke gets a new init and snapshot: the emulator keeps no snapshot to restore again). */
void life_restore_failed(const char *type, const char *body, size_t n, bool kill_now)
{
    double ms = snap_restore_elapsed();
    out_restore_report(ms, type, body, n);
    tel_restore_done(type, ms);
    fail_waiting_invoke(type, body, n, true);
    env_reset("failure", kill_now ? 0 : INIT_ERROR_GRACE_MS, kill_now);
    life_pump();
}

void life_init_error(const char *type, const char *body, size_t n)
{
    init_failed(type, body, n, INIT_ERROR_GRACE_MS, false);
    life_pump();
}

/* An extension failed after init (it called exit/error, or it exited): as in Lambda, the
 * invoke in flight fails with Extension.ExitError (its response stands if the runtime
 * answered already, REPORT says the invoke failed) and the environment is reset, so the
 * next invoke re-inits. (AWS's Runtime Interface Emulator: lambda/rapid/exit.go,
 * handleInvokeError -> reportErrorAndRequestReset; lambda/fatalerror: Extension.ExitError.) */
static void ext_failed_after_init(const char *what)
{
    for (struct invoke *i = E.invokes; i; i = i->next)
        if (i->state == INV_RESPONDED) {
            i->status = "crash"; /* for REPORT and platform.report; the caller has its answer */
            free(i->err_type);
            i->err_type = xstrdup("Extension.ExitError");
        }
    invoke_fail_running("crash", "Extension.ExitError", what);
    env_reset("failure", 0, true);
}

/* ---- processes ---- */

void life_proc_exited(struct proc *p)
{
    char desc[128], msg[256];
    proc_describe_exit(p->status, desc, sizeof desc);
    if (p->ext) {
        struct ext *e = p->ext;
        e->gone = true;
        e->ready = false;
        if (E.env == ENV_SHUTDOWN)
            return;
        snprintf(msg, sizeof msg, "Extension exited: %s", desc);
        out_ext_event("platform.extensionExit", e->name, NULL, msg);
        if (E.env == ENV_INIT) {
            struct buf b = {0};
            buf_json_error(&b, "Extension.Crash", msg);
            init_failed("Extension.Crash", b.p, b.len, 0, true);
            buf_free(&b);
        } else if (E.env == ENV_RESTORE) {
            struct buf b = {0};
            buf_json_error(&b, "Extension.Crash", msg);
            life_restore_failed("Extension.Crash", b.p, b.len, true);
            buf_free(&b);
        } else if (E.env == ENV_READY) {
            char what[512];
            snprintf(what, sizeof what, "extension %s exited: %s", e->name, desc);
            ext_failed_after_init(what);
        }
        life_pump();
        return;
    }
    if (p != E.runtime || E.env == ENV_SHUTDOWN)
        return;
    if (WIFEXITED(p->status) && WEXITSTATUS(p->status) == 0)
        snprintf(msg, sizeof msg, "Runtime exited without providing a reason");
    else
        snprintf(msg, sizeof msg, "Runtime exited with error: %s", desc);
    out_runtime_exit(life_current_request_id(), msg);
    tel_fault(life_current_request_id(), msg);
    if (E.env == ENV_INIT) {
        struct buf b = {0};
        buf_json_error(&b, "Runtime.ExitError", msg);
        init_failed("Runtime.ExitError", b.p, b.len, 0, true);
        buf_free(&b);
    } else if (E.env == ENV_RESTORE) {
        struct buf b = {0};
        buf_json_error(&b, "Runtime.ExitError", msg);
        life_restore_failed("Runtime.ExitError", b.p, b.len, true);
        buf_free(&b);
    } else {
        invoke_fail_running("crash", "Runtime.ExitError", msg);
        env_reset("failure", 0, true);
    }
    life_pump();
}

/* ---- extensions ---- */

void life_ext_ready(struct ext *e)
{
    (void)e;
    life_pump();
}

void life_ext_error(struct ext *e, const char *type, const char *body, size_t n)
{
    e->gone = true;
    e->ready = false;
    if (E.env == ENV_INIT) {
        init_failed(type, body, n, INIT_ERROR_GRACE_MS, false);
    } else if (E.env == ENV_RESTORE) {
        life_restore_failed(type, body, n, false);
    } else if (E.env == ENV_READY) {
        char what[512];
        snprintf(what, sizeof what, "extension %s reported exit/error %s", e->name, type);
        ext_failed_after_init(what);
    }
    life_pump();
}

/* ---- init ---- */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void start_external_extensions(void)
{
    if (!E.o.ext_dir)
        return;
    DIR *d = opendir(E.o.ext_dir);
    if (!d) {
        out_emu("--extensions-dir %s: cannot open", E.o.ext_dir);
        return;
    }
    char *names[64];
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)) && n < 64) {
        if (de->d_name[0] == '.')
            continue;
        names[n++] = xstrdup(de->d_name);
    }
    closedir(d);
    qsort(names, (size_t)n, sizeof *names, cmp_str);
    int slot = 0;
    for (int i = 0; i < n; i++) {
        char path[4096];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", E.o.ext_dir, names[i]);
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || access(path, X_OK) != 0) {
            free(names[i]);
            continue;
        }
        if (slot >= EMU_MAX_EXTENSIONS) {
            out_emu("more than %d extensions in %s: %s not started", EMU_MAX_EXTENSIONS, E.o.ext_dir, names[i]);
            free(names[i]);
            continue;
        }
        struct ext *e = &E.exts[slot++];
        memset(e, 0, sizeof *e);
        e->used = true;
        snprintf(e->name, sizeof e->name, "%s", names[i]);
        e->proc = proc_start_extension(path, names[i]);
        if (!e->proc)
            e->gone = true;
        free(names[i]);
    }
}

static void start_init(void)
{
    E.env = ENV_INIT;
    L.init_attempts++;
    L.init_start = now_mono_ms();
    L.init_deadline = L.init_start + E.o.init_timeout * 1000.0;
    L.runtime_in_next = false;
    L.runtime_started = false;
    L.report_init = false;
    invoke_drop_nexts(); /* left over from a runtime that is gone */
    ext_reset_all();
    tel_backlog(true);
    out_init_start();
    tel_init_start();
    start_external_extensions();
}

static bool externals_registered(void)
{
    for (int i = 0; i < EMU_MAX_EXTENSIONS; i++) {
        struct ext *e = &E.exts[i];
        if (e->used && !e->internal && !e->registered && !e->gone)
            return false;
    }
    return true;
}

static bool all_ready(void)
{
    for (int i = 0; i < EMU_MAX_EXTENSIONS; i++) {
        struct ext *e = &E.exts[i];
        if (e->used && e->registered && !e->gone && !e->ready)
            return false;
    }
    return true;
}

bool life_extensions_ready(void)
{
    return all_ready();
}

static void kill_group(struct proc *p, int sig)
{
    if (p && p->alive && kill(-p->pid, sig) != 0)
        kill(p->pid, sig);
}

static void env_reset(const char *reason, double grace_ms, bool kill_runtime_now)
{
    if (E.env == ENV_SHUTDOWN || E.env == ENV_DOWN)
        return;
    snap_reset();
    E.env = ENV_SHUTDOWN;
    L.reason = reason;
    L.killed = false;
    L.drain_at = 0;
    bool ext_external = false, ext_internal = false;
    for (int i = 0; i < EMU_MAX_EXTENSIONS; i++) {
        struct ext *e = &E.exts[i];
        if (!e->used || !e->registered || e->gone)
            continue;
        if (e->internal)
            ext_internal = true;
        else
            ext_external = true;
    }
    double deadline = ext_external ? 2000.0 : ext_internal ? 500.0 : 0.0;
    if (grace_ms > deadline)
        deadline = grace_ms;
    L.kill_at = now_mono_ms() + deadline;
    /* Lambda gives the runtime 300 ms after SIGTERM (500 ms with an internal
     * extension) and the external extensions the rest of the 2,000 ms. */
    double runtime_budget = ext_internal ? 500.0 : 300.0;
    L.runtime_kill_at = now_mono_ms() + (grace_ms > runtime_budget ? grace_ms : runtime_budget);
    if (L.runtime_kill_at > L.kill_at)
        L.runtime_kill_at = L.kill_at;
    L.runtime_killed = false;
    int64_t deadline_epoch = now_epoch_ms() + (int64_t)deadline;
    if (kill_runtime_now || deadline == 0)
        kill_group(E.runtime, SIGKILL);
    else if (ext_external || ext_internal)
        kill_group(E.runtime, SIGTERM); /* Lambda's runtime gets SIGTERM when extensions exist */
    /* `next`s parked now stay parked: a runtime that keeps calling `next` waits until it
     * is killed (start_init drops what is left), it never spins on refused requests. */
    L.shutdown_deadline_epoch = deadline_epoch;
    L.shutdown_pending = true;
    L.shutdown_send_at = now_mono_ms() + (tel_any() && deadline > 0 ? TELEMETRY_FLUSH_MS : 0);
    tel_flush_all();
}

static void send_shutdown_events(void)
{
    L.shutdown_pending = false;
    for (int i = 0; i < EMU_MAX_EXTENSIONS; i++) {
        struct ext *e = &E.exts[i];
        if (!e->used || e->internal || !e->proc || !e->proc->alive)
            continue;
        if (e->registered && e->sub_shutdown && !e->gone) {
            struct buf ev = {0};
            buf_addf(&ev, "{\"eventType\":\"SHUTDOWN\",\"shutdownReason\":\"%s\",\"deadlineMs\":%lld}", L.reason,
                     (long long)L.shutdown_deadline_epoch);
            ext_deliver(e, ev.p, ev.len);
            e->shutdown_sent = true;
            buf_free(&ev);
        } else if (!e->gone) {
            kill_group(e->proc, SIGKILL); /* it cannot learn about the shutdown */
        } /* one that reported init/error or exit/error may exit by itself until the deadline */
    }
}

void life_request_stop(void)
{
    E.stopping = true;
    if (E.env == ENV_INIT || E.env == ENV_READY || E.env == ENV_RESTORE)
        env_reset("spindown", 0, false);
    /* invokes that never ran: their callers get an answer */
    for (struct invoke *i = E.invokes, *nx; i; i = nx) {
        nx = i->next;
        if (i->state == INV_QUEUED) {
            if (i->client) {
                i->status = "error";
                invoke_set_result(i, "error", "{\"errorMessage\":\"emulator shutting down\",\"errorType\":\"Emulator.Stop\"}",
                           70, "Emulator.Stop");
                client_complete(i);
            }
            invoke_free(i);
        }
    }
}

static bool procs_done(void)
{
    if (E.runtime && (E.runtime->alive || proc_streams_open(E.runtime)))
        return false;
    for (int i = 0; i < EMU_MAX_EXTENSIONS; i++) {
        struct proc *p = E.exts[i].proc;
        if (E.exts[i].used && p && (p->alive || proc_streams_open(p)))
            return false;
    }
    return true;
}

static bool procs_alive(void)
{
    if (E.runtime && E.runtime->alive)
        return true;
    for (int i = 0; i < EMU_MAX_EXTENSIONS; i++)
        if (E.exts[i].used && E.exts[i].proc && E.exts[i].proc->alive)
            return true;
    return false;
}

static void close_all_streams(void)
{
    struct proc *ps[EMU_MAX_EXTENSIONS + 1];
    int n = 0;
    if (E.runtime)
        ps[n++] = E.runtime;
    for (int i = 0; i < EMU_MAX_EXTENSIONS; i++)
        if (E.exts[i].used && E.exts[i].proc)
            ps[n++] = E.exts[i].proc;
    for (int i = 0; i < n; i++)
        for (int k = 0; k < 3; k++)
            stream_close(&ps[i]->s[k]);
}

static void shutdown_progress(void)
{
    double now = now_mono_ms();
    if (L.shutdown_pending && (now >= L.shutdown_send_at || tel_idle()))
        send_shutdown_events();
    /* runtime gone: nothing can answer the rest of the in-flight invokes */
    if (E.runtime && !E.runtime->alive)
        invoke_fail_running("crash", "Runtime.ExitError", "Runtime exited during shutdown");
    if (!L.runtime_killed && now >= L.runtime_kill_at) {
        L.runtime_killed = true;
        kill_group(E.runtime, SIGKILL);
    }
    if (!L.killed && now >= L.kill_at) {
        L.killed = true;
        kill_group(E.runtime, SIGKILL);
        for (int i = 0; i < EMU_MAX_EXTENSIONS; i++)
            if (E.exts[i].used)
                kill_group(E.exts[i].proc, SIGKILL);
    }
    if (procs_alive())
        return;
    if (!procs_done()) {
        if (L.drain_at == 0)
            L.drain_at = now + DRAIN_MS;
        if (now < L.drain_at)
            return;
        close_all_streams(); /* a grandchild elsewhere holds the pipes open */
    }
    invoke_fail_running("crash", "Runtime.ExitError", "Runtime exited during shutdown");
    logsock_close_all();
    if (E.runtime) {
        proc_free(E.runtime);
        E.runtime = NULL;
    }
    L.shutdown_pending = false;
    tel_reset();
    tel_backlog(false);
    ext_reset_all();
    E.env = ENV_DOWN;
}

void life_pump(void)
{
    for (int guard = 0; guard < 64; guard++) {
        enum env_state before = E.env;
        if (E.env == ENV_DOWN && !E.stopping) {
            bool queued = false;
            for (struct invoke *i = E.invokes; i; i = i->next)
                queued |= i->state == INV_QUEUED;
            if (queued || !L.eager_done) {
                L.eager_done = true;
                start_init();
            }
        }
        if (E.env == ENV_INIT && !L.runtime_started && externals_registered()) {
            L.runtime_started = true;
            E.runtime = proc_start_runtime();
            if (!E.runtime) {
                const char b[] = "{\"errorMessage\":\"cannot start the runtime\",\"errorType\":\"Runtime.Unknown\"}";
                init_failed("Runtime.Unknown", b, sizeof b - 1, 0, true);
            }
        }
        if (E.env == ENV_INIT && L.runtime_in_next && all_ready()) {
            L.init_ms = now_mono_ms() - L.init_start;
            L.init_ok++;
            tel_init_done(NULL, L.init_ms);
            tel_backlog(false);
            if (E.o.snapstart) {
                /* SnapStart's REPORT has no Init Duration: INIT_REPORT has it */
                E.env = ENV_RESTORE;
                snap_begin(L.init_ms);
            } else {
                E.env = ENV_READY;
                E.ready_envs++;
                L.report_init = true;
            }
        }
        if (E.env == ENV_RESTORE)
            snap_progress();
        if (E.env == ENV_READY) {
            for (struct invoke *i = E.invokes, *nx; i; i = nx) {
                nx = i->next;
                if (i->state == INV_RESPONDED && (E.o.concurrency > 1 || invoke_extensions_idle()))
                    invoke_finish(i);
            }
            invoke_try_dispatch();
        }
        /* --event mode: every event ran (or failed in init): shut down */
        if (!E.o.listen && !E.invokes && !E.stopping && L.eager_done && (E.env == ENV_READY || E.env == ENV_DOWN))
            life_request_stop();
        if (E.env == ENV_SHUTDOWN)
            shutdown_progress();
        if (E.env == before)
            break;
    }
}

double life_next_timer(void)
{
    double now = now_mono_ms(), t = -1;
#define CONSIDER(x)                                                                                                   \
    do {                                                                                                              \
        double d_ = (x) - now;                                                                                        \
        if (d_ < 0)                                                                                                   \
            d_ = 0;                                                                                                   \
        if (t < 0 || d_ < t)                                                                                          \
            t = d_;                                                                                                   \
    } while (0)
    for (struct invoke *i = E.invokes; i; i = i->next)
        if (i->state == INV_RUNNING || i->state == INV_RESPONDED)
            CONSIDER(i->t_deadline);
    if (E.env == ENV_INIT)
        CONSIDER(L.init_deadline);
    if (snap_next_timer() >= 0)
        CONSIDER(snap_next_timer());
    if (E.env == ENV_SHUTDOWN) {
        if (!L.killed)
            CONSIDER(L.kill_at);
        if (L.shutdown_pending)
            CONSIDER(L.shutdown_send_at);
        if (!L.runtime_killed && E.runtime && E.runtime->alive)
            CONSIDER(L.runtime_kill_at);
        if (L.drain_at)
            CONSIDER(L.drain_at);
        else if (!procs_alive())
            CONSIDER(now + DRAIN_MS);
    }
#undef CONSIDER
    return t;
}

void life_timers(void)
{
    double now = now_mono_ms();
    bool timed_out = false;
    for (struct invoke *i = E.invokes, *nx; i; i = nx) {
        nx = i->next;
        if ((i->state != INV_RUNNING && i->state != INV_RESPONDED) || now < i->t_deadline)
            continue;
        if (i->state == INV_RESPONDED) {
            out_emu("invoke %s: extensions did not finish before the timeout", i->id);
            invoke_finish(i);
            timed_out = true;
            continue;
        }
        char msg[256];
        struct buf b = {0};
        streams_drain_all(); /* output written before the deadline belongs before the timeout */
        out_timeout(i->id, E.o.timeout);
        snprintf(msg, sizeof msg, "RequestId: %s Error: Task timed out after %.2f seconds", i->id, E.o.timeout);
        buf_json_error(&b, "Sandbox.Timedout", msg);
        invoke_set_result(i, "timeout", b.p, b.len, "Sandbox.Timedout");
        buf_free(&b);
        invoke_responded(i);
        invoke_finish(i);
        /* Managed Instances: a timeout fails that invoke only; the runtime's late answer
         * for it gets 403 and its worker goes on with the next */
        timed_out = !E.o.managed;
    }
    if (timed_out) {
        invoke_fail_running("crash", "Sandbox.Timedout", "the environment was reset after a timeout");
        env_reset("timeout", 0, true);
    }
    if (E.env == ENV_INIT && now >= L.init_deadline) {
        char msg[128];
        struct buf b = {0};
        snprintf(msg, sizeof msg, "Init timed out after %.2f seconds", E.o.init_timeout);
        buf_json_error(&b, "Sandbox.Timedout", msg);
        init_failed("Sandbox.Timedout", b.p, b.len, 0, true);
        buf_free(&b);
    }
    snap_timers();
    life_pump();
}

bool life_finished(void)
{
    return E.stopping && E.env == ENV_DOWN;
}

int life_exit_code(void)
{
    /* 2: no environment ever became ready (every init, or every SnapStart restore, failed) */
    return L.init_attempts > 0 && E.ready_envs == 0 ? 2 : 0;
}
