/* Keeping the runtime's children unchanged: our entry leaves LD_PRELOAD at start. */
#ifndef LWRAP_CHILD_ENV_H
#define LWRAP_CHILD_ENV_H

/* Remove liblwrap.so from LD_PRELOAD (keeping every other entry as it was), unless
 * LWRAP_KEEP_PRELOAD=1. From the constructor, before the runtime starts threads. */
void child_env_scrub(void);

/* For an exec in this very process (no fork: the pid the constructor ran in), an
 * environment like envp with our entry back in LD_PRELOAD, so the program this process
 * hands over to (the runtime at the end of a wrapper chain) gets the preload. NULL: use
 * envp unchanged (a forked child, nothing was removed, or it is already there). */
char **child_env_for_exec(char *const envp[]);

#endif
