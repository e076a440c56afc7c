/* The exec family, for child_env.c: a process that execs itself into the next program
 * (a wrapper script chained after lwrap, a shim) passes the preload on; a forked child's
 * exec passes straight through with the environment it was given. Before any exec or
 * spawn, the log pipeline writes what it holds (see logs_before_exec). glibc's execv and
 * execvp call execve internally (not through us), so each is hooked. The execl family
 * is not: lwrap's chain and the runtimes' wrappers use execve/execv/execvp. */
#include <errno.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "child_env.h"
#include "hook.h"
#include "logs.h"
#include "real.h"

extern char **environ;

static int run(bool search, const char *file, char *const argv[], char *const envp[])
{
    int (*fn)(const char *, char *const[], char *const[]) = search ? REAL(execvpe) : REAL(execve);
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
    int r = fn(file, argv, patched ? patched : envp);
    int e = errno;
    child_env_release(patched); /* the exec failed */
    errno = e;
    return r;
}

EXPORT int execve(const char *path, char *const argv[], char *const envp[])
{
    return run(false, path, argv, envp);
}

EXPORT int execv(const char *path, char *const argv[])
{
    return run(false, path, argv, environ);
}

EXPORT int execvpe(const char *file, char *const argv[], char *const envp[])
{
    return run(true, file, argv, envp);
}

EXPORT int execvp(const char *file, char *const argv[])
{
    return run(true, file, argv, environ);
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
