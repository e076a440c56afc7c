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

#include <errno.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "config.h"
#include "logs.h"

/* The three credentials, and the variables lwrap set from fetched values (SSM
 * parameters, secrets, AppConfig), named in _LWRAP_REDACT_VARS. */
#define MAX_PATTERNS 16
#define MAX_FETCHED 64
#define MAX_SECRETS (3 + MAX_FETCHED)
/* The kernel's limit for one variable: no value can be longer. */
#define SECRET_MAX 131072

static struct {
    char *value;
    size_t len;
} secrets[MAX_SECRETS];
static int nsecrets;
static regex_t patterns[MAX_PATTERNS];
static bool pattern_group[MAX_PATTERNS];
static int npatterns;

/* Room for a secret value that lasts the process: the credentials (a session token is
 * about 1-2 KB) and short fetched values come from a static arena, so a malloc that fails
 * at start never leaves a credential unmasked; only larger fetched values are mapped. */
static char *secret_store(size_t n)
{
    static char arena[16384];
    static size_t used;
    if (n <= sizeof arena - used) {
        used += n;
        return arena + used - n;
    }
    void *m = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return m == MAP_FAILED ? NULL : m;
}

static void add_secret(const char *name)
{
    const char *v = getenv(name);
    size_t n = v ? strlen(v) : 0;
    /* A value that ends a line (a PEM key's last "\n") is printed as a line's end, which
     * the record leaves out: match it without. */
    while (n > 0 && (v[n - 1] == '\n' || v[n - 1] == '\r'))
        n--;
    /* Very short values would mask ordinary words; real credentials are 16+ chars. */
    if (n < 8 || n >= SECRET_MAX || nsecrets == MAX_SECRETS)
        return;
    for (int i = 0; i < nsecrets; i++)
        if (secrets[i].len == n && memcmp(secrets[i].value, v, n) == 0)
            return; /* the same value under two names */
    /* A copy: the program may overwrite its environment strings (setproctitle). */
    char *copy = secret_store(n);
    if (!copy) {
        config_out_of_memory("a secret value is not masked");
        return;
    }
    memcpy(copy, v, n);
    /* Longest first: a value that is a prefix of another ("prodprod", "prodprod-pw")
     * masked first would leave the longer one's rest in clear. */
    int at = nsecrets;
    for (; at > 0 && secrets[at - 1].len < n; at--)
        secrets[at] = secrets[at - 1];
    secrets[at].value = copy;
    secrets[at].len = n;
    nsecrets++;
}

