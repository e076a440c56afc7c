/* Starting the runtime and the external extensions the way Lambda does:
 * Lambda's environment, stdout/stderr as pipes, the telemetry log fd, and for the
 * runtime the managed runtimes' bootstrap logic around AWS_LAMBDA_EXEC_WRAPPER. */
#include "emu.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* The fd number the runtime finds its telemetry pipe on. */
#define TELEMETRY_CHILD_FD 3

struct envb {
    char **v;
    int n;
};

static void env_set(struct envb *e, const char *name, const char *value)
{
    size_t nl = strlen(name);
    char *s = xmalloc(nl + strlen(value) + 2);
    sprintf(s, "%s=%s", name, value);
    for (int i = 0; i < e->n; i++)
        if (strncmp(e->v[i], name, nl) == 0 && e->v[i][nl] == '=') {
            free(e->v[i]);
            e->v[i] = s;
            return;
        }
    e->v = realloc(e->v, sizeof *e->v * (size_t)(e->n + 2));
    if (!e->v)
        abort();
    e->v[e->n++] = s;
    e->v[e->n] = NULL;
}

static void env_unset(struct envb *e, const char *name)
{
    size_t nl = strlen(name);
    for (int i = 0; i < e->n; i++)
        if (strncmp(e->v[i], name, nl) == 0 && e->v[i][nl] == '=') {
            free(e->v[i]);
            e->v[i] = e->v[--e->n];
            e->v[e->n] = NULL;
            return;
        }
}

static const char *env_get(const struct envb *e, const char *name)
{
    size_t nl = strlen(name);
    for (int i = 0; i < e->n; i++)
        if (strncmp(e->v[i], name, nl) == 0 && e->v[i][nl] == '=')
            return e->v[i] + nl + 1;
    return NULL;
}

static void env_free(struct envb *e)
{
    for (int i = 0; i < e->n; i++)
        free(e->v[i]);
    free(e->v);
}

/* AWS_EXECUTION_ENV as the managed runtime of that language would set it. */
static const char *execution_env(void)
{
    const char *a0 = strrchr(E.o.cmd[0], '/');
    a0 = a0 ? a0 + 1 : E.o.cmd[0];
    if (strncmp(a0, "python", 6) == 0)
        return "AWS_Lambda_python3.12";
    if (strncmp(a0, "node", 4) == 0)
        return "AWS_Lambda_nodejs20.x";
    if (strncmp(a0, "java", 4) == 0)
        return "AWS_Lambda_java17";
    if (strncmp(a0, "ruby", 4) == 0)
        return "AWS_Lambda_ruby3.3";
    if (strncmp(a0, "dotnet", 6) == 0)
        return "AWS_Lambda_dotnet8";
    return "AWS_Lambda_provided.al2023";
}

