/* The user's environment edits. Names come from variable names (LWRAP_SET_FOO sets
 * FOO), so a bad name is reported and that one edit skipped. */
#include "edits.h"

#include "conf.h"
#include "diag.h"
#include "env.h"
#include "names.h"

#include <string.h>

enum op { OP_SET, OP_DEFAULT, OP_PREPEND, OP_APPEND };

/* Setting names are not NUL-terminated inside the environment; notes need them so. */
struct label {
    char s[256];
};

static const char *label(struct label *l, const char *p, size_t n)
{
    if (n >= sizeof l->s)
        n = sizeof l->s - 1;
    memcpy(l->s, p, n);
    l->s[n] = '\0';
    return l->s;
}

static void one_edit(const struct setting *s, void *arg)
{
    enum op op = *(const enum op *)arg;
    static const size_t plen[] = {10, 14, 14, 13}; /* LWRAP_SET_, ..._DEFAULT_, ... */
    const char *name = s->name + plen[op];
    size_t n = s->name_len - plen[op];
    struct label src, nm;
    if (n == 0) {
        report_setting(s, "empty variable name", NULL);
        return;
    }
    if (!name_valid(name, n)) {
        report_setting(s, "\"", label(&nm, name, n),
                       "\" is not a valid variable name (letters, digits, _; no leading digit)",
                       NULL);
        return;
    }
    label(&src, s->name, s->name_len);
    switch (op) {
    case OP_SET:
        env_set(name, n, s->value, src.s, NULL);
        break;
    case OP_DEFAULT: {
        const char *cur = env_get(name, n);
        if (!cur || !*cur)
            env_set(name, n, s->value, src.s, NULL);
        break;
    }
    case OP_PREPEND:
    case OP_APPEND:
        env_add(name, n, s->value, op == OP_PREPEND, src.s, NULL);
        break;
    }
}

static void unset_one(const char *p, size_t n, void *arg)
{
    struct label nm;
    if (!name_valid(p, n))
        report_setting(arg, "\"", label(&nm, p, n), "\" is not a valid variable name",
                       memchr(p, '=', n) ? " (a name cannot contain \"=\")" : "", NULL);
    else
        env_unset(p, n, "LWRAP_UNSET", NULL);
}

/* LWRAP_UNSET=A,B,C: each name separately, so one bad name does not cost the rest. */
static void unset_list(void)
{
    struct setting s;
    if (conf_get("LWRAP_UNSET", &s))
        conf_items(s.value, unset_one, &s);
}

void edits_apply(void)
{
    static const char *const prefixes[] = {"LWRAP_SET_", "LWRAP_DEFAULT_", "LWRAP_PREPEND_",
                                           "LWRAP_APPEND_"};
    unset_list();
    for (enum op op = OP_SET; op <= OP_APPEND; op++)
        conf_each(prefixes[op], one_edit, &op);
}
