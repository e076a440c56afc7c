/* Keeping the runtime's children unchanged: our entry leaves LD_PRELOAD at start. */
#ifndef LWRAP_CHILD_ENV_H
#define LWRAP_CHILD_ENV_H

/* Remove liblwrap.so from LD_PRELOAD (keeping every other entry as it was), unless
 * LWRAP_KEEP_PRELOAD=1. From the constructor, before the runtime starts threads. */
void child_env_scrub(void);

#endif
