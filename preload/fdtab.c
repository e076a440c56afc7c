/* The fd -> Runtime API connection table (see fdtab.h). */
#include "fdtab.h"

#include "lifecycle_events.h"
#include "observer.h"

uint8_t fdtab_map[FDTAB_FDS];
static int conn_refs[FDTAB_CONNS]; /* fds naming each slot; 0 = free */

static void unref(int slot)
{
    __atomic_fetch_sub(&conn_refs[slot], 1, __ATOMIC_ACQ_REL);
}

void fdtab_forget(int fd)
{
    if ((unsigned)fd >= FDTAB_FDS || !__atomic_load_n(&fdtab_map[fd], __ATOMIC_RELAXED))
        return;
    int slot = (int)__atomic_exchange_n(&fdtab_map[fd], 0, __ATOMIC_ACQ_REL) - 1;
    if (slot >= 0)
        unref(slot);
}

int fdtab_watch(int fd)
{
    if ((unsigned)fd >= FDTAB_FDS)
        return -1;
    fdtab_forget(fd);
    for (int slot = 0; slot < FDTAB_CONNS; slot++) {
        int zero = 0;
        if (__atomic_compare_exchange_n(&conn_refs[slot], &zero, 1, false, __ATOMIC_ACQ_REL,
                                        __ATOMIC_RELAXED)) {
            observer_conn_reset(slot, fd);
            __atomic_store_n(&fdtab_map[fd], (uint8_t)(slot + 1), __ATOMIC_RELEASE);
            return slot;
        }
    }
    return -1;
}

void fdtab_dup(int oldfd, int newfd)
{
    fdtab_forget(newfd);
    int slot = fdtab_conn(oldfd);
    if (slot < 0)
        return;
    if ((unsigned)newfd >= FDTAB_FDS) {
        lifecycle_lost(newfd, "fd-too-high");
        return;
    }
    __atomic_fetch_add(&conn_refs[slot], 1, __ATOMIC_ACQ_REL);
    __atomic_store_n(&fdtab_map[newfd], (uint8_t)(slot + 1), __ATOMIC_RELEASE);
}
