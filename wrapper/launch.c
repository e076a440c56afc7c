/* The exec. Never fork: Lambda supervises the process it started, and the runtime's
 * exit status and signals must reach it unchanged. PATH lookups use the edited
 * environment's PATH, as `env PATH=... cmd` does. */
#include "launch.h"

#include "conf.h"
#include "diag.h"
#include "env.h"
#include "exe.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A text file the kernel will not run (ENOEXEC: no #! line, as `exec "$@"` wrappers
 * often are) is run with /bin/sh, as execvp and every shell do. */
static void exec_sh(const char *file, char **argv, char **envp)
{
    size_t n = 0;
    while (argv[n])
        n++;
    char **v = xmalloc((n + 2) * sizeof *v);
    v[0] = "/bin/sh";
    v[1] = (char *)file;
    memcpy(v + 2, argv + 1, n * sizeof *v); /* argv[1..n] and its NULL */
    execve(v[0], v, envp);
    free(v);
    errno = ENOEXEC;
}

struct exec_try {
    char **argv, **envp;
    int err;
};

static void exec_one(const char *file, char **argv, char **envp)
{
    execve(file, argv, envp);
    if (errno == ENOEXEC && exe_shell_script(file))
        exec_sh(file, argv, envp);
}

/* For each PATH directory: EACCES and the like beat a later "not found". */
static int exec_in(const char *path, void *arg)
{
    struct exec_try *t = arg;
    exec_one(path, t->argv, t->envp);
    if (errno != ENOENT && errno != ENOTDIR)
        t->err = errno;
    return 0;
}

/* Tries each PATH directory; returns the errno that describes the failure best. */
static int exec_path(char **argv, char **envp)
{
    if (strchr(argv[0], '/')) {
        exec_one(argv[0], argv, envp);
        return errno;
    }
    struct exec_try t = {argv, envp, ENOENT};
    exe_each_path(argv[0], envp, exec_in, &t);
    return t.err;
}

_Noreturn void launch(char **argv, char **envp, char **orig_argv, char **orig_envp)
{
    int err = exec_path(argv, envp);
    /* E2BIG: lwrap's changes pushed the arguments and environment past the kernel's
     * limits (128 KiB per string, ARG_MAX in all; a 1 MiB lwrap.conf can). Start the
     * runtime as Lambda would have without lwrap rather than not at all. */
    if (err == E2BIG && (argv != orig_argv || envp != orig_envp)) {
        if (!orig_argv)
            die(125, argv[0], ": too long with lwrap's changes (E2BIG); LWRAP_STRICT=1: "
                "not starting the runtime", NULL);
        report_item(argv[0], "too long with lwrap's changes (E2BIG); starting the runtime "
                    "without them", NULL);
        argv = orig_argv;
        err = exec_path(argv, orig_envp);
    }
    if (err == ENOENT || err == ENOTDIR)
        die(127, argv[0], ": not found", NULL);
    die(126, argv[0], ": cannot execute: ", strerror(err), NULL);
}

/* Whether path is this very binary: chaining to lwrap itself would loop. */
static int is_self(const char *path)
{
    struct stat a, b;
    return stat(path, &a) == 0 && stat("/proc/self/exe", &b) == 0 && a.st_dev == b.st_dev &&
           a.st_ino == b.st_ino;
}

char **chain_resolve(size_t *n)
{
    struct setting s;
    *n = 0;
    if (!conf_get("LWRAP_NEXT", &s) || !*s.value)
        return NULL;
    size_t len = strlen(s.value), max = 1;
    for (size_t i = 0; i < len; i++)
        max += s.value[i] == ':';
    char *copy = xmalloc(len + 1);
    memcpy(copy, s.value, len + 1);
    char **v = xmalloc(max * sizeof *v);
    for (char *item = copy, *next; item; item = next) {
        next = strchr(item, ':');
        if (next)
            *next++ = '\0';
        if (!*item)
            continue;
        struct exe e;
        exe_inspect(item, env_vector(), &e);
        const char *why = exe_problem(&e);
        if (why) {
            int interp = e.interp[0] != '\0';
            report_setting(&s, item, ": ", why, interp ? " (#!" : "", interp ? e.interp : "",
                           interp ? ")" : "", NULL);
            continue;
        }
        if (strchr(item, '/') && is_self(item)) {
            report_setting(&s, item, ": is lwrap itself", NULL);
            continue;
        }
        note_text("chain ", item, " (LWRAP_NEXT)", NULL);
        v[(*n)++] = item;
    }
    if (*n == 0) {
        free(v);
        free(copy);
        return NULL;
    }
    return v;
}
