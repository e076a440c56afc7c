/* lambda-emu: a local AWS Lambda for tests and demos.
 *   lambda-emu [options] -- RUNTIME_CMD [ARGS...]
 * Options, sockets and the single poll() loop that drives everything. */
#include "emu.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

struct emu E;

static const char usage[] =
    "usage: lambda-emu [options] -- RUNTIME_CMD [ARGS...]\n"
    "  --event FILE          one invoke per --event (repeatable; - = stdin), then shut down\n"
    "  --listen ADDR:PORT    serve POST /2015-03-31/functions/function/invocations (loopback only;\n"
    "                        port 0 picks one, announced as \"listening on ...\")\n"
    "  --handler NAME        _HANDLER (default handler.handler)\n"
    "  --task-root DIR       LAMBDA_TASK_ROOT (default: current directory)\n"
    "  --function-name NAME  (default test-function)\n"
    "  --memory MB           (default 128)\n"
    "  --timeout SECONDS     invoke timeout, fractional ok (default 3)\n"
    "  --init-timeout S      (default 10; with --snapstart max(--timeout, 130), and the restore 10)\n"
    "  --concurrency N       invokes in flight at once; N>1 sets AWS_LAMBDA_MAX_CONCURRENCY (default 1);\n"
    "                        otherwise an on-demand environment (timeouts reset it, INVOKE events)\n"
    "  --managed-instances N Lambda Managed Instances: N invokes in flight in one environment,\n"
    "                        AWS_LAMBDA_INITIALIZATION_TYPE=lambda-managed-instances, a timeout fails\n"
    "                        only its invoke, extensions get no INVOKE events\n"
    "  --snapstart           SnapStart: AWS_LAMBDA_INITIALIZATION_TYPE=snap-start; the runtime's\n"
    "                        GET restore/next is the snapshot point, answered when an invoke restores\n"
    "  --snapshot-pause MS   with --snapstart: SIGSTOP the runtime and extensions for MS ms at the\n"
    "                        snapshot, then SIGCONT (their clocks jump, as after a restore; default 0)\n"
    "  -e NAME=VALUE         extra environment for the runtime (repeatable)\n"
    "  --extensions-dir DIR  start the external extensions in DIR before the runtime\n"
    "  --no-telemetry-fd     do not pass _LAMBDA_TELEMETRY_LOG_FD\n"
    "  --log-format text|json\n"
    "  --raw DIR             also save the runtime's raw stdout, stderr and telemetry bytes in DIR\n"
    "  --client-context JSON / --cognito-identity JSON   headers for every invoke\n"
    "  --idle-timeout S      shut down (exit 1) when, with work pending and no deadline\n"
    "                        ahead, nothing at all happens for S seconds (default 600; 0 = never)\n"
    "  --max-wall S          stop (kill the runtime, exit 1) after S seconds in all, whatever is\n"
    "                        going on (--event mode default: 300, or more when the events' own\n"
    "                        timeouts need it; none with --listen; 0 = never)\n";

__attribute__((format(printf, 1, 2), noreturn)) static void die_usage(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("lambda-emu: ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\n", stderr);
    fputs(usage, stderr);
    exit(1);
}

static bool read_all(const char *path, struct buf *b)
{
    int fd = strcmp(path, "-") == 0 ? 0 : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    char tmp[65536];
    for (;;) {
        ssize_t n = read(fd, tmp, sizeof tmp);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            if (fd)
                close(fd);
            return false;
        }
        if (n == 0)
            break;
        buf_add(b, tmp, (size_t)n);
    }
    if (fd)
        close(fd);
    return true;
}

/* Every numeric option's error names what it accepts: a user who typed a word, nothing
 * or a number too large learns the range from the one line, without --help. */
static double parse_seconds(const char *opt, const char *v, bool zero_is_never)
{
    char *end;
    double d = strtod(v, &end);
    if (*v == 0 || *end || d != d || d < 0 || d > 86400 || (d == 0 && !zero_is_never))
        die_usage("%s: want a number of seconds above 0 and at most 86400 (fractions allowed%s)", opt,
                  zero_is_never ? "; 0 = never" : "");
    return d;
}

static int parse_int(const char *opt, const char *v, int lo, int hi)
{
    char *end;
    long n = strtol(v, &end, 10);
    if (*v == 0 || *end || n < lo || n > hi)
        die_usage("%s: want a whole number from %d to %d", opt, lo, hi);
    return (int)n;
}

