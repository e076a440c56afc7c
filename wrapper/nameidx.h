/* A hash index of variable names (open addressing, sized once): lookups by name in
 * O(1), so a 1 MiB config file of settings is processed in linear time. */
#ifndef LWRAP_NAMEIDX_H
#define LWRAP_NAMEIDX_H
#include <stddef.h>

#define NAMEIDX_NONE ((size_t)-1)

struct nameidx_slot {
    const char *name; /* NULL: free slot; not NUL-terminated */
    size_t len;
    size_t at;        /* what the name maps to, or NAMEIDX_NONE */
    int dup;          /* the caller's mark: the name occurs more than once */
};

struct nameidx {
    struct nameidx_slot *slot;
    size_t mask;
};

/* Room for at most max names. */
void nameidx_init(struct nameidx *x, size_t max);
/* The slot for name, or NULL when it was never put. */
struct nameidx_slot *nameidx_find(const struct nameidx *x, const char *name, size_t len);
/* The slot for name, made (at = NAMEIDX_NONE) when new. */
struct nameidx_slot *nameidx_put(struct nameidx *x, const char *name, size_t len);

#endif
