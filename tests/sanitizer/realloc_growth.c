/* The ASan runtime's realloc never grows a block in place: each call maps a new one and
 * copies everything. Programs that grow a buffer a few hundred bytes at a time (bash
 * reading a command's output) then take quadratic time: a 6 MiB $(...) takes minutes.
 * In the uninstrumented programs of a sanitizer test run (the shells, jq, the
 * interpreters; liblwrap.so itself never allocates) a large block grows by half again
 * instead; the programs this build made keep the runtime's exact realloc. */
#include <dlfcn.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include "env.h"

#define LARGE (64 * 1024)

void *realloc(void *p, size_t n)
{
    static void *(*next)(void *, size_t);
    if (!next)
        next = (void *(*)(void *, size_t))dlsym(RTLD_NEXT, "realloc");
    if (!p || n < LARGE || san_built_here())
        return next(p, n);
    size_t have = malloc_usable_size(p);
    if (n <= have)
        return p;
    void *q = malloc(n + n / 2);
    if (!q)
        return NULL;
    memcpy(q, p, have);
    free(p);
    return q;
}
