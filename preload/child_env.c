/* Children of the runtime (subprocess.check_output, child_process.execSync, a shell)
 * must run exactly as they would without lwrap, so our entry leaves LD_PRELOAD as soon
 * as we are loaded; the loader has already read it, so this process keeps us. An entry
 * is ours when it names this very object (its path as the loader recorded it) or a file
 * with our file name.
 *
 * A process that execs *itself* into the next program (no fork: same pid) is not making
 * a child but handing over: a vendor's wrapper script chained after lwrap, a version
 * manager's shim. The exec hooks (hooks_exec.c) put our entry back for those, so the
 * runtime at the end of the chain still gets the preload. */

#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "child_env.h"
#include "config.h"

static char self_path[512]; /* our own path as the loader recorded it; "" = nothing removed */
static pid_t self_pid;      /* the process the constructor ran in */

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

/* Whether an LD_PRELOAD value holds an entry that is us. */
static bool holds_self(const char *lp)
{
    for (const char *p = lp; *p;) {
        size_t n = strcspn(p, ": ");
        if (n > 0 && is_self(p, n, self_path))
            return true;
        p += n;
        if (*p)
            p++;
    }
    return false;
}

void child_env_scrub(void)
{
    if (config.keep_preload)
        return;
    const char *lp = getenv("LD_PRELOAD");
    Dl_info self;
    if (!lp || !dladdr((void *)child_env_scrub, &self) || !self.dli_fname ||
        strlen(self.dli_fname) >= sizeof self_path)
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
        strcpy(self_path, self.dli_fname);
        self_pid = getpid();
        if (o == 0)
            unsetenv("LD_PRELOAD");
        else
            setenv("LD_PRELOAD", out, 1);
    }
    free(out);
}

char **child_env_for_exec(char *const envp[])
{
    /* A forked child (maybe a vfork child sharing our memory: nothing may be allocated)
     * keeps the scrubbed environment it was given. */
    if (!self_path[0] || !envp || getpid() != self_pid)
        return NULL;
    size_t n = 0, at = (size_t)-1;
    for (; envp[n]; n++)
        if (strncmp(envp[n], "LD_PRELOAD=", 11) == 0)
            at = n;
    if (at != (size_t)-1 && holds_self(envp[at] + 11))
        return NULL;
    char **out = malloc((n + 2) * sizeof *out);
    if (!out)
        return NULL;
    memcpy(out, envp, n * sizeof *out);
    const char *cur = at != (size_t)-1 ? envp[at] + 11 : "";
    size_t len = 11 + strlen(cur) + 1 + strlen(self_path) + 1;
    char *entry = malloc(len);
    if (!entry) {
        free(out);
        return NULL;
    }
    strcpy(entry, "LD_PRELOAD=");
    strcat(entry, cur);
    if (*cur)
        strcat(entry, ":");
    strcat(entry, self_path);
    if (at != (size_t)-1) {
        out[at] = entry;
        out[n] = NULL;
    } else {
        out[n] = entry;
        out[n + 1] = NULL;
    }
    return out; /* leaked on purpose: exec either replaces the image or failed rarely */
}
