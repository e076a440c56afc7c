/* Children of the runtime (subprocess.check_output, child_process.execSync, a shell)
 * must run exactly as they would without lwrap, so our entry leaves LD_PRELOAD as soon
 * as we are loaded; the loader has already read it, so this process keeps us. An entry
 * is ours when it names this very object (its path as the loader recorded it) or a file
 * with our file name.
 *
 * The edit is made in the process's environment array itself (`environ`), not with
 * setenv/unsetenv: a program may define those (and getenv) itself, and the dynamic
 * linker then binds our calls to its versions. bash does: its setenv only touches a
 * shell-variable table that main() later rebuilds from envp, so the scrub used to be
 * lost and every program a bash runtime started got the preload. envp, the array main()
 * receives, is this very array (glibc passes main the `environ` of the moment), and
 * every program builds its own view of the environment (bash's variables, Python's
 * os.environ, Perl's %ENV, Node's process.env) from it in or after main, after our
 * constructor. So: the LD_PRELOAD string is rewritten in place (what is left is never
 * longer), and an entry left empty is taken out by moving the later pointers down, as
 * glibc's unsetenv does: nothing is allocated, nothing outside this process's own
 * environment is called.
 *
 * A process that execs *itself* into the next program (no fork: same pid) is not making
 * a child but handing over: a vendor's wrapper script chained after lwrap, a version
 * manager's shim. The exec hooks (hooks_exec.c) put our entry back for those, so the
 * runtime at the end of the chain still gets the preload; child_env_for_exec says when. */

#include <dlfcn.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "child_env.h"
#include "config.h"

extern char **environ;

static char self_path[512]; /* our own path as the loader recorded it; "" = nothing removed */
static pid_t self_pid;      /* the process the constructor ran in */
static bool left_others;    /* the scrub left LD_PRELOAD set (it held other entries) */

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

static bool is_ld_preload(const char *entry)
{
    return strncmp(entry, "LD_PRELOAD=", 11) == 0;
}

/* Removes our entries from the value v in place (the loader splits LD_PRELOAD on spaces
 * and colons; the others are kept in order, joined with ':'). The result is never longer
 * than the input, and the write position never passes the read position. Returns whether
 * anything was removed. */
static bool scrub_value(char *v, const char *self)
{
    size_t o = 0;
    bool removed = false;
    for (char *p = v; *p;) {
        size_t n = strcspn(p, ": ");
        if (n > 0 && is_self(p, n, self)) {
            removed = true;
        } else if (n > 0) {
            if (o > 0)
                v[o++] = ':';
            memmove(v + o, p, n);
            o += n;
        }
        p += n;
        if (*p)
            p++;
    }
    if (removed)
        v[o] = 0;
    return removed;
}

void child_env_scrub(bool runtime)
{
    if (config.keep_preload)
        return;
    Dl_info self;
    char **env = environ;
    if (!env || !dladdr((void *)child_env_scrub, &self) || !self.dli_fname ||
        strlen(self.dli_fname) >= sizeof self_path)
        return;
    bool removed = false;
    /* Every LD_PRELOAD entry: execve allows a name twice (the loader reads the last,
     * getenv the first). */
    for (size_t i = 0; env[i];) {
        if (!is_ld_preload(env[i])) {
            i++;
            continue;
        }
        char *v = env[i] + 11;
        if (scrub_value(v, self.dli_fname))
            removed = true;
        if (*v) {
            left_others = true;
            i++;
        } else {
            for (size_t j = i; (env[j] = env[j + 1]) != NULL; j++)
                ;
        }
    }
    if (removed && runtime) {
        strcpy(self_path, self.dli_fname);
        self_pid = getpid();
    }
}

/* Whether envp carries lwrap's settings: a variable named LWRAP_... or _LWRAP_... */
static bool has_settings(const char *entry)
{
    if (entry[0] == '_')
        entry++;
    return strncmp(entry, "LWRAP_", 6) == 0;
}

/* The block child_env_for_exec returns, with its size in front for child_env_release.
 * mmap, not malloc: exec is async-signal-safe and may be called from a signal handler,
 * and malloc may be the host program's. */