static void parse_options(int argc, char **argv)
{
    struct options *o = &E.o;
    o->handler = "handler.handler";
    o->function_name = "test-function";
    o->memory = 128;
    o->timeout = 3;
    o->init_timeout = -1; /* 10 s; SnapStart: max(--timeout, 130 s) */
    o->concurrency = 1;
    o->idle_timeout = 600;
    o->max_wall = -1;
    o->telemetry = true;
    o->events = xcalloc((size_t)argc, sizeof *o->events);
    o->env = xcalloc((size_t)argc, sizeof *o->env);
    int i = 1;
    for (; i < argc; i++) {
        char *a = argv[i];
        if (strcmp(a, "--") == 0) {
            i++;
            break;
        }
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(usage, stdout);
            exit(0);
        }
        char *val = NULL, *eq = NULL;
        char optname[64];
        if (strncmp(a, "--", 2) == 0 && (eq = strchr(a, '=')) && (size_t)(eq - a) < sizeof optname) {
            memcpy(optname, a, (size_t)(eq - a));
            optname[eq - a] = 0;
            a = optname;
            val = eq + 1;
        }
#define VALUE()                                                                                                       \
    (val ? val : (i + 1 < argc ? argv[++i] : (die_usage("%s needs a value", a), (char *)NULL)))
        if (strcmp(a, "--no-telemetry-fd") == 0)
            o->telemetry = false;
        else if (strcmp(a, "--event") == 0)
            o->events[o->nevents++] = VALUE();
        else if (strcmp(a, "--listen") == 0)
            o->listen = VALUE();
        else if (strcmp(a, "--handler") == 0)
            o->handler = VALUE();
        else if (strcmp(a, "--task-root") == 0)
            o->task_root = VALUE();
        else if (strcmp(a, "--function-name") == 0)
            o->function_name = VALUE();
        else if (strcmp(a, "--memory") == 0)
            o->memory = parse_int(a, VALUE(), 128, 10240);
        else if (strcmp(a, "--timeout") == 0)
            o->timeout = parse_seconds(a, VALUE(), false);
        else if (strcmp(a, "--init-timeout") == 0)
            o->init_timeout = parse_seconds(a, VALUE(), false);
        else if (strcmp(a, "--concurrency") == 0)
            o->concurrency = parse_int(a, VALUE(), 1, 256);
        else if (strcmp(a, "--managed-instances") == 0)
            o->managed = parse_int(a, VALUE(), 1, 256);
        else if (strcmp(a, "--snapstart") == 0)
            o->snapstart = true;
        else if (strcmp(a, "--snapshot-pause") == 0)
            o->snapshot_pause_ms = parse_int(a, VALUE(), 0, 600000);
        else if (strcmp(a, "-e") == 0 || strcmp(a, "--env") == 0) {
            char *v = VALUE();
            char *q = strchr(v, '=');
            if (!q || q == v)
                die_usage("-e %s: want NAME=VALUE", v);
            o->env[o->nenv++] = v;
        } else if (strcmp(a, "--extensions-dir") == 0)
            o->ext_dir = VALUE();
        else if (strcmp(a, "--log-format") == 0) {
            char *v = VALUE();
            if (strcmp(v, "json") == 0)
                o->json = true;
            else if (strcmp(v, "text") == 0)
                o->json = false;
            else
                die_usage("--log-format %s: want text or json", v);
        } else if (strcmp(a, "--raw") == 0)
            o->raw_dir = VALUE();
        else if (strcmp(a, "--client-context") == 0)
            o->client_context = VALUE();
        else if (strcmp(a, "--cognito-identity") == 0)
            o->cognito = VALUE();
        else if (strcmp(a, "--max-wall") == 0) {
            char *v = VALUE();
            o->max_wall = parse_seconds(a, v, true);
        } else if (strcmp(a, "--idle-timeout") == 0) {
            char *v = VALUE();
            o->idle_timeout = parse_seconds(a, v, true);
        }
        else
            die_usage("unknown option %s", a);
#undef VALUE
    }
    if (i >= argc)
        die_usage("%s", "no runtime command (put it after --)");
    o->cmd = argv + i;
    o->ncmd = argc - i;
    if (o->listen && o->nevents)
        die_usage("%s", "--listen and --event do not mix");
    const char *bad = options_check_values(o);
    if (bad)
        die_usage("%s", bad);
    /* "Implementing SnapStart hooks for container images": init and the before-snapshot
     * hooks share max(function timeout, 130 s); the restore keeps the usual 10 s (assumed) */
    o->restore_timeout = o->init_timeout > 0 ? o->init_timeout : 10;
    if (o->init_timeout < 0)
        o->init_timeout = o->snapstart ? (o->timeout > 130 ? o->timeout : 130) : 10;
    if (o->snapstart && o->managed)
        die_usage("%s", "--snapstart and --managed-instances do not mix (Lambda offers neither with the other)");
    if (o->snapshot_pause_ms > 0 && !o->snapstart)
        die_usage("%s", "--snapshot-pause needs --snapstart");
    /* Managed Instances: N invokes in flight in one environment (--concurrency N, see README) */
    if (o->managed) {
        if (o->concurrency > 1 && o->concurrency != o->managed)
            die_usage("%s", "--concurrency and --managed-instances disagree");
        o->concurrency = o->managed;
    }
    static char root[PATH_MAX];
    if (!o->task_root) {
        if (!getcwd(root, sizeof root))
            die_usage("%s", "cannot get the current directory");
        o->task_root = root;
    } else if (realpath(o->task_root, root)) {
        o->task_root = root;
    }
}

