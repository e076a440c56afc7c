/* Presets. Runtime arguments go right after the interpreter; language variables
 * (NODE_OPTIONS, JAVA_TOOL_OPTIONS) are appended to without duplicates, so running a
 * preset twice changes nothing. */
#include "presets.h"

#include "conf.h"
#include "diag.h"
#include "env.h"
#include "out.h"

#include <stdlib.h>
#include <string.h>

enum { P_PRELOAD = 1, P_JAVA_TIERED = 2 };

struct preset {
    const char *name;
    enum family fam;
    const char *args[3];
    const char *var, *tokens;
    unsigned flags;
    const char *help;
};

static const struct preset table[] = {
    {"python-importtime", FAM_PYTHON, {"-X", "importtime"}, NULL, NULL, P_PRELOAD,
     "-X importtime, summarised by liblwrap.so"},
    {"python-faulthandler", FAM_PYTHON, {"-X", "faulthandler"}, NULL, NULL, 0,
     "-X faulthandler: Python tracebacks on fatal signals"},
    {"node-source-maps", FAM_NODE, {NULL}, "NODE_OPTIONS", "--enable-source-maps", 0,
     "NODE_OPTIONS += --enable-source-maps"},
    /* --cpu-prof is refused inside NODE_OPTIONS; /var/task is read-only in Lambda. Node
     * writes the profile only when it exits, and a Lambda runtime never exits by itself:
     * at shutdown it gets SIGTERM (when an extension is registered), which Node's default
     * action turns into a death without the profile. The module in the data: URL makes
     * SIGTERM an exit (unless the function handles SIGTERM itself). */
    {"node-cpu-prof", FAM_NODE,
     {"--cpu-prof", "--cpu-prof-dir=/tmp", "--import=data:text/javascript,process.once("
      "\"SIGTERM\",()=>{if(!process.listenerCount(\"SIGTERM\"))process.exit(143)})"},
     NULL, NULL, 0, "--cpu-prof --cpu-prof-dir=/tmp, written at exit or on SIGTERM (shutdown)"},
    {"java-fast-start", FAM_JAVA, {NULL}, "JAVA_TOOL_OPTIONS",
     "-XX:+TieredCompilation -XX:TieredStopAtLevel=1", P_JAVA_TIERED,
     "JAVA_TOOL_OPTIONS += -XX:+TieredCompilation -XX:TieredStopAtLevel=1"},
    {"ruby-frozen-strings", FAM_RUBY, {"--enable", "frozen-string-literal"}, NULL, NULL, 0,
     "--enable frozen-string-literal"},
};
#define N_PRESETS (sizeof table / sizeof *table)

static size_t nargs_of(const struct preset *p)
{
    size_t n = 0;
    while (n < 3 && p->args[n])
        n++;
    return n;
}

/* w is value, or value=SETTING (python's -X importtime=2). */
static int is_value(const char *w, const char *value)
{
    size_t n = strlen(value);
    return strncmp(w, value, n) == 0 && (w[n] == '\0' || w[n] == '=');
}

/* w is an option and its value in one word: -Ximporttime (a short option),
 * --enable=frozen-string-literal (a long one). */
static int is_joined(const char *w, const char *opt, const char *value)
{
    size_t n = strlen(opt);
    if (strncmp(w, opt, n) != 0)
        return 0;
    if (opt[1] == '-')
        return w[n] == '=' && is_value(w + n + 1, value);
    return is_value(w + n, value);
}

/* Whether the interpreter options v[0..vn) already give the preset's arguments: the
 * words in a row, or an option and its value (two words) in any form the interpreter
 * reads. */
static int given(char *const *v, size_t vn, const char *const *args, size_t n)
{
    for (size_t i = 0; i < vn; i++) {
        if (n == 2 && (is_joined(v[i], args[0], args[1]) ||
                       (i + 1 < vn && strcmp(v[i], args[0]) == 0 && is_value(v[i + 1], args[1]))))
            return 1;
        size_t k = 0;
        while (k < n && i + k < vn && strcmp(v[i + k], args[k]) == 0)
            k++;
        if (k == n)
            return 1;
    }
    return 0;
}