static void build_env(struct envb *e, bool runtime)
{
    static char stream_name[128];
    char tmp[512];
    memset(e, 0, sizeof *e);
    for (char **p = environ; *p; p++) {
        const char *eq = strchr(*p, '=');
        if (!eq)
            continue;
        char name[256];
        size_t nl = (size_t)(eq - *p);
        if (nl >= sizeof name)
            continue;
        memcpy(name, *p, nl);
        name[nl] = 0;
        env_set(e, name, eq + 1);
    }
    snprintf(tmp, sizeof tmp, "127.0.0.1:%d", E.api_port);
    env_set(e, "AWS_LAMBDA_RUNTIME_API", tmp);
    env_set(e, "AWS_LAMBDA_FUNCTION_NAME", E.o.function_name);
    env_set(e, "AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
    snprintf(tmp, sizeof tmp, "%d", E.o.memory);
    env_set(e, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", tmp);
    snprintf(tmp, sizeof tmp, "/aws/lambda/%s", E.o.function_name);
    env_set(e, "AWS_LAMBDA_LOG_GROUP_NAME", tmp);
    if (!stream_name[0]) {
        char hex[33];
        time_t t = time(NULL);
        struct tm tm;
        gmtime_r(&t, &tm);
        random_hex(hex, 32);
        snprintf(stream_name, sizeof stream_name, "%04d/%02d/%02d/[$LATEST]%s", tm.tm_year + 1900, tm.tm_mon + 1,
                 tm.tm_mday, hex);
    }
    env_set(e, "AWS_LAMBDA_LOG_STREAM_NAME", stream_name);
    env_set(e, "AWS_REGION", "us-east-1");
    env_set(e, "AWS_DEFAULT_REGION", "us-east-1");
    /* fake credentials of the right shape: secrets, never printed */
    env_set(e, "AWS_ACCESS_KEY_ID", "ASIAEMULATOREXAMPLE1");
    env_set(e, "AWS_SECRET_ACCESS_KEY", "emulatorSecretKeyExample0123456789abcdef");
    env_set(e, "AWS_SESSION_TOKEN", "emulatorSessionTokenExample0123456789");
    env_set(e, "AWS_EXECUTION_ENV", execution_env());
    env_set(e, "AWS_LAMBDA_INITIALIZATION_TYPE", life_init_type());
    /* "Monitoring for Lambda SnapStart": these two are not available to SnapStart functions */
    if (E.o.snapstart) {
        env_unset(e, "AWS_LAMBDA_LOG_GROUP_NAME");
        env_unset(e, "AWS_LAMBDA_LOG_STREAM_NAME");
    }
    env_set(e, "TZ", ":UTC");
    env_unset(e, "_LAMBDA_TELEMETRY_LOG_FD");
    env_unset(e, "_LAMBDA_TELEMETRY_LOG_FD_PROVIDER_SOCKET");
    env_unset(e, "_HANDLER");
    env_unset(e, "LAMBDA_TASK_ROOT");
    env_unset(e, "AWS_LAMBDA_MAX_CONCURRENCY");
    if (runtime) {
        env_set(e, "_HANDLER", E.o.handler);
        env_set(e, "LAMBDA_TASK_ROOT", E.o.task_root);
        env_set(e, "LAMBDA_RUNTIME_DIR", "/var/runtime");
        /* Managed Instances: a log socket instead of the telemetry fd (logsock.c) */
        const char *sock = E.o.managed && E.o.telemetry ? logsock_path() : NULL;
        if (sock)
            env_set(e, "_LAMBDA_TELEMETRY_LOG_FD_PROVIDER_SOCKET", sock);
        else if (E.o.telemetry) {
            snprintf(tmp, sizeof tmp, "%d", TELEMETRY_CHILD_FD);
            env_set(e, "_LAMBDA_TELEMETRY_LOG_FD", tmp);
        }
        if (E.o.concurrency > 1 || E.o.managed) {
            snprintf(tmp, sizeof tmp, "%d", E.o.concurrency);
            env_set(e, "AWS_LAMBDA_MAX_CONCURRENCY", tmp);
        }
    }
    for (int i = 0; i < E.o.nenv; i++) {
        const char *eq = strchr(E.o.env[i], '=');
        char name[256];
        size_t nl = (size_t)(eq - E.o.env[i]);
        if (nl >= sizeof name)
            continue;
        memcpy(name, E.o.env[i], nl);
        name[nl] = 0;
        /* Extensions never see the function's handler or task root. */
        if (!runtime && (strcmp(name, "_HANDLER") == 0 || strcmp(name, "LAMBDA_TASK_ROOT") == 0))
            continue;
        env_set(e, name, eq + 1);
    }
    /* "Lambda Managed Instances only support JSON log format" (Configuring JSON and plain
     * text log formats): not even -e changes it */
    if (E.o.managed)
        env_set(e, "AWS_LAMBDA_LOG_FORMAT", "JSON");
}

static void stream_init(struct stream *s, int fd, enum stream_kind k, struct proc *p, int raw_fd)
{
    memset(s, 0, sizeof *s);
    s->fd = fd;
    s->kind = k;
    s->owner = p;
    s->raw_fd = raw_fd;
    if (fd >= 0)
        set_nonblock_cloexec(fd);
}

/* Put fd on target in the child, without FD_CLOEXEC. */
static void child_fd(int fd, int target)
{
    if (fd == target)
        fcntl(fd, F_SETFD, 0);
    else
        dup2(fd, target);
}

static void child_write(const char *s)
{
    size_t n = strlen(s);
    while (n) {
        ssize_t w = write(1, s, n);
        if (w <= 0)
            return;
        s += w;
        n -= (size_t)w;
    }
}

/* Every process group we created, runtime and extensions, across re-inits: on the way
 * out each is killed, also when its leader is gone but a child it left behind is not. */
static pid_t groups[256];
static int ngroups;

static void remember_group(pid_t pgid)
{
    for (int i = 0; i < ngroups; i++)
        if (groups[i] == pgid)
            return;
    if (ngroups < (int)(sizeof groups / sizeof *groups)) {
        groups[ngroups++] = pgid;
        return;
    }
    /* full (a long --listen run with many re-inits): forget groups that are empty */
    int j = 0;
    for (int i = 0; i < ngroups; i++)
        if (kill(-groups[i], 0) == 0)
            groups[j++] = groups[i];
    ngroups = j;
    if (ngroups < (int)(sizeof groups / sizeof *groups))
        groups[ngroups++] = pgid;
}

/* p was just reaped: kill what it left in its group (safe now: while a member lives
 * the group id cannot be reused) and forget the group. An extension that exits mid-run
 * keeps its group listed until the end (a launcher script may leave its real process). */
void proc_reaped(struct proc *p, bool kill_leftovers)
{
    if (!kill_leftovers)
        return;
    kill(-p->pid, SIGKILL);
    for (int i = 0; i < ngroups; i++)
        if (groups[i] == p->pid) {
            groups[i] = groups[--ngroups];
            break;
        }
}

void proc_kill_groups(void)
{
    for (int i = 0; i < ngroups; i++)
        kill(-groups[i], SIGKILL);
    ngroups = 0;
}

static struct proc *spawn(char **argv, bool runtime, const char *name, struct ext *ext)
{
    int po[2], pe[2], pt[2] = {-1, -1};
    struct envb env;
    if (pipe2(po, O_CLOEXEC) < 0 || pipe2(pe, O_CLOEXEC) < 0) {
        out_emu("pipe: %s", strerror(errno));
        return NULL;
    }
    bool tel = runtime && E.o.telemetry && !(E.o.managed && logsock_path());
    if (tel && pipe2(pt, O_CLOEXEC) < 0) {
        out_emu("pipe: %s", strerror(errno));
        return NULL;
    }
    build_env(&env, runtime);
    /* The bootstrap script's checks use the wrapper value the runtime would see. */
    const char *wrapper = runtime ? env_get(&env, "AWS_LAMBDA_EXEC_WRAPPER") : NULL;
    if (wrapper && !*wrapper)
        wrapper = NULL;
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        out_emu("fork: %s", strerror(errno));
        env_free(&env);
        return NULL;
    }
    if (pid == 0) {
        sigset_t none;
        sigemptyset(&none);
        signal(SIGPIPE, SIG_DFL);
        sigprocmask(SIG_SETMASK, &none, NULL);
        setpgid(0, 0); /* so a timeout can kill the runtime and all its children */
        /* If the emulator dies without a chance to clean up (SIGKILL), its runtime and
         * extensions go too: a test tool must not leave them spinning. (Survives exec;
         * not inherited by their own children, which the group kill covers.) */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(1); /* the emulator died before the line above */
        sandbox_enter_child();
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0)
            child_fd(devnull, 0);
        child_fd(po[1], 1);
        child_fd(pe[1], 2);
        if (tel)
            child_fd(pt[1], TELEMETRY_CHILD_FD);
        environ = env.v;
        if (wrapper) {
            /* exactly what /var/runtime/bootstrap does, messages on stdout */
            struct stat st;
            char msg[4200];
            if (stat(wrapper, &st) != 0 || !S_ISREG(st.st_mode)) {
                snprintf(msg, sizeof msg, "%s: does not exist\n", wrapper);
                child_write(msg);
                _exit(127);
            }
            if (eaccess(wrapper, X_OK) != 0) {
                snprintf(msg, sizeof msg, "%s: is not an executable\n", wrapper);
                child_write(msg);
                _exit(126);
            }
            char **wargv = xcalloc((size_t)E.o.ncmd + 2, sizeof *wargv);
            wargv[0] = (char *)wrapper;
            for (int i = 0; i < E.o.ncmd; i++)
                wargv[i + 1] = E.o.cmd[i];
            execv(wrapper, wargv);
            dprintf(2, "lambda-emu: cannot execute %s: %s\n", wrapper, strerror(errno));
            _exit(126);
        }
        execvp(argv[0], argv);
        int err = errno;
        dprintf(2, "lambda-emu: cannot execute %s: %s\n", argv[0], strerror(err));
        _exit(err == ENOENT ? 127 : 126);
    }
    /* both sides set the group, so a kill right after fork cannot miss it */
    setpgid(pid, pid);
    remember_group(pid);
    env_free(&env);
    close(po[1]);
    close(pe[1]);
    if (tel)
        close(pt[1]);
    struct proc *p = xcalloc(1, sizeof *p);
    p->pid = pid;
    p->alive = true;
    p->ext = ext;
    snprintf(p->name, sizeof p->name, "%s", name);
    stream_init(&p->s[0], po[0], ST_STDOUT, p, runtime ? E.raw_fd[0] : -1);
    stream_init(&p->s[1], pe[0], ST_STDERR, p, runtime ? E.raw_fd[1] : -1);
    stream_init(&p->s[2], tel ? pt[0] : -1, ST_TELEMETRY, p, runtime ? E.raw_fd[2] : -1);
    return p;
}

