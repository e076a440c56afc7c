/* Chaining (LWRAP_NEXT) and the final execve. */
#ifndef LWRAP_LAUNCH_H
#define LWRAP_LAUNCH_H
#include <stddef.h>

/* The usable LWRAP_NEXT entries, in order; unusable ones are reported and skipped. */
char **chain_resolve(size_t *n);
/* execve in this process (same PID): 127 not found, 126 cannot execute. When the
 * kernel refuses the edited command as too long, reports it and execs orig_argv with
 * orig_envp instead (orig_argv NULL: LWRAP_STRICT, exit 125). */
_Noreturn void launch(char **argv, char **envp, char **orig_argv, char **orig_envp);

#endif