/* _LWRAP_REDACT_VARS=A,B,C (set by lwrap): the values of those variables. */
static void add_fetched(void)
{
    const char *list = getenv("_LWRAP_REDACT_VARS");
    int n = 0;
    for (const char *p = list; p && *p;) {
        size_t k = strcspn(p, ",");
        char name[256];
        if (k > 0 && k < sizeof name) {
            if (n++ == MAX_FETCHED) {
                config_warn("_LWRAP_REDACT_VARS: more than 64 fetched variables; the values of "
                            "the others are not masked", NULL, NULL, NULL);
                return;
            }
            memcpy(name, p, k);
            name[k] = '\0';
            add_secret(name);
        }
        p += k;
        if (*p)
            p++;
    }
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
    if (rc == REG_ESPACE) {
        config_out_of_memory("LWRAP_REDACT patterns not compiled; ignored");
        return;
    }
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

void logs_mask_secrets_init(void)
{
    static bool done;
    if (done)
        return;
    done = true;
    add_secret("AWS_SECRET_ACCESS_KEY");
    add_secret("AWS_SESSION_TOKEN");
    add_secret("AWS_ACCESS_KEY_ID");
    add_fetched();
}

size_t logs_mask_secrets(char *p, size_t n)
{
    return log_redact(p, n, false);
}

void log_redact_init(void)
{
    logs_mask_secrets_init();
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

static bool key_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* A left-to-right masking pass for the fixed-shape masks (key ids, values): matches are
 * found in the original text and each replaced as it is found, only the text since the
 * previous match moving down; a record full of matches costs one pass over it, not a
 * move of its whole rest per match. The original's [0, r) is done and its result is
 * p[0, w) (w <= r: a mask never grows). */
struct pass {
    char *p;
    size_t n, r, w;
};

static void pass_copy(struct pass *ps, size_t upto)
{
    if (ps->w != ps->r)
        memmove(ps->p + ps->w, ps->p + ps->r, upto - ps->r);
    ps->w += upto - ps->r;
    ps->r = upto;
}

/* The byte before original position at as the text now reads (right after a mask: the
 * mask's last byte). */
static char pass_prev(const struct pass *ps, size_t at)
{
    return at > ps->r ? ps->p[at - 1] : ps->p[ps->w - 1];
}

/* Mask the original p[a..b) (a >= r): a boundary inside a UTF-8 character takes the whole
 * character (so the result stays valid UTF-8), then `keep` and at most four '*' (one per
 * character masked) replace it, never longer than what they replace. */
static void pass_mask(struct pass *ps, size_t a, size_t b, const char *keep, size_t keep_len)
{
    char *p = ps->p;
    size_t n = ps->n, lo = char_start(p, n, a), hi = char_start(p, n, b);
    if (hi < b)
        hi += char_len(p, n, hi);
    if (lo < ps->r) /* (cannot be: the last mask ended a whole character) */
        lo = ps->r;
    size_t chars = 0;
    for (size_t i = lo + keep_len; i < hi && chars < 4; i += char_len(p, n, i))
        chars++;
    pass_copy(ps, lo);
    memcpy(p + ps->w, keep, keep_len);
    memset(p + ps->w + keep_len, '*', chars);
    ps->w += keep_len + chars;
    ps->r = hi;
}

static size_t pass_end(struct pass *ps)
{
    pass_copy(ps, ps->n);
    return ps->w;
}

static size_t redact_key_ids(char *p, size_t n)
{
    struct pass ps = {p, n, 0, 0};
    size_t i = 0;
    while (i + 20 <= n) {
        char *a = memchr(p + i, 'A', n - i - 19);
        if (!a)
            break;
        size_t at = (size_t)(a - p);
        i = at + 1;
        if (!((a[1] == 'K' || a[1] == 'S') && a[2] == 'I' && a[3] == 'A'))
            continue;
        if (at > 0 && key_char(pass_prev(&ps, at)))
            continue;
        size_t k = 4;
        while (k < 20 && key_char(a[k]))
            k++;
        if (k < 20 || (at + 20 < n && key_char(a[20])))
            continue;
        char keep[4] = {'A', a[1], 'I', 'A'};
        pass_mask(&ps, at, at + 20, keep, 4);
        i = ps.r;
    }
    return pass_end(&ps);
}

/* p[j..j+20) is a whole key id (AKIA/ASIA and 16 key characters, nothing key-like
 * before it). */
static bool whole_key_id(const char *p, size_t n, size_t j)
{
    if (j + 20 > n || (j > 0 && key_char(p[j - 1])) || p[j] != 'A' ||
        (p[j + 1] != 'K' && p[j + 1] != 'S') || p[j + 2] != 'I' || p[j + 3] != 'A')
        return false;
    for (size_t k = 4; k < 20; k++)
        if (!key_char(p[j + k]))
            return false;
    return true;
}

/* (A value that is itself a key id, AWS_ACCESS_KEY_ID's, keeps its AKIA/ASIA as the key id
 * mask does.) */
static size_t redact_value(char *p, size_t n, const char *v, size_t vn)
{
    struct pass ps = {p, n, 0, 0};
    size_t from = 0, keep = whole_key_id(v, vn, 0) && vn == 20 ? 4 : 0;
    while (from + vn <= n) {
        char *hit = memmem(p + from, n - from, v, vn);
        if (!hit)
            break;
        pass_mask(&ps, (size_t)(hit - p), (size_t)(hit - p) + vn, v, keep);
        from = ps.r;
    }
    return pass_end(&ps);
}

size_t logs_mask_value(char *p, size_t n, const char *v, size_t vn)
{
    return vn ? redact_value(p, n, v, vn) : n;
}

/* Every match of pattern i, left to right, each searched for after the previous one
 * (matches never overlap; a mask is never searched again). An empty match masks nothing
 * and the search moves on by one character, so nothing loops and nothing grows. */
static size_t redact_pattern(int i, char *p, size_t n, bool *masked)
{
    struct pass ps = {p, n, 0, 0};
    size_t from = 0;
    regmatch_t m[2];
    size_t nm = pattern_group[i] ? 2 : 1;
    while (from < n) {
        /* regexec takes ^ (REG_NEWLINE) and word starts from the byte before `from`: let
         * it read the text as it now is there (the mask just written), not what was. */
        if (from == ps.r && ps.w < ps.r)
            p[ps.r - 1] = p[ps.w - 1];
        m[0].rm_so = (regoff_t)from;
        m[0].rm_eo = (regoff_t)n;
        /* glibc's regexec answers REG_NOMATCH when it runs out of memory; its malloc
         * leaves ENOMEM behind. */
        int saved = errno;
        errno = 0;
        int rc = regexec(&patterns[i], p, nm, m, REG_STARTEND | (from ? REG_NOTBOL : 0));
        bool oom = rc == REG_ESPACE || (rc != 0 && errno == ENOMEM);
        errno = saved;
        if (oom) {
            /* Out of memory: whether a secret follows is unknown; mask it all. */
            config_out_of_memory("LWRAP_REDACT could not search a record; the rest of it is masked");
            m[0].rm_so = (regoff_t)from;
            m[0].rm_eo = (regoff_t)n;
            nm = 1;
        } else if (rc != 0) {
            break;
        }
        regmatch_t *g = nm == 2 && m[1].rm_so >= 0 ? &m[1] : &m[0];
        size_t a = (size_t)g->rm_so, b = (size_t)g->rm_eo;
        size_t end = (size_t)m[0].rm_eo;
        if (b > a) {
            pass_mask(&ps, a, b, "", 0);
            end = end > ps.r ? end : ps.r;
            *masked = true;
        }
        from = end > from ? end : from + char_len(p, n, from);
    }
    return pass_end(&ps);
}

size_t log_redact(char *p, size_t n, bool allow_regex)
{
    /* The credential values first: they are known exactly, and a shape mask run before
     * them could take a few of their bytes (a key id written right before a session token
     * "ASIA...EXAMPLEKEY" + "IQoJ..." reads as ending in its "IQ") and leave the rest of
     * the value, no longer whole, in clear. */
    for (int i = 0; i < nsecrets; i++)
        if (n >= secrets[i].len)
            n = redact_value(p, n, secrets[i].value, secrets[i].len);
    /* (A key id glued to a value just masked, "<value>AKIA...", stands on its own now.) */
    if (n >= 20)
        n = redact_key_ids(p, n);
    bool masked = false;
    if (allow_regex)
        for (int i = 0; i < npatterns; i++)
            n = redact_pattern(i, p, n, &masked);
    /* A key id glued to a match just masked ("tok_abcd1234AKIA...") now stands on its
     * own: look again. */
    if (masked && n >= 20)
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

/* A cut inside a whole value or key id already in p (a value that ends the way it
 * begins, "IQ...IQ", seems to begin again in its own end) moves before it. */
static size_t cut_outside_whole(const char *p, size_t n, size_t cut)
{
    for (bool moved = cut < n; moved;) {
        moved = false;
        for (int i = 0; i < nsecrets; i++) {
            size_t len = secrets[i].len;
            size_t from = cut >= len ? cut - len + 1 : 0;
            size_t to = cut + len - 1 < n ? cut + len - 1 : n;
            const char *hit = to - from >= len ? memmem(p + from, to - from, secrets[i].value, len) : NULL;
            if (hit) {
                cut = (size_t)(hit - p);
                moved = true;
            }
        }
        for (size_t j = cut > 19 ? cut - 19 : 0; j < cut; j++)
            if (whole_key_id(p, n, j)) {
                cut = j;
                moved = true;
                break;
            }
    }
    return cut;
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
    return cut_outside_whole(p, n, cut);
}
