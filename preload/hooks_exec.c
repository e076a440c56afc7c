/* The exec family, for child_env.c: a process that execs itself into the next program
 * (a wrapper script chained after lwrap, a shim) passes the preload on; a forked child's
 * exec passes straight through with the environment it was given. Before any exec or
 * spawn, the log pipeline writes what it holds (see logs_before_exec). glibc's execv,
 * execvp, the execl family and fexecve call execve internally (not through us), so each
 * is hooked. */
#include <errno.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "child_env.h"
#include "trace_children.h"
#include "hook.h"
#include "logs.h"
#include "real.h"

extern char **environ;

/* How the exec is made: by path, by PATH search, through an fd (fexecve), or relative
 * to a directory fd (execveat). */
enum how { BY_PATH, BY_SEARCH, BY_FD, AT_DIR };

static int call(enum how how, int fd, const char *file, char *const argv[], char *const envp[],
                int flags)
{
    switch (how) {
    case BY_SEARCH:
        return REAL(execvpe)(file, argv, envp);
    case BY_FD:
        return REAL(fexecve)(fd, argv, envp);
    case AT_DIR:
        return REAL(execveat) ? REAL(execveat)(fd, file, argv, envp, flags)
                              : (int)syscall(SYS_execveat, fd, file, argv, envp, flags);
    default:
        return REAL(execve)(file, argv, envp);
    }
}

static int run(enum how how, int fd, const char *file, char *const argv[], char *const envp[],
               int flags)
{
    trace_children_exec(argv);
    char **patched = child_env_for_exec(envp);
    /* A child of the runtime gets the environment without lwrap's private variables
     * (on this stack: a vfork child must not allocate; a huge environment keeps them). */
    size_t n;
    if (!patched && !child_env_in_runtime() && child_env_privates(envp, &n) && n < 8192) {
        char **clean = __builtin_alloca((n + 1) * sizeof *clean);
        child_env_without_privates(envp, clean);
        envp = clean;
    }
    /* A successful exec discards the process image: records still held by the log
     * pipeline (a line printed just before os.execv) would be lost; and a vfork child's
     * program must not print before what its parent thread printed. */
    if (logs_enabled)
        logs_before_exec();
    int r = call(how, fd, file, argv, patched ? patched : envp, flags);
    int e = errno;
    child_env_release(patched); /* the exec failed */
    errno = e;
    return r;
}

EXPORT int execve(const char *path, char *const argv[], char *const envp[])
{
    return run(BY_PATH, -1, path, argv, envp, 0);
}

EXPORT int execv(const char *path, char *const argv[])
{
    return run(BY_PATH, -1, path, argv, environ, 0);
}

EXPORT int execvpe(const char *file, char *const argv[], char *const envp[])
{
    return run(BY_SEARCH, -1, file, argv, envp, 0);
}

EXPORT int execvp(const char *file, char *const argv[])
{
    return run(BY_SEARCH, -1, file, argv, environ, 0);
}

EXPORT int fexecve(int fd, char *const argv[], char *const envp[])
{
    return run(BY_FD, fd, NULL, argv, envp, 0);
}

EXPORT int execveat(int dirfd, const char *path, char *const argv[], char *const envp[], int flags)
{
    return run(AT_DIR, dirfd, path, argv, envp, flags);
}

/* The execl family: the arguments, up to the NULL, as an argv on this stack (execle's
 * environment follows the NULL). */
#define EXECL(how, file, arg, with_env) \
    do { \
        va_list ap; \
        va_start(ap, arg); \
        size_t n = 1; \
        while (va_arg(ap, const char *)) \
            n++; \
        va_end(ap); \
        char **argv = __builtin_alloca((n + 1) * sizeof *argv); \
        argv[0] = (char *)arg; \
        va_start(ap, arg); \
        for (size_t i = 1; i <= n; i++) \
            argv[i] = va_arg(ap, char *); \
        char *const *envp = with_env ? va_arg(ap, char *const *) : environ; \
        va_end(ap); \
        return run(how, -1, file, argv, envp, 0); \
    } while (0)

EXPORT int execl(const char *path, const char *arg, ...)
{
    EXECL(BY_PATH, path, arg, false);
}

EXPORT int execlp(const char *file, const char *arg, ...)
{
    EXECL(BY_SEARCH, file, arg, false);
}

EXPORT int execle(const char *path, const char *arg, ...)
{
    EXECL(BY_PATH, path, arg, true);
}

/* posix_spawn (Java's ProcessBuilder), system and popen (glibc runs both through its
 * internal posix_spawn) start a child without fork's atfork handlers and exec in it
 * without our exec hooks: write what this thread printed first, so the child's output
 * cannot overtake it. */
static void before_spawn(void)
{
    if (logs_enabled)
        logs_before_spawn();
}

typedef int (*spawn_fn)(pid_t *, const char *, const posix_spawn_file_actions_t *,
                        const posix_spawnattr_t *, char *const[], char *const[]);

static int spawn(spawn_fn fn, pid_t *pid, const char *file, const posix_spawn_file_actions_t *fa,
                 const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
    before_spawn();
    size_t n;
    if (child_env_privates(envp, &n) && n < 8192) {
        char **clean = __builtin_alloca((n + 1) * sizeof *clean);
        child_env_without_privates(envp, clean);
        envp = clean;
    }
    return fn(pid, file, fa, attr, argv, envp);
}

EXPORT int posix_spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *fa,
                       const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
    return spawn(REAL(posix_spawn), pid, path, fa, attr, argv, envp);
}

EXPORT int posix_spawnp(pid_t *pid, const char *file, const posix_spawn_file_actions_t *fa,
                        const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
    return spawn(REAL(posix_spawnp), pid, file, fa, attr, argv, envp);
}

EXPORT int system(const char *command)
{
    before_spawn();
    return REAL(system)(command);
}

EXPORT FILE *popen(const char *command, const char *mode)
{
    before_spawn();
    return REAL(popen)(command, mode);
}
