/* Environment edits built in exactly sized strings (like execline's tools): a new
 * "NAME=value" is allocated once at its final size; nothing else is copied. */
#include "env.h"

#include "diag.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static char **vec;
static bool *ours; /* vec[i] was allocated here: freed when an edit replaces or drops it */
static size_t count, cap;

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
}

/* The first byte rejects nearly every entry before strncmp is called. */
static int is_entry(const char *e, const char *name, size_t n)
{
    return e[0] == name[0] && strncmp(e, name, n) == 0 && e[n] == '=';
}

static size_t find(const char *name, size_t n)
{
    for (size_t i = 0; i < count; i++)
        if (is_entry(vec[i], name, n))
            return i;
    return count;
}

const char *env_get(const char *name, size_t n)
{
    size_t i = find(name, n);
    return i < count ? vec[i] + n + 1 : NULL;
}

/* Removes every entry for name from index i on, keeping the others' order. */
static void drop_from(size_t i, const char *name, size_t n)
{
    size_t o = i;
    for (size_t k = i; k < count; k++) {
        if (!is_entry(vec[k], name, n)) {
            ours[o] = ours[k];
            vec[o++] = vec[k];
        } else if (ours[k]) {
            free(vec[k]);
        }
    }
    count = o;
    vec[count] = NULL;
}

/* An edited name is left in the environment once: with a duplicate (execve allows
 * FOO=a and FOO=b) getenv, Python and Node read the first, Java's System.getenv the
 * last, so the edit would reach only some readers. */
static void put(const char *name, size_t n, char *e)
{
    size_t i = find(name, n);
    if (i == count) {
        if (count == cap) { /* only an AppConfig configuration adds names not counted */
            size_t ncap = cap * 2 + 16;
            vec = xgrow(vec, (count + 1) * sizeof *vec, (ncap + 1) * sizeof *vec);
            ours = xgrow(ours, (count + 1) * sizeof *ours, (ncap + 1) * sizeof *ours);
            cap = ncap;
        }
        ours[count] = true;
        vec[count++] = e;
        vec[count] = NULL;
    } else {
        if (ours[i])
            free(vec[i]);
        ours[i] = true;
        vec[i] = e;
        drop_from(i + 1, name, n);
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
        drop_from(find(name, n) + 1, name, n); /* the value is set: one copy (see put) */
        return; /* not a change: nothing to announce */
    }
    put(name, n, entry(name, n, value));
    note_set(name, n, value, src, src2);
}

void env_unset(const char *name, size_t n, const char *src, const char *src2)
{
    size_t i = find(name, n);
    if (i == count)
        return;
    drop_from(i, name, n); /* every copy: a duplicated name would otherwise resurface */
    note_unset(name, n, src, src2);
}

static int is_sep(char c, char sep)
{
    return sep == ' ' ? (c == ' ' || c == '\t' || c == '\n') : c == sep;
}

/* The next sep-separated token of s[0..slen) from *pos: [*at, *at + *len). Returns 0
 * at the end. */
static int next_token(const char *s, size_t slen, size_t *pos, char sep, size_t *at, size_t *len)
{
    size_t i = *pos, j;
    while (i < slen && is_sep(s[i], sep))
        i++;
    for (j = i; j < slen && !is_sep(s[j], sep); j++)
        ;
    *at = i;
    *len = j - i;
    *pos = j;
    return j > i;
}

/* Whether token [t, t+tl) is one of the sep-separated tokens of s. */
static int has_token(const char *s, size_t slen, const char *t, size_t tl, char sep)
{
    for (size_t pos = 0, at, n; next_token(s, slen, &pos, sep, &at, &n);)
        if (n == tl && memcmp(s + at, t, tl) == 0)
            return 1;
    return 0;
}

/* The tokens of add that are in neither old nor earlier in add, joined by sep,
 * written to out (NULL: only measured). Returns their length. */
static size_t new_tokens(const char *old, size_t oldlen, const char *add, char sep, char *out)
{
    size_t len = 0, alen = strlen(add);
    for (size_t pos = 0, at, n; next_token(add, alen, &pos, sep, &at, &n);) {
        if (has_token(old, oldlen, add + at, n, sep) || has_token(add, at, add + at, n, sep))
            continue;
        if (len) {
            if (out)
                out[len] = sep;
            len++;
        }
        if (out)
            memcpy(out + len, add + at, n);
        len += n;
    }
    return len;
}

void env_add(const char *name, size_t n, const char *value, int prepend, const char *src,
             const char *src2)
{
    char sep = n >= 4 && memcmp(name + n - 4, "PATH", 4) == 0 ? ':' : ' ';
    const char *old = env_get(name, n);
    size_t oldlen = old ? strlen(old) : 0;
    size_t addlen = new_tokens(old ? old : "", oldlen, value, sep, NULL);
    if (addlen == 0)
        return; /* every token is already there: idempotent */
    char *e = xmalloc(n + 1 + oldlen + 1 + addlen + 1);
    char *p = e;
    memcpy(p, name, n), p += n;
    *p++ = '=';
    if (!prepend && oldlen) {
        memcpy(p, old, oldlen), p += oldlen;
        *p++ = sep;
    }
    p += new_tokens(old ? old : "", oldlen, value, sep, p);
    if (prepend && oldlen) {
        *p++ = sep;
        memcpy(p, old, oldlen), p += oldlen;
    }
    *p = '\0';
    put(name, n, e);
    note_set(name, n, e + n + 1, src, src2);
}

char **env_vector(void)
{
    return vec;
}
