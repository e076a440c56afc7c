/* Argument placement. "interpreter" is right after argv[0] (after `dotnet exec`,
 * whose runtime options follow `exec`); "script" is before the program the
 * interpreter runs (family_program: the last argument, java's main class, the .dll
 * of `dotnet exec`). */
#include "args.h"

#include "conf.h"
#include "diag.h"

#include <string.h>

enum args_at args_position(void)
{
    struct setting s;
    if (!conf_get("LWRAP_ARGS_AT", &s) || !*s.value || strcmp(s.value, "interpreter") == 0)
        return AT_INTERPRETER;
    if (strcmp(s.value, "script") == 0)
        return AT_SCRIPT;
    if (strcmp(s.value, "end") == 0)
        return AT_END;
    report_setting(&s, "unknown position \"", s.value,
                   "\" (want interpreter, script or end)", NULL);
    return AT_INTERPRETER;
}

static int dotnet_exec(const struct argv_parts *p)
{
    return p->fam == FAM_DOTNET && p->nrt > 1 && strcmp(p->rt[1], "exec") == 0;
}

static size_t position(const struct argv_parts *p, size_t interp)
{
    switch (p->at) {
    case AT_SCRIPT: {
        size_t prog = family_program(p->fam, p->rt, p->nrt);
        return prog > interp ? prog : interp;
    }
    case AT_END:
        return p->nrt;
    default:
        return interp;
    }
}

static char **copy(char **dst, const char *const *src, size_t n)
{
    for (size_t i = 0; i < n; i++)
        *dst++ = (char *)src[i];
    return dst;
}

char **args_build(const struct argv_parts *p)
{
    size_t interp = dotnet_exec(p) ? 2 : 1;
    if (interp > p->nrt)
        interp = p->nrt;
    size_t pos = position(p, interp);
    char **v = xmalloc((p->nnext + p->ninner + p->nrt + p->npre + p->nuser + 1) * sizeof *v);
    char **d = v;
    d = copy(d, (const char *const *)p->next, p->nnext);
    d = copy(d, (const char *const *)p->inner, p->ninner);
    d = copy(d, (const char *const *)p->rt, interp);
    d = copy(d, p->pre, p->npre);
    d = copy(d, (const char *const *)p->rt + interp, pos - interp);
    d = copy(d, (const char *const *)p->user, p->nuser);
    d = copy(d, (const char *const *)p->rt + pos, p->nrt - pos);
    *d = NULL;
    return v;
}
