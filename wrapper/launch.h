/* Chaining (LWRAP_NEXT) and the final execve. */
#ifndef LWRAP_LAUNCH_H
#define LWRAP_LAUNCH_H
#include <stddef.h>

/* The usable LWRAP_NEXT entries, in order; unusable ones are reported and skipped. */
char **chain_resolve(size_t *n);
/* execve in this process (same PID): 127 not found, 126 cannot execute. */
_Noreturn void launch(char **argv, char **envp);

#endif
