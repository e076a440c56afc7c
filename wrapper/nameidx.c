#include "nameidx.h"

#include "diag.h"

#include <string.h>

void nameidx_init(struct nameidx *x, size_t max)
{
    size_t cap = 16;
    while (cap < 2 * max) /* at most half full: probes stay short */
        cap *= 2;
    x->slot = xmalloc(cap * sizeof *x->slot);
    memset(x->slot, 0, cap * sizeof *x->slot);
    x->mask = cap - 1;
}

/* FNV-1a */
static size_t hash(const char *s, size_t n)
{
    unsigned long long h = 14695981039346656037ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return (size_t)h;
}

static struct nameidx_slot *probe(const struct nameidx *x, const char *name, size_t len)
{
    for (size_t i = hash(name, len) & x->mask;; i = (i + 1) & x->mask) {
        struct nameidx_slot *s = &x->slot[i];
        if (!s->name || (s->len == len && memcmp(s->name, name, len) == 0))
            return s;
    }
}

struct nameidx_slot *nameidx_find(const struct nameidx *x, const char *name, size_t len)
{
    if (!x->slot)
        return NULL;
    struct nameidx_slot *s = probe(x, name, len);
    return s->name ? s : NULL;
}

struct nameidx_slot *nameidx_put(struct nameidx *x, const char *name, size_t len)
{
    struct nameidx_slot *s = probe(x, name, len);
    if (!s->name)
        *s = (struct nameidx_slot){name, len, NAMEIDX_NONE, 0};
    return s;
}
