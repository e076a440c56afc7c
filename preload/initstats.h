/* What the startup trace counts while the runtime initialises (until its first `next`,
 * or SnapStart's `restore/next`): files opened, bytes read, and each dlopen with the time
 * it took; and the same again for SnapStart's after-restore phase. */
#ifndef LWRAP_INITSTATS_H
#define LWRAP_INITSTATS_H

#include <stdint.h>
#include <sys/types.h>

#define INITSTATS_DLOPEN_MAX 64
#define INITSTATS_PATH_MAX 192

struct initstats_dlopen {
    char path[INITSTATS_PATH_MAX];
    uint64_t ns;
};

struct initstats {
    uint64_t files_opened, bytes_read;
    unsigned dlopen_count;   /* timed entries recorded (<= INITSTATS_DLOPEN_MAX) */
    unsigned dlopen_dropped; /* timed, but the table was full */
    unsigned dlopen_untimed; /* bare names: passed straight through (see hooks_file.c) */
    uint64_t dlopen_ns;      /* sum over every timed dlopen */
    struct initstats_dlopen dlopen[INITSTATS_DLOPEN_MAX];
};

extern struct initstats initstats;    /* init */
extern struct initstats restorestats; /* SnapStart: restore/next's answer to the next `next` */
/* Where the hooks count while the gate's GATE_INIT_COUNT is set: one of the two. */
extern struct initstats *initstats_now;

static inline struct initstats *initstats_counting(void)
{
    return __atomic_load_n(&initstats_now, __ATOMIC_RELAXED);
}

static inline void initstats_opened(void)
{
    __atomic_fetch_add(&initstats_counting()->files_opened, 1, __ATOMIC_RELAXED);
}

static inline void initstats_read(ssize_t n)
{
    if (n > 0)
        __atomic_fetch_add(&initstats_counting()->bytes_read, (uint64_t)n, __ATOMIC_RELAXED);
}

void initstats_dlopen_timed(const char *path, uint64_t ns);

#endif