static int listen_on(const char *spec, int *port_out)
{
    char host[64];
    const char *colon = strrchr(spec, ':');
    const char *port = colon ? colon + 1 : spec;
    size_t hl = colon ? (size_t)(colon - spec) : 0;
    if (hl >= sizeof host)
        die_usage("--listen %s: bad address", spec);
    memcpy(host, spec, hl);
    host[hl] = 0;
    if (!hl || strcmp(host, "localhost") == 0)
        strcpy(host, "127.0.0.1");
    struct sockaddr_in sa = {.sin_family = AF_INET};
    if (inet_pton(AF_INET, host, &sa.sin_addr) != 1 || (ntohl(sa.sin_addr.s_addr) >> 24) != 127)
        die_usage("--listen %s: only loopback (127.0.0.0/8) addresses are allowed", spec);
    sa.sin_port = htons((uint16_t)parse_int("--listen port", port, 0, 65535));
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fd, 512) < 0) {
        fprintf(stderr, "lambda-emu: cannot listen on %s: %s\n", spec, strerror(errno));
        exit(1);
    }
    socklen_t sl = sizeof sa;
    getsockname(fd, (struct sockaddr *)&sa, &sl);
    *port_out = ntohs(sa.sin_port);
    return fd;
}

static struct proc *proc_by_pid(pid_t pid)
{
    if (E.runtime && E.runtime->pid == pid)
        return E.runtime;
    for (int i = 0; i < EMU_MAX_EXTENSIONS; i++)
        if (E.exts[i].used && E.exts[i].proc && E.exts[i].proc->pid == pid)
            return E.exts[i].proc;
    return NULL;
}

/* On the way out, whatever the reason: the runtime's and extensions' process groups. */
static void kill_everything(void)
{
    if (E.runtime && E.runtime->alive)
        kill(-E.runtime->pid, SIGKILL);
    for (int i = 0; i < EMU_MAX_EXTENSIONS; i++)
        if (E.exts[i].used && E.exts[i].proc && E.exts[i].proc->alive)
            kill(-E.exts[i].proc->pid, SIGKILL);
    proc_kill_groups();
}

static void on_signals(void)
{
    struct signalfd_siginfo si;
    while (read(E.sig_fd, &si, sizeof si) == (ssize_t)sizeof si) {
        if (si.ssi_signo == SIGCHLD) {
            int st;
            pid_t pid;
            struct rusage ru;
            while ((pid = wait4(-1, &st, WNOHANG, &ru)) > 0) {
                struct proc *p = proc_by_pid(pid);
                if (!p)
                    continue;
                /* logs written before the exit come before the exit report */
                streams_drain_all();
                p->alive = false;
                p->status = st;
                p->max_rss_kb = ru.ru_maxrss;
                proc_reaped(p, p == E.runtime || E.stopping);
                life_proc_exited(p);
            }
        } else if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) {
            if (E.stopping) {
                kill_everything();
                exit(1);
            }
            out_emu("signal %d: shutting down", (int)si.ssi_signo);
            life_request_stop();
        }
    }
}

static void open_raw(void)
{
    static const char *names[3] = {"stdout", "stderr", "telemetry"};
    for (int i = 0; i < 3; i++)
        E.raw_fd[i] = -1;
    if (!E.o.raw_dir)
        return;
    mkdir(E.o.raw_dir, 0777);
    for (int i = 0; i < 3; i++) {
        char path[PATH_MAX];
        snprintf(path, sizeof path, "%s/%s", E.o.raw_dir, names[i]);
        E.raw_fd[i] = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0666);
        if (E.raw_fd[i] < 0) {
            fprintf(stderr, "lambda-emu: --raw %s: %s\n", path, strerror(errno));
            exit(1);
        }
    }
}

