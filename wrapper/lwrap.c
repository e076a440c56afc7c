/* lwrap: edit the runtime's arguments and environment, then exec it in this process.
 * Order: nesting and re-entry checks, config file, unknown names, file settings exported
 * for the preload, LWRAP_UNSET/SET_/DEFAULT_/PREPEND_/APPEND_, fetched values
 * (LWRAP_SSM_/SECRET_/APPCONFIG), presets, LWRAP_ARGS, preload, LWRAP_NEXT, exec. */
#include "args.h"
#include "bootstrap.h"
#include "conf.h"
#include "diag.h"
#include "edits.h"
#include "env.h"
#include "family.h"
#include "fetch_env.h"
#include "known.h"
#include "launch.h"
#include "mask.h"
#include "out.h"
#include "preload.h"
#include "presets.h"
#include "reentry.h"
#include "split.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifndef LWRAP_VERSION
#define LWRAP_VERSION "0.1.0"
#endif

extern char **environ;

static void usage(int fd)
{
    line_start(fd);
    line_str("usage: lwrap [--explain] RUNTIME [ARGS...]\n"
             "       lwrap --help | --version\n"
             "Edits the runtime's arguments and environment as the LWRAP_* settings say, then\n"
             "execs it in the same process. Point AWS_LAMBDA_EXEC_WRAPPER at lwrap, or install\n"
             "it as a custom runtime's `bootstrap` (the real one: LWRAP_BOOTSTRAP, else\n"
             "bootstrap.real).\n"
             "Settings come from the environment, else from LWRAP_CONFIG,\n"
             "$LAMBDA_TASK_ROOT/lwrap.conf or /opt/lwrap.conf (KEY=value lines)"
             "; --help lists them.\n"
             "Exit status: the runtime's; 125 lwrap's own error (or LWRAP_STRICT=1 and a\n"
             "configuration error), 126 cannot execute, 127 not found.");
    line_end();
    if (fd == 1) {
        line_start(1);
        line_str("Settings (lwrap's and liblwrap.so's):");
        line_end();
        known_list();
        line_start(1);
        line_str("Presets (LWRAP_PRESETS=a,b):");
        line_end();
        presets_list();
    }
}

/* Upper bound of the names the edits can add: one per LWRAP_* setting, plus the
 * language variables of the presets, LD_PRELOAD, _LWRAP_START_NS, _LWRAP_PID and
 * _LWRAP_RUN. */
static size_t env_extra(void)
{
    return conf_count() + 6;
}

/* Nesting (`lwrap lwrap CMD`, or an LWRAP_NEXT wrapper that execs another lwrap):
 * the outer lwrap applies the settings once and leaves _LWRAP_PID=<its pid>; exec
 * keeps the pid, so an lwrap that finds its own pid there only removes the marker
 * and execs. A child process the runtime starts has another pid and is served normally. */
#define MARK "_LWRAP_PID"

static int nested(void)
{
    char pid[24];
    const char *m = getenv(MARK);
    if (!m)
        return 0;
    return strcmp(m, decimal(pid, (unsigned long long)getpid())) == 0;
}

/* The inner lwrap of `lwrap [--] CMD` as the runtime command: 1 or 2 words (with "--"). */
static size_t inner_lwrap(char **rt, size_t nrt)
{
    const char *slash = strrchr(rt[0], '/');
    if (nrt < 2 || strcmp(slash ? slash + 1 : rt[0], "lwrap") != 0)
        return 0;
    return strcmp(rt[1], "--") == 0 && nrt > 2 ? 2 : 1;
}

static void lwrap_args(struct argv_parts *p)
{
    struct setting s;
    p->at = args_position();
    p->user = NULL;
    p->nuser = 0;
    if (!conf_get("LWRAP_ARGS", &s) || !*s.value)
        return;
    struct words w;
    const char *err = split_words(s.value, &w);
    if (err) {
        report_setting(&s, err, NULL);
        return;
    }
    static const char *const at_name[] = {"at interpreter", "at script", "at end"};
    for (size_t i = 0; i < w.n; i++)
        note_arg("insert", w.v[i], "LWRAP_ARGS", at_name[p->at]);
    p->user = w.v;
    p->nuser = w.n;
}

