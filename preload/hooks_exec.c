/* The exec family, for child_env.c: a process that execs itself into the next program
 * (a wrapper script chained after lwrap, a shim) passes the preload on; a forked child's
 * exec passes straight through with the environment it was given. glibc's execv and
 * execvp call execve internally (not through us), so each is hooked. The execl family
 * is not: lwrap's chain and the runtimes' wrappers use execve/execv/execvp. */
#include <stdbool.h>
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
    /* A successful exec discards the process image: records still pending in the log
     * pipeline (a line printed just before os.execv) would be lost. Signal-safe, and a
     * no-op in a vfork child, whose memory is the parent's. */
    if (logs_enabled)
        logs_flush_all();
    return fn(file, argv, patched ? patched : envp);
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
