/* Environment edits built in exactly sized strings (like execline's tools): a new
 * "NAME=value" is allocated once at its final size; nothing else is copied. Names are
 * found through a hash index, so thousands of edits cost linear time. */
#include "env.h"

#include "diag.h"
#include "lists.h"
#include "mask.h"
#include "nameidx.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static char **vec;  /* removed entries are NULL until env_vector() closes the gaps */
static bool *ours;  /* vec[i] was allocated here: freed when an edit replaces or drops it */
static size_t count, cap, holes;
static struct nameidx idx; /* name -> index of its first entry in vec; made at the first
                            * lookup (a start without edits never needs it) */
static bool indexed;

static size_t name_len(const char *e)
{
    const char *eq = strchr(e, '=');
    return eq ? (size_t)(eq - e) : strlen(e);
}

static void reindex(void)
{
    indexed = true;
    free(idx.slot);
    nameidx_init(&idx, cap);
    for (size_t i = 0; i < count; i++) {
        if (!vec[i])
            continue; /* removed: env_vector closes the gap */
        struct nameidx_slot *s = nameidx_put(&idx, vec[i], name_len(vec[i]));
        if (s->at == NAMEIDX_NONE)
            s->at = i;
        else
            s->dup = 1; /* execve allows FOO=a and FOO=b */
    }
}

void env_init(char **envp, size_t extra)
{
    size_t n = 0;
    while (envp && envp[n])
        n++;
    cap = n + extra;
    vec = xmalloc((cap + 1) * sizeof *vec);
    ours = xmalloc((cap + 1) * sizeof *ours);
    memset(ours, 0, (cap + 1) * sizeof *ours);
    if (n)
        memcpy(vec, envp, n * sizeof *vec);
    count = n;
    vec[count] = NULL;
    holes = 0;
    indexed = false;
}

/* The slot of name, the index made first if need be. */
static struct nameidx_slot *lookup(const char *name, size_t n)
{
    if (!indexed)
        reindex();
    return nameidx_find(&idx, name, n);
}

static void drop(size_t i)
{
    if (ours[i])
        free(vec[i]);
    vec[i] = NULL;
    ours[i] = false;
    holes++;
}

/* Removes the other copies of a duplicated name (rare: only a hand-made environment). */
static void drop_copies(struct nameidx_slot *s, size_t keep)
{
    if (!s->dup)
        return;
    for (size_t k = 0; k < count; k++)
        if (k != keep && vec[k] && strncmp(vec[k], s->name, s->len) == 0 && vec[k][s->len] == '=')
            drop(k);
    s->dup = 0;
}

const char *env_get(const char *name, size_t n)
{
    struct nameidx_slot *s = lookup(name, n);
    return s && s->at != NAMEIDX_NONE ? vec[s->at] + n + 1 : NULL;
}

/* An edited name is left in the environment once: with a duplicate (execve allows
 * FOO=a and FOO=b) getenv, Python and Node read the first, Java's System.getenv the
 * last, so the edit would reach only some readers. */
static void put(const char *name, size_t n, char *e)
{
    struct nameidx_slot *s = lookup(name, n);
    if (!s || s->at == NAMEIDX_NONE) {
        if (count == cap) { /* only an AppConfig configuration adds names not counted */
            size_t ncap = cap * 2 + 16;
            vec = xgrow(vec, (count + 1) * sizeof *vec, (ncap + 1) * sizeof *vec);
            ours = xgrow(ours, (count + 1) * sizeof *ours, (ncap + 1) * sizeof *ours);
            cap = ncap;
            reindex(); /* the index is sized for cap */
        }
        ours[count] = true;
        vec[count] = e;
        s = nameidx_put(&idx, e, n);
        s->at = count++;
        vec[count] = NULL;
    } else {
        if (ours[s->at])
            free(vec[s->at]);
        ours[s->at] = true;
        vec[s->at] = e;
        s->name = e; /* the old string may be freed */
        drop_copies(s, s->at);
    }
}

/* "NAME=value" in one exactly sized string. */
static char *entry(const char *name, size_t n, const char *value)
{
    size_t vlen = strlen(value);
    char *e = xmalloc(n + 1 + vlen + 1);
    memcpy(e, name, n);
    e[n] = '=';
    memcpy(e + n + 1, value, vlen + 1);
    return e;
}

void env_set_quiet(const char *name, size_t n, const char *value)
{
    put(name, n, entry(name, n, value));
}

void env_set(const char *name, size_t n, const char *value, const char *src, const char *src2)
{
    const char *old = env_get(name, n);
    if (old && strcmp(old, value) == 0) {
        struct nameidx_slot *s = lookup(name, n);
        drop_copies(s, s->at); /* the value is set: one copy (see put) */
        return; /* not a change: nothing to announce */
    }
    char *e = entry(name, n, value);
    put(name, n, e);
    /* A value set under a secret name (fetched from SSM, DB_PASSWORD=...) stays masked
     * wherever it turns up in a later line: a copy, as the entry may be replaced. */
    if (mask_secret_name(name, n))
        mask_add(entry("", 0, value) + 1);
    note_set(name, n, value, src, src2);
}

void env_unset(const char *name, size_t n, const char *src, const char *src2)
{
    struct nameidx_slot *s = lookup(name, n);
    if (!s || s->at == NAMEIDX_NONE)
        return;
    drop_copies(s, s->at); /* every copy: a duplicated name would otherwise resurface */
    ours[s->at] = false;   /* kept: the index still holds its name */
    drop(s->at);
    s->at = NAMEIDX_NONE;
    note_unset(name, n, src, src2);
}

void env_add(const char *name, size_t n, const char *value, int prepend, const char *src,
             const char *src2)
{
    char *merged = list_merge(name, n, env_get(name, n), value, prepend);
    if (!merged)
        return; /* already there, where it would go: idempotent */
    env_set(name, n, merged, src, src2);
    free(merged);
}

char **env_vector(void)
{
    if (holes) {
        size_t o = 0, *moved = indexed ? xmalloc(count * sizeof *moved) : NULL;
        for (size_t i = 0; i < count; i++)
            if (vec[i]) {
                if (moved)
                    moved[i] = o;
                ours[o] = ours[i];
                vec[o++] = vec[i];
            }
        for (size_t k = 0; moved && k <= idx.mask; k++) /* the index follows, no rehash */
            if (idx.slot[k].name && idx.slot[k].at != NAMEIDX_NONE)
                idx.slot[k].at = moved[idx.slot[k].at];
        free(moved);
        count = o;
        vec[count] = NULL;
        holes = 0;
    }
    return vec;
}