struct proc *proc_start_runtime(void)
{
    return spawn(E.o.cmd, true, "runtime", NULL);
}

struct proc *proc_start_extension(const char *path, const char *name)
{
    char *argv[] = {(char *)path, NULL};
    for (int i = 0; i < EMU_MAX_EXTENSIONS; i++)
        if (E.exts[i].used && strcmp(E.exts[i].name, name) == 0)
            return spawn(argv, false, name, &E.exts[i]);
    return spawn(argv, false, name, NULL);
}

bool proc_streams_open(const struct proc *p)
{
    for (int i = 0; i < 3; i++)
        if (p->s[i].fd >= 0)
            return true;
    return false;
}

void proc_free(struct proc *p)
{
    for (int i = 0; i < 3; i++) {
        if (p->s[i].fd >= 0)
            close(p->s[i].fd);
        buf_free(&p->s[i].pending);
    }
    free(p);
}

/* The wording of Go's os.ProcessState, which Lambda's messages use. */
void proc_describe_exit(int status, char *out, size_t n)
{
    if (WIFEXITED(status)) {
        snprintf(out, n, "exit status %d", WEXITSTATUS(status));
    } else if (WIFSIGNALED(status)) {
        char sig[64];
        const char *s = strsignal(WTERMSIG(status));
        snprintf(sig, sizeof sig, "%s", s ? s : "unknown signal");
        if (sig[0] >= 'A' && sig[0] <= 'Z')
            sig[0] = (char)(sig[0] - 'A' + 'a');
        snprintf(out, n, "signal: %s%s", sig, WCOREDUMP(status) ? " (core dumped)" : "");
    } else {
        snprintf(out, n, "status %d", status);
    }
}

int proc_max_rss_mb(pid_t pid)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "re");
    if (!f)
        return 0;
    long kb = 0;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmHWM: %ld kB", &kb) == 1)
            break;
    fclose(f);
    return (int)((kb + 1023) / 1024);
}
