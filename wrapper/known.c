/* One table of every LWRAP_* name: add a line here with each new setting (the preload's
 * included: tests/wrapper-config.bats checks that every name preload/ reads is here), and
 * with it the rule its value follows, where one can be checked before exec. */
#include "known.h"

#include "conf.h"
#include "diag.h"
#include "out.h"
#include "values.h"

#include <string.h>

/* The preload's rules (values.h), worded as the preload words its lines. */
#define WORDS(flags, accept, noun, want, outcome) \
    (&(const struct value_rule){V_WORDS, flags, accept, noun, want, outcome, 0, 0})
#define FLAG (&(const struct value_rule){V_FLAG, 0, NULL, NULL, "want 1, on or true, or 0 or off", "ignored", 0, 0})
#define NUMBER(min, max, want, outcome) \
    (&(const struct value_rule){V_NUMBER, 0, NULL, NULL, want, outcome, min, max})
#define PATH(flags, outcome) (&(const struct value_rule){V_PATH, flags, NULL, NULL, NULL, outcome, 0, 0})
#define URL (&(const struct value_rule){V_URL, VF_OFF, NULL, NULL, NULL, "no spans sent", 0, 0})

static const struct known {
    const char *name;
    int prefix; /* LWRAP_SET_<NAME>: any name after it */
    unsigned who;
    const struct value_rule *rule; /* NULL: checked where it is read (lwrap's), or free text */
} table[] = {
    {"LWRAP_ARGS", 0, KNOWN_WRAPPER, NULL},
    {"LWRAP_ARGS_AT", 0, KNOWN_WRAPPER, NULL},
    {"LWRAP_SET_", 1, KNOWN_WRAPPER, NULL},
    {"LWRAP_DEFAULT_", 1, KNOWN_WRAPPER, NULL},
    {"LWRAP_APPEND_", 1, KNOWN_WRAPPER, NULL},
    {"LWRAP_PREPEND_", 1, KNOWN_WRAPPER, NULL},
    {"LWRAP_UNSET", 0, KNOWN_WRAPPER, NULL},
    {"LWRAP_PRESETS", 0, KNOWN_WRAPPER, NULL},
    {"LWRAP_NEXT", 0, KNOWN_WRAPPER, NULL},
    {"LWRAP_STRICT", 0, KNOWN_WRAPPER, NULL},
    {"LWRAP_DEBUG", 0, KNOWN_WRAPPER, NULL},
    {"LWRAP_DRY_RUN", 0, KNOWN_WRAPPER, NULL},
    {"LWRAP_PRELOAD_PATH", 0, KNOWN_WRAPPER, NULL},
    {"LWRAP_BOOTSTRAP", 0, KNOWN_WRAPPER, NULL},
    {"LWRAP_CONFIG", 0, KNOWN_WRAPPER, NULL},
    /* values fetched before exec */
    {"LWRAP_SSM_", 1, KNOWN_WRAPPER, NULL},
    {"LWRAP_SECRET_", 1, KNOWN_WRAPPER, NULL},
    {"LWRAP_APPCONFIG", 0, KNOWN_WRAPPER, NULL},
    {"LWRAP_APPCONFIG_PREFIX", 0, KNOWN_WRAPPER, NULL},
    {"LWRAP_FETCH_TIMEOUT_MS", 0, KNOWN_WRAPPER, NULL},
    {"LWRAP_FETCH_OVERRIDE", 0, KNOWN_WRAPPER, NULL},
    /* liblwrap.so's; LWRAP_REDACT's patterns need regcomp, which lwrap leaves to it */
    {"LWRAP_TRACE", 0, KNOWN_PRELOAD,
     WORDS(0, "off|text|json|emf|", "format", "off, text, json or emf", "ignored")},
    {"LWRAP_TRACE_NAMESPACE", 0, KNOWN_PRELOAD, NULL},
    {"LWRAP_TRACE_FILE", 0, KNOWN_PRELOAD, PATH(VF_OFF | VF_FILE_NAME, "no timeline")},
    {"LWRAP_TRACE_OTLP", 0, KNOWN_PRELOAD, URL},
    {"LWRAP_TRACE_OTLP_TIMEOUT_MS", 0, KNOWN_PRELOAD, NUMBER(1, 10000, "want 1 to 10000", "using 200")},
    {"LWRAP_LOGS", 0, KNOWN_PRELOAD, WORDS(0, "off|text|json|", "mode", "off, text or json", "using off")},
    {"LWRAP_LOG_LEVEL", 0, KNOWN_PRELOAD,
     WORDS(VF_NOCASE, "TRACE|DEBUG|INFO|WARN|WARNING|ERROR|FATAL|CRITICAL|", "level",
           "TRACE, DEBUG, INFO, WARN, ERROR or FATAL", "ignored")},
    {"LWRAP_REDACT", 0, KNOWN_PRELOAD, NULL},
    {"LWRAP_EXTENSION", 0, KNOWN_PRELOAD, FLAG},
    {"LWRAP_CRASH", 0, KNOWN_PRELOAD, FLAG},
    {"LWRAP_OBSERVER_LOG", 0, KNOWN_PRELOAD, PATH(VF_REGULAR, "ignored")},
    {"LWRAP_KEEP_PRELOAD", 0, KNOWN_PRELOAD, FLAG},
    {"LWRAP_IMPORTTIME_RAW", 0, KNOWN_PRELOAD, NULL}, /* "1" is on, anything else off */
    {"LWRAP_IMPORTTIME_TOP", 0, KNOWN_PRELOAD,
     NUMBER(0, 100, "want a number from 0 to 100", "using 15")},
    /* the project's own tooling (make test, make bench): set in developers' shells */
    {"LWRAP_NO_SKIP", 0, KNOWN_TOOLS, NULL},
    {"LWRAP_TEST_JOBS", 0, KNOWN_TOOLS, NULL},
    {"LWRAP_CACHE_DIR", 0, KNOWN_TOOLS, NULL},
    {"LWRAP_DEBIAN_MIRROR", 0, KNOWN_TOOLS, NULL},
    {"LWRAP_BENCH_KEEP", 0, KNOWN_TOOLS, NULL},
};
#define N_KNOWN (sizeof table / sizeof *table)