/* Command-line flags beat JAVA_TOOL_OPTIONS, so the JVM would keep Java 11's
 * -XX:-TieredCompilation (or another stop level) unless it is removed. Only JVM options
 * (before the main class) are looked at: what follows belongs to the program. The
 * result is a new array: lwrap's original argv stays intact (the E2BIG fallback). */
static void drop_untiered(char ***rtp, size_t *nrt)
{
    char **rt = *rtp, **out = xmalloc((*nrt + 1) * sizeof *out);
    size_t prog = family_program(FAM_JAVA, rt, *nrt), o = 1;
    out[0] = rt[0];
    for (size_t i = 1; i < *nrt; i++) {
        const char *a = rt[i];
        int conflict = i < prog &&
                       (strcmp(a, "-XX:-TieredCompilation") == 0 ||
                        (strncmp(a, "-XX:TieredStopAtLevel=", 22) == 0 && strcmp(a + 22, "1") != 0));
        if (conflict)
            note_arg("remove", a, "LWRAP_PRESETS", "java-fast-start");
        else
            out[o++] = rt[i];
    }
    out[o] = NULL;
    *rtp = out;
    *nrt = o;
}

static void apply(const struct preset *p, char ***rt, size_t *nrt, struct preset_out *out)
{
    /* only the interpreter's own options count: what follows the program is its argv
     * (`python3 app.py -X importtime`) */
    size_t n = nargs_of(p), prog = family_program(p->fam, *rt, *nrt);
    if (n && !given(*rt + 1, prog - 1, p->args, n)) {
        for (size_t k = 0; k < n; k++) {
            out->args[out->nargs++] = p->args[k];
            note_arg("insert", p->args[k], "LWRAP_PRESETS", p->name);
        }
    }
    if (p->var)
        env_add(p->var, strlen(p->var), p->tokens, 0, "LWRAP_PRESETS", p->name);
    if (p->flags & P_JAVA_TIERED)
        drop_untiered(rt, nrt);
    if (p->flags & P_PRELOAD)
        out->preload = p->name;
}

void presets_apply(enum family f, char ***rt, size_t *nrt, struct preset_out *out)
{
    struct setting s;
    out->nargs = 0;
    out->preload = NULL;
    if (!conf_get("LWRAP_PRESETS", &s) || !*s.value)
        return;
    size_t len = strlen(s.value);
    char *list = xmalloc(len + 1); /* cut in place; the environment must stay intact */
    memcpy(list, s.value, len + 1);
    unsigned applied = 0;
    for (char *item = list, *next; item; item = next) {
        next = strchr(item, ',');
        if (next)
            *next++ = '\0';
        while (*item == ' ' || *item == '\t')
            item++;
        size_t n = strlen(item);
        while (n > 0 && (item[n - 1] == ' ' || item[n - 1] == '\t'))
            item[--n] = '\0';
        if (n == 0)
            continue;
        size_t i = 0;
        while (i < N_PRESETS && strcmp(table[i].name, item) != 0)
            i++;
        if (i == N_PRESETS) {
            report_setting(&s, "unknown preset \"", item,
                           "\" (lwrap --help lists the presets)", NULL);
        } else if (table[i].fam != f) {
            note_text("skip preset ", item, ": it is for ", family_name(table[i].fam),
                      ", the runtime is ", family_name(f), NULL);
        } else if (!(applied & (1u << i))) {
            applied |= 1u << i;
            apply(&table[i], rt, nrt, out);
        }
    }
    free(list); /* what the presets insert points into their table, not into the list */
}

void presets_list(void)
{
    for (size_t i = 0; i < N_PRESETS; i++) {
        line_start(1);
        line_str("  ");
        line_str(table[i].name);
        for (size_t k = strlen(table[i].name); k < 22; k++)
            line_str(" ");
        line_str(table[i].help);
        line_end();
    }
}
