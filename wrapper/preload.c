/* Preload injection, after coreutils' stdbuf: the library is found next to the
 * launcher (never in the current directory), appended to an existing LD_PRELOAD,
 * and configured through the environment. */
#include "preload.h"

#include "conf.h"
#include "diag.h"
#include "env.h"
#include "exe.h"
#include "known.h"
#include "out.h"
#include "trust.h"
#include "values.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LIBNAME "liblwrap.so"

/* A preload setting with a bad value (reported by known_check) never reaches the
 * preload: it would ignore the value all the same, and say so a second time. From the
 * file it is not exported; from the environment it is taken out of the runtime's. */
static void export_one(const struct setting *s, void *arg)
{
    (void)arg;
    if (!(known_setting(s->name, s->name_len) & KNOWN_PRELOAD) || s->line == 0)
        return;
    if (known_value_ok(s))
        env_set(s->name, s->name_len, s->value, conf_path, NULL);
}

static void drop_bad(const struct setting *s, void *arg)
{
    (void)arg;
    if (s->line == 0 && (known_setting(s->name, s->name_len) & KNOWN_PRELOAD) && !known_value_ok(s))
        env_unset(s->name, s->name_len, "bad value", NULL);
}

void preload_export_settings(void)
{
    conf_each_file(export_one, NULL);
    conf_each("LWRAP_", drop_bad, NULL);
}

/* Set to a good value other than off (a bad one is ignored: no preload for it). */
static int on(const char *name)
{
    struct setting s;
    return conf_get(name, &s) && *s.value && strcmp(s.value, "off") != 0 && known_value_ok(&s);
}

static int flag_on(const char *name)
{
    const char *v = conf_value(name);
    return v && value_flag_on(v); /* as the preload reads it: 1, on or true */
}

const char *preload_wanted(void)
{
    static const char *const features[] = {"LWRAP_TRACE", "LWRAP_TRACE_FILE", "LWRAP_TRACE_OTLP",
                                           "LWRAP_LOGS", "LWRAP_LOG_LEVEL", "LWRAP_REDACT"};
    for (size_t i = 0; i < sizeof features / sizeof *features; i++)
        if (on(features[i]))
            return features[i];
    if (flag_on("LWRAP_EXTENSION"))
        return "LWRAP_EXTENSION";
    if (flag_on("LWRAP_CRASH"))
        return "LWRAP_CRASH";
    return NULL;
}

int preload_loads(const char *runtime, const char *why)
{
    static struct exe e, in; /* PATH_MAX buffers: off the stack */
    exe_inspect(runtime, env_vector(), &e);
    const struct exe *x = &e;
    if (e.kind == EXE_SCRIPT) { /* #!/path/to/interpreter: the interpreter is the process */
        exe_inspect(e.interp, env_vector(), &in);
        x = &in;
    }
    if (x->kind != EXE_ELF_STATIC)
        return 1;
    report_item(why, x->path, " is statically linked: liblwrap.so cannot load into it, so the "
                "preload's features do not apply", NULL);
    if (diag_explain) /* and among the changes --explain lists, where one would have been */
        note_text("no preload: ", x->path, " is statically linked (", why, ")", NULL);
    return 0;
}

/* Canonical absolute path of a readable regular file, or 0. */
static int usable(const char *path, char out[PATH_MAX])
{
    struct stat st;
    return realpath(path, out) && stat(out, &st) == 0 && S_ISREG(st.st_mode) &&
           access(out, R_OK) == 0;
}

/* dir + "/" + rel into buf (PATH_MAX). */
static const char *join(char *buf, const char *dir, size_t dlen, const char *rel)
{
    size_t rlen = strlen(rel);
    if (dlen + 1 + rlen + 1 > PATH_MAX)
        return "";
    memcpy(buf, dir, dlen);
    buf[dlen] = '/';
    memcpy(buf + dlen + 1, rel, rlen + 1);
    return buf;
}

/* LWRAP_PRELOAD_PATH (a file, or a directory holding liblwrap.so), else next to the
 * lwrap binary: lib/, ../lib/, then the same directory (the build tree). */
static int locate(char out[PATH_MAX])
{
    char buf[PATH_MAX];
    struct setting s;
    if (conf_get("LWRAP_PRELOAD_PATH", &s) && *s.value && !trust_absolute(s.value)) {
        /* A library from the current directory would run inside the runtime. */
        report_setting(&s, s.value, ": not an absolute path; looking next to lwrap", NULL);
    } else if (conf_get("LWRAP_PRELOAD_PATH", &s) && *s.value) {
        struct stat st;
        const char *p = s.value;
        if (stat(p, &st) == 0 && S_ISDIR(st.st_mode))
            p = join(buf, p, strlen(p), LIBNAME);
        if (usable(p, out))
            return 1;
        report_setting(&s, p, ": no readable library there; looking next to lwrap", NULL);
    }
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) {
        report_item(LIBNAME, "cannot find lwrap's own directory (/proc/self/exe); starting "
                    "without it (set LWRAP_PRELOAD_PATH)", NULL);
        return 0;
    }
    exe[n] = '\0';
    size_t dlen = (size_t)(strrchr(exe, '/') - exe);
    static const char *const rel[] = {"lib/" LIBNAME, "../lib/" LIBNAME, LIBNAME};
    for (size_t i = 0; i < sizeof rel / sizeof *rel; i++)
        if (usable(join(buf, exe, dlen, rel[i]), out))
            return 1;
    exe[dlen] = '\0';
    report_item(LIBNAME, "not found in ", exe, "/lib, ", exe, "/../lib or ", exe,
                "; starting without it (set LWRAP_PRELOAD_PATH)", NULL);
    return 0;
}

/* Whether an LD_PRELOAD entry (split on ':' and ' ', as ld.so does) is liblwrap.so. */
static int preloaded(const char *list)
{
    for (const char *p = list; *p;) {
        size_t n = strcspn(p, ": ");
        const char *slash = p + n;
        while (slash > p && slash[-1] != '/')
            slash--;
        if ((size_t)(p + n - slash) == sizeof LIBNAME - 1 &&
            memcmp(slash, LIBNAME, sizeof LIBNAME - 1) == 0)
            return 1;
        p += n;
        if (*p)
            p++;
    }
    return 0;
}

void preload_inject(const char *why, const char *why2, unsigned long long start_ns)
{
    const char *cur = env_get("LD_PRELOAD", 10);
    if (!cur || !preloaded(cur)) {
        char lib[PATH_MAX];
        if (!locate(lib))
            return;
        if (strpbrk(lib, ": ")) {
            report_item(LIBNAME, lib, ": LD_PRELOAD cannot hold a path with ':' or ' '; "
                        "starting without it", NULL);
            return;
        }
        /* ld.so splits LD_PRELOAD on spaces and colons alike. */
        env_add("LD_PRELOAD", 10, lib, 0, why, why2);
    }
    char ns[24];
    env_set("_LWRAP_START_NS", 15, decimal(ns, start_ns), why, why2);
}