static const struct known *find(const char *n, size_t len)
{
    for (size_t i = 0; i < N_KNOWN; i++) {
        size_t k = strlen(table[i].name);
        if (table[i].prefix ? len >= k && memcmp(n, table[i].name, k) == 0
                            : len == k && memcmp(n, table[i].name, k) == 0)
            return &table[i];
    }
    return NULL;
}

unsigned known_setting(const char *n, size_t len)
{
    const struct known *k = find(n, len);
    return k ? k->who : 0;
}

int known_value_ok(const struct setting *s)
{
    const struct known *k = find(s->name, s->name_len);
    return !k || !k->rule || value_ok(s, k->rule, 0);
}

#define MAX_NAME 64

static char upper(char c)
{
    return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

static size_t min3(size_t a, size_t b, size_t c)
{
    size_t m = a < b ? a : b;
    return m < c ? m : c;
}

/* Edit distance between a[0..an) and b[0..bn) (both at most MAX_NAME), ignoring case
 * (LWRAP_Debug) and counting a swap of two neighbours as one edit (LWRAP_DEBGU): the
 * optimal string alignment form of Damerau-Levenshtein, three rows. */
static size_t distance(const char *a, size_t an, const char *b, size_t bn)
{
    size_t rows[3][MAX_NAME + 1], *two = rows[0], *prev = rows[1], *cur = rows[2];
    for (size_t j = 0; j <= bn; j++)
        prev[j] = j;
    for (size_t i = 1; i <= an; i++) {
        cur[0] = i;
        for (size_t j = 1; j <= bn; j++) {
            char x = upper(a[i - 1]), y = upper(b[j - 1]);
            cur[j] = min3(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x != y));
            if (i > 1 && j > 1 && x == upper(b[j - 2]) && upper(a[i - 2]) == y && two[j - 2] + 1 < cur[j])
                cur[j] = two[j - 2] + 1;
        }
        size_t *t = two;
        two = prev;
        prev = cur;
        cur = t;
    }
    return prev[bn];
}

