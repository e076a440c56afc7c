/* Redaction, on whole assembled records (so a secret split across two writes is still
 * found): AWS access key ids (AKIA/ASIA + 16 of [A-Z0-9]) and the values of the
 * credential variables, always when LWRAP_LOGS is not off; plus LWRAP_REDACT's POSIX
 * EREs, separated by ";;", compiled once at start. A match is replaced in place by
 * "****" (shorter matches by as many '*'), so a record never grows; an ERE with a
 * subexpression masks only its first one (`password=([^ ]+)` keeps "password="). */
#include "log_internal.h"

#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

#define MAX_SECRETS 3
#define MAX_PATTERNS 16
#define SECRET_MAX 4096

static struct {
    char value[SECRET_MAX];
    size_t len;
} secrets[MAX_SECRETS];
static int nsecrets;
static regex_t patterns[MAX_PATTERNS];
static bool pattern_group[MAX_PATTERNS];
static int npatterns;

static void add_secret(const char *name)
{
    const char *v = getenv(name);
    size_t n = v ? strlen(v) : 0;
    /* Very short values would mask ordinary words; real credentials are 16+ chars. */
    if (n < 8 || n >= SECRET_MAX || nsecrets == MAX_SECRETS)
        return;
    memcpy(secrets[nsecrets].value, v, n);
    secrets[nsecrets].len = n;
    nsecrets++;
}

static void add_pattern(const char *p, size_t n)
{
    char buf[1024];
    if (n == 0)
        return;
    if (n >= sizeof buf) {
        config_warn("LWRAP_REDACT: pattern longer than 1023 bytes; ignored", NULL, NULL, NULL);
        return;
    }
    memcpy(buf, p, n);
    buf[n] = 0;
    if (npatterns == MAX_PATTERNS) {
        config_warn("LWRAP_REDACT: more than 16 patterns; \"", buf, "\" ignored", NULL);
        return;
    }
    int rc = regcomp(&patterns[npatterns], buf, REG_EXTENDED);
    if (rc != 0) {
        char err[160];
        size_t k = regerror(rc, &patterns[npatterns], err, sizeof err - 10);
        if (k > sizeof err - 10)
            k = sizeof err - 10;
        memcpy(err + k - 1, "; ignored", 10);
        config_warn("LWRAP_REDACT: bad pattern \"", buf, "\": ", err);
        return;
    }
    pattern_group[npatterns] = patterns[npatterns].re_nsub > 0;
    npatterns++;
}

void log_redact_init(void)
{
    add_secret("AWS_SECRET_ACCESS_KEY");
    add_secret("AWS_SESSION_TOKEN");
    add_secret("AWS_ACCESS_KEY_ID");
    const char *r = getenv("LWRAP_REDACT");
    while (r && *r) {
        const char *sep = strstr(r, ";;");
        size_t n = sep ? (size_t)(sep - r) : strlen(r);
        add_pattern(r, n);
        r = sep ? sep + 2 : NULL;
    }
}

/* Replace p[a..b) of a record of length n by the mask; returns the new length. */
static size_t mask(char *p, size_t n, size_t a, size_t b, const char *keep, size_t keep_len)
{
    size_t m = b - a;
    size_t stars = m >= keep_len + 4 ? 4 : (m > keep_len ? m - keep_len : 0);
    size_t repl = keep_len + stars;
    memcpy(p + a, keep, keep_len);
    memset(p + a + keep_len, '*', stars);
    memmove(p + a + repl, p + b, n - b);
    return n - (m - repl);
}

static bool key_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static size_t redact_key_ids(char *p, size_t n)
{
    size_t i = 0;
    while (n >= 20 && i + 20 <= n) {
        char *a = memchr(p + i, 'A', n - i - 19);
        if (!a)
            break;
        size_t at = (size_t)(a - p);
        i = at + 1;
        if (!((a[1] == 'K' || a[1] == 'S') && a[2] == 'I' && a[3] == 'A'))
            continue;
        if (at > 0 && key_char(p[at - 1]))
            continue;
        size_t k = 4;
        while (k < 20 && key_char(a[k]))
            k++;
        if (k < 20 || (at + 20 < n && key_char(a[20])))
            continue;
        char keep[4] = {'A', a[1], 'I', 'A'};
        n = mask(p, n, at, at + 20, keep, 4);
        i = at + 8;
    }
    return n;
}

static size_t redact_value(char *p, size_t n, const char *v, size_t vn)
{
    size_t from = 0;
    while (from + vn <= n) {
        char *hit = memmem(p + from, n - from, v, vn);
        if (!hit)
            break;
        size_t at = (size_t)(hit - p);
        n = mask(p, n, at, at + vn, "", 0);
        from = at + 4;
    }
    return n;
}

static size_t redact_pattern(int i, char *p, size_t n)
{
    size_t from = 0;
    regmatch_t m[2];
    while (from < n) {
        m[0].rm_so = (regoff_t)from;
        m[0].rm_eo = (regoff_t)n;
        if (regexec(&patterns[i], p, 2, m, REG_STARTEND | (from ? REG_NOTBOL : 0)) != 0)
            break;
        regmatch_t *g = pattern_group[i] && m[1].rm_so >= 0 ? &m[1] : &m[0];
        size_t a = (size_t)g->rm_so, b = (size_t)g->rm_eo;
        size_t end = (size_t)m[0].rm_eo;
        if (b > a) {
            size_t before = n;
            n = mask(p, n, a, b, "", 0);
            end -= before - n;
        }
        from = end > from ? end : from + 1;
    }
    return n;
}

size_t log_redact(char *p, size_t n, bool allow_regex)
{
    if (n >= 20)
        n = redact_key_ids(p, n);
    for (int i = 0; i < nsecrets; i++)
        if (n >= secrets[i].len)
            n = redact_value(p, n, secrets[i].value, secrets[i].len);
    if (allow_regex)
        for (int i = 0; i < npatterns; i++)
            n = redact_pattern(i, p, n);
    return n;
}
