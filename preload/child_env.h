/* Keeping the runtime's children unchanged: our entry leaves LD_PRELOAD at start. */
#ifndef LWRAP_CHILD_ENV_H
#define LWRAP_CHILD_ENV_H

#include <stdbool.h>
#include <stddef.h>

/* Remove liblwrap.so from LD_PRELOAD (keeping every other entry as it was), unless
 * LWRAP_KEEP_PRELOAD=1. From the constructor, before the runtime starts threads. Edits
 * the `environ` array in place (no setenv/unsetenv, no allocation), so a program that
 * builds its own copy of the environment from main's envp (bash) sees the change.
 * runtime: this process is the runtime (it may hand the entry over when it execs);
 * false: a child that inherited the entry, which its own children must not get either. */
void child_env_scrub(bool runtime);

/* For an exec in this very process (no fork: the pid the constructor ran in), an
 * environment like envp with our entry back in LD_PRELOAD, so the program this process
 * hands over to (the runtime at the end of a wrapper chain) gets the preload. Only when
 * envp still carries lwrap's settings (a variable named LWRAP_* or _LWRAP_*) and the
 * caller has not cleared LD_PRELOAD: not set to empty, and not removed when the scrub
 * had left other entries in it. NULL: use envp unchanged (a forked or vfork child,
 * nothing was removed, it is already there, or one of the cases above). Async-signal-
 * safe; allocates nothing in a child. */
char **child_env_for_exec(char *const envp[]);

/* Frees what child_env_for_exec returned, for when the exec failed (NULL: nothing). */
void child_env_release(char **env);

/* This is the runtime's process (not a forked or vfork child of it): its exec hands
 * over, and keeps lwrap's private variables. */
bool child_env_in_runtime(void);

/* For a child: how many of lwrap's private variables (_LWRAP_START_NS, _LWRAP_PID) envp
 * holds, with *count its number of entries; then child_env_without_privates copies envp
 * without them into out (count + 1 slots, which the caller finds on its stack: a vfork
 * child must not allocate). */
size_t child_env_privates(char *const envp[], size_t *count);
void child_env_without_privates(char *const envp[], char **out);

#endif