struct guess {
    size_t dist;
    const struct known *k;
    size_t cut; /* for a prefix: where the name's own part starts in the typo */
};

/* How far n[0..len) is from a whole known name k[0..kn). A name cut short at one of its
 * '_' (LWRAP_TRACE_OTLP_TIMEOUT for ..._TIMEOUT_MS) is one edit: a word left out. */
static size_t name_distance(const char *n, size_t len, const char *k, size_t kn)
{
    if (len < kn && k[len] == '_' && distance(n, len, k, len) == 0)
        return 1;
    return distance(n, len, k, kn);
}

/* Where a prefix of k bytes (its last one '_') ends in the typo: right after a '_' the
 * typo has near there (LWRAP_SETT_FOO is LWRAP_SET_FOO, not LWRAP_SET_T_FOO), or at
 * k - 1 for a '_' left out (LWRAP_APPENDPATH is LWRAP_APPEND_PATH: a letter of the
 * name is never taken for the '_'). Sets *d to the distance of the typo's part to the
 * prefix; 0 when cut is no candidate. */
static int prefix_cut(const char *n, size_t len, const char *k, size_t kn, size_t cut, size_t *d)
{
    if (cut >= len || cut > MAX_NAME)
        return 0;
    if (n[cut - 1] == '_')
        *d = distance(n, cut, k, kn);
    else if (cut == kn - 1)
        *d = distance(n, cut, k, kn - 1) + 1;
    else
        return 0;
    return 1;
}

/* The known name nearest to n; on a tie, the first in the table (and for a prefix, the
 * cut after a '_' of the typo's). */
static struct guess nearest(const char *n, size_t len)
{
    struct guess g = {(size_t)-1, NULL, 0};
    for (size_t i = 0; i < N_KNOWN; i++) {
        const char *name = table[i].name;
        size_t k = strlen(name), d;
        if (!table[i].prefix) {
            d = len <= MAX_NAME ? name_distance(n, len, name, k) : (size_t)-1;
            if (d < g.dist)
                g = (struct guess){d, &table[i], len};
            continue;
        }
        for (size_t cut = k + 1; cut >= k - 1; cut--)
            if (prefix_cut(n, len, name, k, cut, &d) && d < g.dist)
                g = (struct guess){d, &table[i], cut};
    }
    return g;
}

static void check_one(const struct setting *s, void *arg)
{
    (void)arg;
    const struct known *it = find(s->name, s->name_len);
    if (it) {
        if (it->rule)
            value_ok(s, it->rule, 1);
        return;
    }
    struct guess g = nearest(s->name, s->name_len);
    /* close enough to be a typo: one edit, two in a long name (not against a prefix,
     * where the rest of the name is free) */
    size_t room = g.k && !g.k->prefix && s->name_len >= 14 ? 2 : 1;
    if (!g.k || g.dist > room) {
        report_setting(s, "unknown setting (lwrap --help lists them)", NULL);
        return;
    }
    char want[MAX_NAME * 2 + 8];
    size_t k = strlen(g.k->name), rest = g.k->prefix ? s->name_len - g.cut : 0;
    if (rest > MAX_NAME)
        rest = MAX_NAME;
    memcpy(want, g.k->name, k);
    memcpy(want + k, s->name + g.cut, rest);
    want[k + rest] = '\0';
    report_setting(s, "unknown setting (did you mean ", want, "?)", NULL);
}

void known_check(void)
{
    conf_each("LWRAP_", check_one, NULL);
}

void known_list(void)
{
    line_start(1);
    line_str(" ");
    for (size_t i = 0, col = 1; i < N_KNOWN; i++) {
        if (table[i].who == KNOWN_TOOLS)
            continue;
        size_t k = strlen(table[i].name) + (table[i].prefix ? 7 : 0);
        if (col + 1 + k > 90) {
            line_end();
            line_start(1);
            line_str(" ");
            col = 1;
        }
        line_str(" ");
        line_str(table[i].name);
        if (table[i].prefix)
            line_str("<NAME>");
        col += 1 + k;
    }
    line_end();
}
