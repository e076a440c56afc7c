/* Redaction, on whole assembled records (so a secret split across two writes is still
 * found): AWS access key ids (AKIA/ASIA + 16 of [A-Z0-9]) and the values of the
 * credential variables, always when LWRAP_LOGS is not off; plus LWRAP_REDACT's POSIX
 * EREs, separated by ";;", compiled once at start with REG_NEWLINE (^ and $ match at
 * every line of a multi-line record). A match is replaced in place by "****" (shorter
 * matches by one '*' a character), so a record never grows; an ERE with a subexpression
 * masks only its first one (`password=([^ ]+)` keeps "password="). Patterns match bytes
 * (the C locale); a match that starts or ends inside a UTF-8 character masks the whole
 * character, so valid UTF-8 stays valid. */
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
    /* REG_NEWLINE: a record has several lines; ^ and $ match at each line's start and
     * end, and . and [^...] never cross one. */
    int rc = regcomp(&patterns[npatterns], buf, REG_EXTENDED | REG_NEWLINE);
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

/* Where the UTF-8 character that byte i is inside of starts, or i when byte i starts a
 * character (or is not part of a valid sequence). */
static size_t char_start(const char *p, size_t n, size_t i)
{
    if (i >= n || ((unsigned char)p[i] & 0xC0) != 0x80)
        return i;
    for (size_t k = 1; k <= 3 && k <= i; k++) {
        unsigned c = (unsigned char)p[i - k];
        if ((c & 0xC0) == 0x80)
            continue;
        return log_utf8_multibyte((const unsigned char *)p + i - k, n - (i - k)) > k ? i - k : i;
    }
    return i;
}

/* Bytes of the character at i (1 for ASCII and for a byte that is not valid UTF-8). */
static size_t char_len(const char *p, size_t n, size_t i)
{
    size_t k = (unsigned char)p[i] < 0x80 ? 1 : log_utf8_multibyte((const unsigned char *)p + i, n - i);
    return k ? k : 1;
}

/* Mask p[*a..*b) of a record of length n: a boundary inside a UTF-8 character takes the
 * whole character (so the result stays valid UTF-8), then `keep` and at most four '*'
 * (one per character masked) replace it. *a and *b become the range that was replaced,
 * *repl the length of the replacement (never more than *b - *a); returns the new n. */
static size_t mask(char *p, size_t n, size_t *a, size_t *b, const char *keep, size_t keep_len, size_t *repl)
{
    size_t lo = char_start(p, n, *a), hi = char_start(p, n, *b);
    if (hi < *b)
        hi += char_len(p, n, hi);
    size_t chars = 0;
    for (size_t i = lo + keep_len; i < hi && chars < 4; i += char_len(p, n, i))
        chars++;
    size_t r = keep_len + chars;
    memcpy(p + lo, keep, keep_len);
    memset(p + lo + keep_len, '*', chars);
    memmove(p + lo + r, p + hi, n - hi);
    *a = lo, *b = hi, *repl = r;
    return n - (hi - lo - r);
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
        size_t lo = at, hi = at + 20, repl;
        n = mask(p, n, &lo, &hi, keep, 4, &repl);
        i = lo + repl;
    }
    return n;
}

static size_t redact_value(char *p, size_t n, const char *v, size_t vn, bool *masked)
{
    size_t from = 0;
    while (from + vn <= n) {
        char *hit = memmem(p + from, n - from, v, vn);
        if (!hit)
            break;
        size_t lo = (size_t)(hit - p), hi = lo + vn, repl;
        n = mask(p, n, &lo, &hi, "", 0, &repl);
        from = lo + repl;
        *masked = true;
    }
    return n;
}

/* Every match of pattern i, left to right, each searched for after the previous one
 * (matches never overlap; a mask is never searched again). An empty match masks nothing
 * and the search moves on by one character, so nothing loops and nothing grows. */
static size_t redact_pattern(int i, char *p, size_t n, bool *masked)
{
    size_t from = 0;
    regmatch_t m[2];
    size_t nm = pattern_group[i] ? 2 : 1;
    while (from < n) {
        m[0].rm_so = (regoff_t)from;
        m[0].rm_eo = (regoff_t)n;
        if (regexec(&patterns[i], p, nm, m, REG_STARTEND | (from ? REG_NOTBOL : 0)) != 0)
            break;
        regmatch_t *g = nm == 2 && m[1].rm_so >= 0 ? &m[1] : &m[0];
        size_t a = (size_t)g->rm_so, b = (size_t)g->rm_eo;
        size_t end = (size_t)m[0].rm_eo;
        if (b > a) {
            size_t repl;
            n = mask(p, n, &a, &b, "", 0, &repl);
            end = end >= b ? end - (b - a - repl) : a + repl;
            *masked = true;
        }
        from = end > from ? end : from + char_len(p, n, from);
    }
    return n;
}

size_t log_redact(char *p, size_t n, bool allow_regex)
{
    if (n >= 20)
        n = redact_key_ids(p, n);
    size_t before = n;
    bool masked = false;
    for (int i = 0; i < nsecrets; i++)
        if (n >= secrets[i].len)
            n = redact_value(p, n, secrets[i].value, secrets[i].len, &masked);
    if (allow_regex)
        for (int i = 0; i < npatterns; i++)
            n = redact_pattern(i, p, n, &masked);
    /* A key id glued to a value or match just masked ("tok_abcd1234AKIA...") now stands
     * on its own: look again. */
    if ((masked || n != before) && n >= 20)
        n = redact_key_ids(p, n);
    return n;
}

/* p[j..n) could be the beginning of a key id: a prefix of AKIA/ASIA, or one of them and
 * then only key characters, with nothing key-like before it. */
static bool key_id_start(const char *p, size_t n, size_t j)
{
    if (j > 0 && key_char(p[j - 1]))
        return false;
    for (size_t k = 0; j + k < n; k++) {
        char c = p[j + k];
        bool fits = k == 0   ? c == 'A'
                    : k == 1 ? c == 'K' || c == 'S'
                    : k == 2 ? c == 'I'
                    : k == 3 ? c == 'A'
                             : key_char(c);
        if (!fits)
            return false;
    }
    return true;
}

size_t log_redact_cut(const char *p, size_t n)
{
    size_t cut = n;
    for (size_t j = n > 19 ? n - 19 : 0; j < n; j++)
        if (key_id_start(p, n, j)) {
            cut = j;
            break;
        }
    for (int i = 0; i < nsecrets; i++) {
        const char *v = secrets[i].value;
        for (size_t k = secrets[i].len - 1 < n ? secrets[i].len - 1 : n; k > 0 && n - k < cut; k--)
            if (p[n - k] == v[0] && memcmp(p + n - k, v, k) == 0) {
                cut = n - k;
                break;
            }
    }
    return cut;
}
