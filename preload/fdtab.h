/* Which file descriptors are connections to the Runtime API: a fixed table indexed by
 * fd (no allocation, lock-free reads), each watched fd naming one of a few connection
 * slots whose parsers live in the observer. dup'ed fds share their slot. */
#ifndef LWRAP_FDTAB_H
#define LWRAP_FDTAB_H

#include <stdint.h>

#include "hook.h"

#ifndef LWRAP_FDTAB_FDS /* (the tests build a smaller table to reach past it) */
#define LWRAP_FDTAB_FDS 65536
#endif
#define FDTAB_FDS LWRAP_FDTAB_FDS /* fds from this on are never observed */
#define FDTAB_CONNS 64  /* Runtime API connections open at once */

extern HIDDEN uint8_t fdtab_map[FDTAB_FDS]; /* connection slot + 1; 0 = not watched */

/* The connection slot of fd, or -1. */
static inline int fdtab_conn(int fd)
{
    if ((unsigned)fd >= FDTAB_FDS)
        return -1;
    return (int)__atomic_load_n(&fdtab_map[fd], __ATOMIC_RELAXED) - 1;
}

/* fd was just connected to the Runtime API: give it a fresh slot (-1: none free). */
int fdtab_watch(int fd);
/* fd was closed or now means something else. Lock-free: safe between fork and exec. */
void fdtab_forget(int fd);
/* newfd now refers to the same socket as oldfd (a watched socket dup'ed past the table
 * is not observed there: `lost` in the debug channel). */
void fdtab_dup(int oldfd, int newfd);

#endif
