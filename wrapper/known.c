/* One table of every LWRAP_* name: add a line here with each new setting (the preload's
 * included: tests/wrapper-config.bats checks that every name preload/ reads is here). */
#include "known.h"

#include "conf.h"
#include "diag.h"
#include "out.h"

#include <string.h>

static const struct known {
    const char *name;
    int prefix; /* LWRAP_SET_<NAME>: any name after it */
    unsigned who;
} table[] = {
    {"LWRAP_ARGS", 0, KNOWN_WRAPPER},
    {"LWRAP_ARGS_AT", 0, KNOWN_WRAPPER},
    {"LWRAP_SET_", 1, KNOWN_WRAPPER},
    {"LWRAP_DEFAULT_", 1, KNOWN_WRAPPER},
    {"LWRAP_APPEND_", 1, KNOWN_WRAPPER},
    {"LWRAP_PREPEND_", 1, KNOWN_WRAPPER},
    {"LWRAP_UNSET", 0, KNOWN_WRAPPER},
    {"LWRAP_PRESETS", 0, KNOWN_WRAPPER},
    {"LWRAP_NEXT", 0, KNOWN_WRAPPER},
    {"LWRAP_STRICT", 0, KNOWN_WRAPPER},
    {"LWRAP_DEBUG", 0, KNOWN_WRAPPER},
    {"LWRAP_DRY_RUN", 0, KNOWN_WRAPPER},
    {"LWRAP_PRELOAD_PATH", 0, KNOWN_WRAPPER},
    {"LWRAP_BOOTSTRAP", 0, KNOWN_WRAPPER},
    {"LWRAP_CONFIG", 0, KNOWN_WRAPPER},
    /* values fetched before exec */
    {"LWRAP_SSM_", 1, KNOWN_WRAPPER},
    {"LWRAP_SECRET_", 1, KNOWN_WRAPPER},
    {"LWRAP_APPCONFIG", 0, KNOWN_WRAPPER},
    {"LWRAP_APPCONFIG_PREFIX", 0, KNOWN_WRAPPER},
    {"LWRAP_FETCH_TIMEOUT_MS", 0, KNOWN_WRAPPER},
    {"LWRAP_FETCH_OVERRIDE", 0, KNOWN_WRAPPER},
    /* liblwrap.so's */
    {"LWRAP_TRACE", 0, KNOWN_PRELOAD},
    {"LWRAP_TRACE_NAMESPACE", 0, KNOWN_PRELOAD},
    {"LWRAP_TRACE_FILE", 0, KNOWN_PRELOAD},
    {"LWRAP_TRACE_OTLP", 0, KNOWN_PRELOAD},
    {"LWRAP_TRACE_OTLP_TIMEOUT_MS", 0, KNOWN_PRELOAD},
    {"LWRAP_LOGS", 0, KNOWN_PRELOAD},
    {"LWRAP_LOG_LEVEL", 0, KNOWN_PRELOAD},
    {"LWRAP_REDACT", 0, KNOWN_PRELOAD},
    {"LWRAP_EXTENSION", 0, KNOWN_PRELOAD},
    {"LWRAP_CRASH", 0, KNOWN_PRELOAD},
    {"LWRAP_OBSERVER_LOG", 0, KNOWN_PRELOAD},
    {"LWRAP_KEEP_PRELOAD", 0, KNOWN_PRELOAD},
    {"LWRAP_IMPORTTIME_RAW", 0, KNOWN_PRELOAD},
    {"LWRAP_IMPORTTIME_TOP", 0, KNOWN_PRELOAD},
    /* the project's own tooling (make test, make bench): set in developers' shells */
    {"LWRAP_NO_SKIP", 0, KNOWN_TOOLS},
    {"LWRAP_TEST_JOBS", 0, KNOWN_TOOLS},
    {"LWRAP_CACHE_DIR", 0, KNOWN_TOOLS},
    {"LWRAP_DEBIAN_MIRROR", 0, KNOWN_TOOLS},
    {"LWRAP_BENCH_KEEP", 0, KNOWN_TOOLS},
};
#define N_KNOWN (sizeof table / sizeof *table)

unsigned known_setting(const char *n, size_t len)
{
    for (size_t i = 0; i < N_KNOWN; i++) {
        size_t k = strlen(table[i].name);
        if (table[i].prefix ? len >= k && memcmp(n, table[i].name, k) == 0
                            : len == k && memcmp(n, table[i].name, k) == 0)
            return table[i].who;
    }
    return 0;
}

#define MAX_NAME 64

/* Edit distance (Levenshtein) between a[0..an) and b[0..bn), both at most MAX_NAME. */
static size_t distance(const char *a, size_t an, const char *b, size_t bn)
{
    size_t row[MAX_NAME + 1];
    for (size_t j = 0; j <= bn; j++)
        row[j] = j;
    for (size_t i = 1; i <= an; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= bn; j++) {
            size_t up = row[j], best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            diag = up;
            row[j] = best;
        }
    }
    return row[bn];
}

struct guess {
    size_t dist;
    const struct known *k;
    size_t cut; /* for a prefix: where the name's own part starts in the typo */
};

/* The known name nearest to n: for a prefix of k bytes, against the typo's first k+1,
 * k or k-1 bytes, longest first (LWRAP_SETT_FOO is LWRAP_SET_FOO, not LWRAP_SET_T_FOO). */
static struct guess nearest(const char *n, size_t len)
{
    struct guess g = {(size_t)-1, NULL, 0};
    for (size_t i = 0; i < N_KNOWN; i++) {
        size_t k = strlen(table[i].name), lo = table[i].prefix ? k - 1 : len;
        for (size_t cut = table[i].prefix ? k + 1 : len; cut >= lo; cut--) {
            if (cut > len || cut > MAX_NAME || (table[i].prefix && cut == len))
                continue;
            size_t d = distance(n, cut, table[i].name, k);
            if (d < g.dist)
                g = (struct guess){d, &table[i], cut};
        }
    }
    return g;
}

static void check_one(const struct setting *s, void *arg)
{
    (void)arg;
    if (known_setting(s->name, s->name_len))
        return;
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
