/* Children of the runtime (subprocess.check_output, child_process.execSync, a shell)
 * must run exactly as they would without lwrap, so our entry leaves LD_PRELOAD as soon
 * as we are loaded; the loader has already read it, so this process keeps us. An entry
 * is ours when it names this very object (its path as the loader recorded it) or a file
 * with our file name. */

#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

#include "child_env.h"
#include "config.h"

static bool is_self(const char *tok, size_t n, const char *self)
{
    const char *base = strrchr(self, '/');
    base = base ? base + 1 : self;
    size_t blen = strlen(base);
    if (n == strlen(self) && memcmp(tok, self, n) == 0)
        return true;
    return n >= blen && memcmp(tok + n - blen, base, blen) == 0 &&
           (n == blen || tok[n - blen - 1] == '/');
}

void child_env_scrub(void)
{
    if (config.keep_preload)
        return;
    const char *lp = getenv("LD_PRELOAD");
    Dl_info self;
    if (!lp || !dladdr((void *)child_env_scrub, &self) || !self.dli_fname)
        return;
    size_t len = strlen(lp);
    char *out = malloc(len + 1);
    if (!out)
        return;
    size_t o = 0;
    bool removed = false;
    /* The loader splits LD_PRELOAD on spaces and colons. */
    for (const char *p = lp; *p;) {
        size_t n = strcspn(p, ": ");
        if (n > 0 && is_self(p, n, self.dli_fname)) {
            removed = true;
        } else if (n > 0) {
            if (o > 0)
                out[o++] = ':';
            memcpy(out + o, p, n);
            o += n;
        }
        p += n;
        if (*p)
            p++;
    }
    out[o] = 0;
    if (removed) {
        if (o == 0)
            unsetenv("LD_PRELOAD");
        else
            setenv("LD_PRELOAD", out, 1);
    }
    free(out);
}
