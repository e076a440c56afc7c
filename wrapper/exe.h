/* What kind of program a file is, read as the kernel would (ELF header, #! line), so
 * lwrap can say before the exec what the exec would do. */
#ifndef LWRAP_EXE_H
#define LWRAP_EXE_H
#include <limits.h>

enum exe_kind {
    EXE_MISSING,    /* not found (PATH searched for a name without '/') */
    EXE_DIR,        /* a directory */
    EXE_NOEXEC,     /* no execute permission, not a regular file, or binary without ELF */
    EXE_ELF,        /* a dynamically linked ELF program */
    EXE_ELF_STATIC, /* an ELF program without an interpreter (PT_INTERP): no LD_PRELOAD */
    EXE_SCRIPT,     /* #! and an interpreter that exists */
    EXE_SHELL,      /* no #! (and not ELF): run with /bin/sh, as a shell would */
    EXE_CRLF,       /* #! line ending in \r: the kernel looks for "sh\r" */
    EXE_NO_INTERP,  /* #! naming an interpreter that does not exist or cannot run */
};

struct exe {
    enum exe_kind kind;
    char path[PATH_MAX];   /* where it was found */
    char interp[PATH_MAX]; /* the #! interpreter (EXE_SCRIPT, EXE_CRLF, EXE_NO_INTERP) */
};

/* fn(dir/name) for each directory of envp's PATH (default /usr/local/bin:/bin:/usr/bin;
 * an empty entry is the current directory, as in sh) until it returns nonzero; returns
 * whether one did. */
int exe_each_path(const char *name, char **envp, int (*fn)(const char *path, void *arg), void *arg);
/* Finds name (PATH from envp when it has no '/', as execvp does) and reads it. */
void exe_inspect(const char *name, char **envp, struct exe *e);
/* Whether a file the kernel refused (ENOEXEC) is a script for /bin/sh: text, no #!. */
int exe_shell_script(const char *path);
/* Why e cannot be exec'd, as the end of a sentence, or NULL when it can. */
const char *exe_problem(const struct exe *e);

#endif
