/* Re-entry across processes: an LWRAP_NEXT wrapper that runs lwrap again without exec
 * (a new pid, so _LWRAP_PID does not match) would apply everything again, chain to the
 * same wrapper, and recurse without end. */
#ifndef LWRAP_REENTRY_H
#define LWRAP_REENTRY_H
#include <stddef.h>

/* Before handing cmd[0..n) (the edited runtime command) to the chain: leaves its hash in
 * the edited environment. */
void reentry_mark(char *const *cmd, size_t n);
/* Whether argv[0..n) ends with a command an lwrap up this process's ancestry already
 * built: then it says so in one line and execs argv as it is (never returns). */
void reentry_check(char **argv, size_t n);

#endif