int main(int argc, char **argv)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    unsigned long long start_ns = (unsigned long long)ts.tv_sec * 1000000000ull +
                                  (unsigned long long)ts.tv_nsec;
    int boot = bootstrap_mode(argc, argv);
    int first = 1, explain = 0;
    if (!boot && argc > 1 && strncmp(argv[1], "--", 2) == 0) {
        if (strcmp(argv[1], "--help") == 0) {
            usage(1);
            return 0;
        }
        if (strcmp(argv[1], "--version") == 0) {
            line_start(1);
            line_str("lwrap " LWRAP_VERSION);
            line_end();
            return 0;
        }
        if (strcmp(argv[1], "--explain") == 0 || strcmp(argv[1], "--") == 0) {
            explain = argv[1][2] != '\0';
            first = 2;
            if (explain && first < argc && strcmp(argv[first], "--") == 0)
                first++; /* lwrap --explain -- CMD */
        } else {
            line_start(2);
            line_str("lwrap: unknown option ");
            line_str(argv[1]);
            line_end();
            usage(2);
            return 125;
        }
    }
    if (!boot && first >= argc) {
        usage(2);
        return 125;
    }

    if (!boot && nested()) {
        env_init(environ, 0);
        env_unset(MARK, sizeof MARK - 1, NULL, NULL);
        launch(argv + first, env_vector(), argv + first, env_vector());
    }
    if (!boot)
        reentry_check(argv + first, (size_t)(argc - first));

    mask_init(environ);
    conf_load(environ);
    mask_add_settings();
    known_check();
    int strict = conf_flag("LWRAP_STRICT");
    diag_debug = conf_flag("LWRAP_DEBUG");
    diag_explain = conf_flag("LWRAP_DRY_RUN") || explain;
    if (conf_path)
        note_text("config ", conf_path, NULL); /* which file won, for precedence puzzles */
    env_init(environ, env_extra());

    struct argv_parts p;
    if (boot) {
        p.rt = bootstrap_command(argv + 1, argc > 1 ? (size_t)argc - 1 : 0, &p.nrt);
    } else {
        p.rt = argv + first;
        p.nrt = (size_t)(argc - first);
    }
    char **orig = p.rt; /* the command as given, for launch's E2BIG fallback */
    p.inner = p.rt;
    p.ninner = inner_lwrap(p.rt, p.nrt);
    p.rt += p.ninner;
    p.nrt -= p.ninner;
    p.fam = family_detect(p.rt[0]);

    preload_export_settings();
    edits_apply();
    fetch_apply();
    struct preset_out pre;
    presets_apply(p.fam, &p.rt, &p.nrt, &pre);
    p.pre = pre.args;
    p.npre = pre.nargs;
    lwrap_args(&p);

    const char *why = preload_wanted();
    bool preload = (why || pre.preload) && preload_loads(p.rt[0], why ? why : pre.preload);
    if (preload && why)
        preload_inject(why, NULL, start_ns);
    else if (preload)
        preload_inject("LWRAP_PRESETS", pre.preload, start_ns);
    if (preload)
        fetch_export_redact();

    p.next = chain_resolve(&p.nnext);
    char **final = args_build(&p);
    /* final points at the words themselves; the lists it was built from are done */
    free(p.next);
    free(p.user);

    if (diag_explain)
        explain_argv(final);
    if (strict && diag_errors)
        die(125, "LWRAP_STRICT=1: configuration error; not starting the runtime", NULL);
    if (diag_explain)
        exit(0); /* where the exec would be: what was built for it stays until the end */
    /* The marker also tells the preload which process is the runtime: a child of a
     * static runtime inherits LD_PRELOAD uncleaned, and must stay untouched. */
    if (p.nnext || p.ninner || preload) {
        char pid[24];
        env_set_quiet(MARK, sizeof MARK - 1, decimal(pid, (unsigned long long)getpid()));
    }
    if (p.nnext)
        reentry_mark(final + p.nnext, p.ninner + p.nrt + p.npre + p.nuser);
    if (preload) { /* the startup trace's `lwrap` phase ends here, its exec phase begins */
        char ns[24];
        clock_gettime(CLOCK_MONOTONIC, &ts);
        env_set_quiet("_LWRAP_EXEC_NS", 14, decimal(ns, (unsigned long long)ts.tv_sec * 1000000000ull +
                                                            (unsigned long long)ts.tv_nsec));
    }
    launch(final, env_vector(), strict ? NULL : orig, environ);
}
