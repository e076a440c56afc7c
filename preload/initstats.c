/* Init-time (and after-restore) counters for the startup trace (see initstats.h). */
#include "initstats.h"

#include <string.h>

struct initstats initstats, restorestats;
struct initstats *initstats_now = &initstats;

void initstats_dlopen_timed(const char *path, uint64_t ns)
{
    struct initstats *s = initstats_counting();
    __atomic_fetch_add(&s->dlopen_ns, ns, __ATOMIC_RELAXED);
    unsigned i = __atomic_fetch_add(&s->dlopen_count, 1, __ATOMIC_RELAXED);
    if (i >= INITSTATS_DLOPEN_MAX) {
        __atomic_fetch_sub(&s->dlopen_count, 1, __ATOMIC_RELAXED);
        __atomic_fetch_add(&s->dlopen_dropped, 1, __ATOMIC_RELAXED);
        return;
    }
    size_t n = strlen(path);
    /* Keep the end of a long path: the file name is what identifies the object. */
    const char *from = n >= INITSTATS_PATH_MAX ? path + n - (INITSTATS_PATH_MAX - 1) : path;
    strcpy(s->dlopen[i].path, from);
    s->dlopen[i].ns = ns;
}