/* The idle guard: true when the emulator waits for something (an invoke queued or
 * running, or a shutdown under way) with no deadline of its own that would move it on.
 * A --listen server with nothing to do is simply idle, not stuck. */
static bool idle_guard_applies(void)
{
    if (E.o.idle_timeout <= 0 || life_next_timer() >= 0)
        return false;
    return !E.o.listen || E.invokes || E.stopping;
}

int main(int argc, char **argv)
{
    /* A test tool must die with whoever started it (a bats timeout kills the test's
     * shell, not us): SIGTERM starts the normal shutdown, which kills the runtime. */
    pid_t parent = getppid();
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent)
        return 1; /* the parent died before the line above */
    atexit(kill_everything);
    /* fds 0-2 must be taken so pipes never land there */
    for (int fd = open("/dev/null", O_RDWR); fd >= 0 && fd <= 2; fd = open("/dev/null", O_RDWR))
        ;
    parse_options(argc, argv);
    open_raw();
    sandbox_prepare();
    signal(SIGPIPE, SIG_IGN);
    sigset_t ss;
    sigemptyset(&ss);
    sigaddset(&ss, SIGCHLD);
    sigaddset(&ss, SIGTERM);
    sigaddset(&ss, SIGINT);
    sigprocmask(SIG_BLOCK, &ss, NULL);
    E.sig_fd = signalfd(-1, &ss, SFD_NONBLOCK | SFD_CLOEXEC);

    struct buf *evs = xcalloc((size_t)E.o.nevents + 1, sizeof *evs);
    for (int i = 0; i < E.o.nevents; i++)
        if (!read_all(E.o.events[i], &evs[i])) {
            fprintf(stderr, "lambda-emu: --event %s: %s\n", E.o.events[i], strerror(errno));
            exit(1); /* as for the other usage errors: what main holds stays until the end */
        }
    E.api_fd = listen_on("127.0.0.1:0", &E.api_port);
    E.listen_fd = -1;
    if (E.o.listen) {
        int port;
        E.listen_fd = listen_on(E.o.listen, &port);
        out_emu("listening on 127.0.0.1:%d", port);
    }
    for (int i = 0; i < E.o.nevents; i++) {
        invoke_submit(evs[i].p ? evs[i].p : "", evs[i].len, NULL);
        buf_free(&evs[i]);
    }
    free(evs);

    struct pollfd *pfd = NULL;
    void **ref = NULL;
    int cap = 0;
    double last_activity = now_mono_ms();
    /* The absolute guard, for what the idle guard cannot see: traffic that keeps flowing
     * (a runtime in a request loop). The default never cuts a run short that the events'
     * own deadlines allow: each may need an init, its timeout and a reset. */
    if (E.o.max_wall < 0) {
        double need = E.o.nevents * (E.o.init_timeout + E.o.timeout + 2.5) + 30;
        E.o.max_wall = E.o.listen ? 0 : need > 300 ? need : 300;
    }
    double wall_end = E.o.max_wall > 0 ? now_mono_ms() + E.o.max_wall * 1000.0 : 0;
    int failed = 0;
    for (;;) {
        /* requests pipelined behind one answered elsewhere (conn_end_request), each in
         * turn after the state changes of the one before it */
        do
            life_pump();
        while (conn_resume_pending());
        if (life_finished())
            break;
        int n = 0, need = 3;
        for (struct conn *c = E.conns; c; c = c->next)
            need++;
        need += 3 * (EMU_MAX_EXTENSIONS + 1) + EMU_MAX_EXTENSIONS + logsock_poll_need();
        if (need > cap) {
            cap = need * 2;
            pfd = realloc(pfd, sizeof *pfd * (size_t)cap);
            ref = realloc(ref, sizeof *ref * (size_t)cap);
            if (!pfd || !ref)
                abort();
        }
        /* streams first: their logs are read before the requests that follow them */
        struct proc *procs[EMU_MAX_EXTENSIONS + 1];
        int np = 0;
        if (E.runtime)
            procs[np++] = E.runtime;
        for (int i = 0; i < EMU_MAX_EXTENSIONS; i++)
            if (E.exts[i].used && E.exts[i].proc)
                procs[np++] = E.exts[i].proc;
        for (int i = 0; i < np; i++)
            for (int k = 0; k < 3; k++)
                if (procs[i]->s[k].fd >= 0) {
                    pfd[n] = (struct pollfd){procs[i]->s[k].fd, POLLIN, 0};
                    ref[n++] = &procs[i]->s[k];
                }
        int nstreams = n;
        pfd[n] = (struct pollfd){E.sig_fd, POLLIN, 0};
        ref[n++] = NULL;
        pfd[n] = (struct pollfd){E.api_fd, POLLIN, 0};
        ref[n++] = NULL;
        pfd[n] = (struct pollfd){E.stopping ? -1 : E.listen_fd, POLLIN, 0};
        ref[n++] = NULL;
        for (struct conn *c = E.conns; c; c = c->next) {
            if (c->dead)
                continue;
            /* a waiting request only watches for hang-up; a closing one only drains */
            short ev = c->park != PARK_NONE || c->have_req ? POLLRDHUP : c->close_after ? 0 : POLLIN;
            if (c->out.len)
                ev |= POLLOUT;
            pfd[n] = (struct pollfd){c->fd, ev, 0};
            ref[n++] = c;
        }
        int ntel = n; /* telemetry deliveries to the extensions' listeners */
        n += tel_poll_fill(pfd + n, ref + n, cap - n);
        int nlog = n; /* the runtime's log socket and its connections */
        n += logsock_poll_fill(pfd + n, ref + n, cap - n);
        double t = life_next_timer(), tt = tel_next_timer();
        bool guard = idle_guard_applies();
        if (guard)
            t = last_activity + E.o.idle_timeout * 1000.0 - now_mono_ms();
        if (guard && t < 0)
            t = 0;
        if (tt >= 0 && (t < 0 || tt < t))
            t = tt;
        if (wall_end && (t < 0 || wall_end - now_mono_ms() < t))
            t = wall_end - now_mono_ms() > 0 ? wall_end - now_mono_ms() : 0;
        int timeout = t < 0 ? -1 : (int)(t + 0.999);
        int r = poll(pfd, (nfds_t)n, timeout);
        if (wall_end && now_mono_ms() >= wall_end) {
            out_emu("--max-wall %g s reached: killing the runtime and stopping", E.o.max_wall);
            failed = 1;
            break;
        }
        if (r > 0)
            last_activity = now_mono_ms();
        else if (r == 0 && guard && !E.idle_stop && now_mono_ms() - last_activity >= E.o.idle_timeout * 1000.0) {
            out_emu("nothing happened for %g s (no request, output or exit) with work pending: shutting down",
                    E.o.idle_timeout);
            E.idle_stop = true;
            life_request_stop();
            last_activity = now_mono_ms();
        }
        if (r < 0 && errno != EINTR) {
            perror("lambda-emu: poll");
            failed = 1;
            break;
        }
        if (r > 0) {
            for (int i = 0; i < nstreams; i++)
                if (pfd[i].revents) {
                    struct stream *s = ref[i];
                    if (s->fd >= 0)
                        stream_on_readable(s);
                }
            if (pfd[nstreams].revents)
                on_signals();
            if (pfd[nstreams + 1].revents)
                for (int fd; (fd = accept4(E.api_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0;)
                    conn_new(fd, CONN_API);
            if (pfd[nstreams + 2].revents)
                for (int fd; (fd = accept4(E.listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0;)
                    conn_new(fd, CONN_CLIENT);
            for (int i = nlog; i < n; i++)
                logsock_on_poll(ref[i], pfd[i].revents);
            for (int i = ntel; i < nlog; i++)
                if (pfd[i].revents)
                    tel_on_poll(ref[i], pfd[i].revents);
            for (int i = nstreams + 3; i < ntel; i++) {
                struct conn *c = ref[i];
                short re = pfd[i].revents;
                if (!re || c->dead)
                    continue;
                if ((c->park != PARK_NONE || c->have_req) && (re & (POLLRDHUP | POLLHUP | POLLERR))) {
                    conn_close(c); /* the waiting client went away */
                    continue;
                }
                if (re & POLLOUT)
                    conn_on_writable(c);
                if (!c->dead && (re & (POLLIN | POLLHUP | POLLERR)))
                    conn_on_readable(c);
            }
        }
        life_timers();
        tel_timers();
        conn_reap_dead();
    }
    free(pfd);
    free(ref);
    kill_everything();
    return failed || E.idle_stop ? 1 : life_exit_code();
}
