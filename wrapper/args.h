/* The final argv: chained wrappers, then the runtime command with lwrap's
 * arguments inserted. */
#ifndef LWRAP_ARGS_H
#define LWRAP_ARGS_H
#include "family.h"
#include <stddef.h>

enum args_at { AT_INTERPRETER, AT_SCRIPT, AT_END };

struct argv_parts {
    char **next;             /* LWRAP_NEXT wrappers, in order */
    size_t nnext;
    char **inner;            /* an inner lwrap in `lwrap lwrap CMD`: kept, but edits apply to CMD */
    size_t ninner;
    char **rt;               /* the runtime command */
    size_t nrt;
    enum family fam;
    const char *const *pre;  /* preset arguments: always right after the interpreter */
    size_t npre;
    char **user;             /* LWRAP_ARGS */
    size_t nuser;
    enum args_at at;
};

/* Reads LWRAP_ARGS_AT (default interpreter). */
enum args_at args_position(void);
/* One exactly sized, NULL-terminated array. */
char **args_build(const struct argv_parts *p);

#endif
