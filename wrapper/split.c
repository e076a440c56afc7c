/* The splitter runs twice over the text: once to measure (bytes and words) and
 * once to fill buffers allocated at exactly that size. A config file's value goes
 * through the same rules in place (its words joined by one space: never longer). */
#include "split.h"

#include "diag.h"
#include "env.h"
#include "names.h"

#include <string.h>

struct sink {
    char *out; /* NULL while measuring */
    size_t len;
    int value;  /* a config file value: no ${NAME}, words joined by a space, in place */
};

static void emit(struct sink *k, const char *s, size_t n)
{
    if (k->out)
        memmove(k->out + k->len, s, n); /* in place, out never passes what is read */
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
    if (p[0] == '$' && p[1] == '{' && !k->value)
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
        /* '#' starting a word starts a comment, as in sh; a value's first byte is not a
         * word start (LWRAP_SET_COLOR=#fff is "#fff", as X=#fff in sh). */
        if (*p == '#' && !(k->value && p == s)) {
            p = strchrnul(p, '\n');
            continue;
        }
        if (!*p)
            break;
        size_t start = k->len;
        if (k->value && n)
            emit(k, " ", 1);
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
        if (k->len == start + (k->value && n) && !quoted) {
            k->len = start;
            continue;
        }
        if (v)
            v[n] = k->out + start;
        if (!k->value)
            emit(k, "", 1);
        n++;
    }
    *nwords = n;
    return NULL;
}

const char *split_words(const char *s, struct words *w)
{
    struct sink k = {NULL, 0, 0};
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

const char *split_value(char *s, int fill)
{
    struct sink k = {fill ? s : NULL, 0, 1};
    size_t n;
    const char *err = split_pass(s, &k, &n, NULL);
    if (!err && fill)
        s[k.len] = '\0';
    return err;
}
