/* Init-time counters for the startup trace (see initstats.h). */
#include "initstats.h"

#include <string.h>

struct initstats initstats;

void initstats_dlopen_timed(const char *path, uint64_t ns)
{
    __atomic_fetch_add(&initstats.dlopen_ns, ns, __ATOMIC_RELAXED);
    unsigned i = __atomic_fetch_add(&initstats.dlopen_count, 1, __ATOMIC_RELAXED);
    if (i >= INITSTATS_DLOPEN_MAX) {
        __atomic_fetch_sub(&initstats.dlopen_count, 1, __ATOMIC_RELAXED);
        __atomic_fetch_add(&initstats.dlopen_dropped, 1, __ATOMIC_RELAXED);
        return;
    }
    size_t n = strlen(path);
    /* Keep the end of a long path: the file name is what identifies the object. */
    const char *from = n >= INITSTATS_PATH_MAX ? path + n - (INITSTATS_PATH_MAX - 1) : path;
    strcpy(initstats.dlopen[i].path, from);
    initstats.dlopen[i].ns = ns;
}