struct block {
    size_t size;
    char *env[];
};

/* The rule: an exec in the constructor's process gets our entry back when the new
 * environment still carries lwrap's settings (LWRAP_* / _LWRAP_*) and the caller has
 * not cleared LD_PRELOAD (set it empty, or removed it while the scrub had left other
 * entries in it); appended after whatever LD_PRELOAD then holds, as lwrap adds it.
 * Not told apart: `unset LD_PRELOAD` where ours was the only entry (the scrub removed
 * the variable itself, so its absence looks inherited); such a caller keeps lwrap's
 * settings and gets the preload, which an emptied LD_PRELOAD= or dropping the LWRAP_
 * variables avoids. bash -c execs its last simple command in place: that is a handover
 * too. */
char **child_env_for_exec(char *const envp[])
{
    /* A forked child (maybe a vfork child sharing our memory: nothing may be allocated
     * and no state changed) keeps the scrubbed environment it was given. */
    if (!self_path[0] || !envp || getpid() != self_pid)
        return NULL;
    size_t n = 0, at = SIZE_MAX;
    bool settings = false;
    for (; envp[n]; n++) {
        if (is_ld_preload(envp[n]))
            at = n; /* the loader reads the last one */
        else if (!settings && has_settings(envp[n]))
            settings = true;
    }
    /* An environment without lwrap's settings was built without them (env -i,
     * execve(path, argv, {NULL}), a sanitised environment): it stays as given, and the
     * preload would do nothing there anyway. */
    if (!settings)
        return NULL;
    const char *cur = "";
    if (at != SIZE_MAX) {
        cur = envp[at] + 11;
        /* Explicitly empty (LD_PRELOAD= exec ...): the caller wants no preload. */
        if (!*cur || holds_self(cur))
            return NULL;
    } else if (left_others) {
        /* The scrub left other entries in LD_PRELOAD and this environment has none:
         * the caller removed the variable. */
        return NULL;
    }
    size_t clen = strlen(cur), slen = strlen(self_path);
    size_t slots = at != SIZE_MAX ? n + 1 : n + 2;
    size_t size = sizeof(struct block) + slots * sizeof(char *) + 11 + clen + 1 + slen + 1;
    void *mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED)
        return NULL;
    struct block *b = mem;
    b->size = size;
    char **out = b->env;
    char *entry = (char *)(out + slots), *e = entry;
    memcpy(out, envp, n * sizeof *out);
    memcpy(e, "LD_PRELOAD=", 11);
    e += 11;
    memcpy(e, cur, clen);
    e += clen;
    if (clen)
        *e++ = ':';
    memcpy(e, self_path, slen + 1);
    if (at != SIZE_MAX) {
        out[at] = entry;
    } else {
        out[n] = entry;
        n++;
    }
    out[n] = NULL;
    return out; /* exec replaces the image; after a failed exec, child_env_release */
}

void child_env_release(char **env)
{
    if (env) {
        struct block *b = (struct block *)((char *)env - offsetof(struct block, env));
        munmap(b, b->size);
    }
}

/* lwrap's private variables (_LWRAP_START_NS, _LWRAP_PID, _LWRAP_REDACT_VARS): the
 * runtime and a program it hands over to need them; a child of the runtime must not see
 * them. */
static bool is_private(const char *entry)
{
    return strncmp(entry, "_LWRAP_START_NS=", 16) == 0 || strncmp(entry, "_LWRAP_PID=", 11) == 0 ||
           strncmp(entry, "_LWRAP_REDACT_VARS=", 19) == 0;
}

bool child_env_in_runtime(void)
{
    return self_path[0] && getpid() == self_pid;
}

size_t child_env_privates(char *const envp[], size_t *count)
{
    size_t n = 0, p = 0;
    for (; envp && envp[n]; n++)
        p += is_private(envp[n]);
    *count = n;
    return p;
}

void child_env_without_privates(char *const envp[], char **out)
{
    size_t o = 0;
    for (size_t i = 0; envp[i]; i++)
        if (!is_private(envp[i]))
            out[o++] = envp[i];
    out[o] = NULL;
}
