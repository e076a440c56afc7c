/* The splitter runs twice over the text: once to measure (bytes and words) and
 * once to fill buffers allocated at exactly that size. */
#include "split.h"

#include "diag.h"
#include "env.h"
#include "names.h"

#include <string.h>

struct sink {
    char *out; /* NULL while measuring */
    size_t len;
};

static void emit(struct sink *k, const char *s, size_t n)
{
    if (k->out)
        memcpy(k->out + k->len, s, n);
    k->len += n;
}

static int blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n';
}

/* *pp points at "${". Emits the value and moves past '}'. */
static const char *expand(const char **pp, struct sink *k)
{
    const char *name = *pp + 2, *end = strchr(name, '}');
    if (!end)
        return "unterminated ${";
    if (!name_valid(name, (size_t)(end - name)))
        return "bad substitution: ${...} takes a variable name";
    const char *v = env_get(name, (size_t)(end - name));
    if (v)
        emit(k, v, strlen(v));
    *pp = end + 1;
    return NULL;
}

/* One unit at *pp outside single quotes: a backslash escape, ${NAME} or a plain byte.
 * Inside double quotes a backslash escapes only \ " $ ` and newline, as in sh. */
static const char *unit(const char **pp, struct sink *k, int dquoted)
{
    const char *p = *pp;
    if (p[0] == '\\' && (!dquoted || (p[1] && strchr("\\\"$`\n", p[1])))) {
        if (!p[1])
            return "trailing backslash";
        if (p[1] != '\n') /* backslash-newline continues the line, as in sh */
            emit(k, p + 1, 1);
        *pp = p + 2;
        return NULL;
    }
    if (p[0] == '$' && p[1] == '{')
        return expand(pp, k);
    emit(k, p, 1);
    *pp = p + 1;
    return NULL;
}

static const char *split_pass(const char *s, struct sink *k, size_t *nwords, char **v)
{
    const char *p = s, *err;
    size_t n = 0;
    for (;;) {
        while (blank(*p))
            p++;
        if (!*p)
            break;
        size_t start = k->len;
        int quoted = 0;
        while (*p && !blank(*p)) {
            if (*p == '\'') {
                const char *q = strchr(p + 1, '\'');
                if (!q)
                    return "unterminated single quote";
                emit(k, p + 1, (size_t)(q - p - 1));
                p = q + 1;
                quoted = 1;
            } else if (*p == '"') {
                quoted = 1;
                for (p++; *p != '"';) {
                    if (!*p)
                        return "unterminated double quote";
                    if ((err = unit(&p, k, 1)))
                        return err;
                }
                p++;
            } else if ((err = unit(&p, k, 0))) {
                return err;
            }
        }
        /* An unquoted word that expanded to nothing is dropped, as in sh; "" is kept. */
        if (k->len == start && !quoted)
            continue;
        if (v)
            v[n] = k->out + start;
        emit(k, "", 1);
        n++;
    }
    *nwords = n;
    return NULL;
}

const char *split_words(const char *s, struct words *w)
{
    struct sink k = {NULL, 0};
    size_t n;
    const char *err = split_pass(s, &k, &n, NULL);
    if (err)
        return err;
    w->n = n;
    w->v = xmalloc((n + 1) * sizeof *w->v);
    w->v[n] = NULL;
    if (n == 0)
        return NULL;
    k.out = xmalloc(k.len);
    k.len = 0;
    split_pass(s, &k, &n, w->v);
    return NULL;
}
