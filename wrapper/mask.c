/* Masking: values of secret-looking variables are never printed, and neither are
 * those values when they turn up inside other values or arguments (${TOKEN} in
 * LWRAP_ARGS), nor anything shaped like an AWS access key id, a NAME=value with a
 * secret-looking NAME, or the password of a URL. The secret values are collected before
 * anything is printed: a note about DATABASE_URL must not show a password that a later
 * config line names DB_PASSWORD. */
#include "mask.h"

#include "conf.h"
#include "diag.h"
#include "names.h"
#include "out.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MASK "****"
/* Shorter secret values would mask unrelated text ("1", "true"). */
#define MASK_MIN 4

static int upper_alnum(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* AKIA/ASIA (and the other IAM prefixes) followed by 16 upper-case letters or digits. */
static size_t key_id_at(const char *s, size_t n)
{
    static const char *const prefixes[] = {"AKIA", "ASIA", "AIDA", "AROA", "ANPA", "AGPA"};
    if (n < 20)
        return 0;
    for (size_t p = 0; p < sizeof prefixes / sizeof *prefixes; p++) {
        if (memcmp(s, prefixes[p], 4) != 0)
            continue;
        size_t k = 4;
        while (k < n && upper_alnum(s[k]))
            k++;
        return k >= 20 ? k : 0;
    }
    return 0;
}

static const char **secrets; /* the values of secret-looking variables and settings */
static size_t *secret_len, n_secrets, cap_secrets;

int mask_add(const char *value)
{
    size_t len = strlen(value);
    if (len < MASK_MIN)
        return 0;
    if (n_secrets == cap_secrets) {
        size_t cap = cap_secrets ? 2 * cap_secrets : 16;
        const char **v = xmalloc(cap * sizeof *v);
        size_t *l = xmalloc(cap * sizeof *l);
        if (n_secrets) {
            memcpy(v, secrets, n_secrets * sizeof *v);
            memcpy(l, secret_len, n_secrets * sizeof *l);
        }
        free(secrets), free(secret_len);
        secrets = v, secret_len = l, cap_secrets = cap;
    }
    secrets[n_secrets] = value;
    secret_len[n_secrets++] = len;
    return 1;
}

/* The list is made when the first line is printed: a start that prints nothing (the
 * usual one) does not pay for judging every name of the environment. */
static char **start_env;
static int collected, settings_known;

/* Kept after LWRAP_UNSET: unsetting a credential does not make it printable. */
void mask_init(char **envp)
{
    start_env = envp;
}

/* Named after a secret but holding none: where a value is fetched from
 * (LWRAP_SSM_DB_PASSWORD=/prod/db/password, LWRAP_SECRET_API_KEY=api-key#key) and the
 * Parameters and Secrets extension's own options (its port, cache size, TTL). */
static int only_names_a_secret(const char *s, size_t n)
{
    static const char *const prefixes[] = {"LWRAP_SSM_", "LWRAP_SECRET_",
                                           "PARAMETERS_SECRETS_EXTENSION_"};
    for (size_t i = 0; i < sizeof prefixes / sizeof *prefixes; i++) {
        size_t k = strlen(prefixes[i]);
        if (n > k && memcmp(s, prefixes[i], k) == 0)
            return 1;
    }
    return 0;
}

int mask_secret_name(const char *name, size_t n)
{
    return name_secret(name, n) && !only_names_a_secret(name, n);
}

static void add_setting(const struct setting *s, void *arg);

static void collect(void)
{
    collected = 1;
    for (char **e = start_env; e && *e; e++) {
        const char *eq = strchr(*e, '=');
        /* settings are judged by the name they set: add_setting */
        if (eq && strncmp(*e, "LWRAP_", 6) != 0 && mask_secret_name(*e, (size_t)(eq - *e)))
            mask_add(eq + 1);
    }
    if (settings_known)
        conf_each("LWRAP_", add_setting, NULL);
}

/* LWRAP_SET_DB_PASSWORD=x, from the environment or the file: x is what DB_PASSWORD
 * will hold. */
static void add_setting(const struct setting *s, void *arg)
{
    static const char *const edits[] = {"LWRAP_SET_", "LWRAP_DEFAULT_", "LWRAP_APPEND_",
                                        "LWRAP_PREPEND_"};
    const char *name = s->name;
    size_t n = s->name_len;
    (void)arg;
    for (size_t i = 0; i < sizeof edits / sizeof *edits; i++) {
        size_t k = strlen(edits[i]);
        if (n > k && strncmp(name, edits[i], k) == 0) { /* the name the value goes to */
            name += k, n -= k;
            break;
        }
    }
    if (mask_secret_name(name, n))
        mask_add(s->value);
}

void mask_add_settings(void)
{
    settings_known = 1;
    if (collected) /* a line was printed while the config file was read */
        conf_each("LWRAP_", add_setting, NULL);
}

static size_t max_len(size_t a, size_t b)
{
    return a > b ? a : b;
}

static int ident_char(char c)
{
    return c == '_' || c == '-' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
           (c >= '0' && c <= '9');
}

static int blank(char c)
{
    return c == ' ' || c == '\t';
}

/* Where an unquoted value ends: a blank, ',', ';', '&', a quote (or the end). */
static int value_end(char c)
{
    return c == '\0' || strchr(" \t,;&\"'", c) != NULL;
}

static size_t word_len(const char *v, size_t len, size_t i)
{
    size_t e = i;
    while (e < len && !value_end(v[e]))
        e++;
    return e - i;
}

/* An HTTP authorization scheme: its credential is the next word. */
static int auth_scheme(const char *w, size_t n)
{
    static const char *const schemes[] = {"Bearer", "Basic", "Digest", "Token", "Bot"};
    for (size_t k = 0; k < sizeof schemes / sizeof *schemes; k++)
        if (strlen(schemes[k]) == n && strncasecmp(w, schemes[k], n) == 0)
            return 1;
    return 0;
}

/* An unquoted secret value at v[i]: one word, or two when the first is an auth scheme
 * (Authorization: Bearer eyJ...). */
static size_t plain_value_len(const char *v, size_t len, size_t i)
{
    size_t n = word_len(v, len, i), e = i + n;
    if (!auth_scheme(v + i, n) || e >= len || !blank(v[e]))
        return n;
    while (e < len && blank(v[e]))
        e++;
    size_t more = word_len(v, len, e);
    return more ? e + more - i : n;
}

/* A value in quotes, from v[i] (just after the opening quote q) up to the closing one,
 * or to the end when there is none: blanks and commas inside are part of it. */
static size_t quoted_len(const char *v, size_t len, size_t i, char q)
{
    const char *close = memchr(v + i, q, len - i);
    return close ? (size_t)(close - v) - i : len - i;
}

/* The end of the key whose value starts at v[j]: KEY=v, KEY: v (a header, YAML),
 * "KEY": v (JSON), or --key v (an option and its value, blanks between). 0: none. */
static size_t key_end(const char *v, size_t j, int *option)
{
    *option = 0;
    if (v[j - 1] == '=')
        return j - 1;
    size_t k = j;
    while (k > 0 && blank(v[k - 1]))
        k--;
    if (k > 0 && v[k - 1] == ':')
        return k - 1;
    *option = k < j;
    return k < j ? k : 0;
}

/* The value of a secret-looking key, starting at v[i] (the key's forms: key_end):
 * PASSWORD=x, db_password='single quoted' (up to the closing quote),
 * {"password":"x"}, --password x, Authorization: Bearer x. */
static size_t assigned_at(const char *v, size_t len, size_t i)
{
    size_t j = i;
    char q = 0;
    if (j > 0 && (v[j - 1] == '"' || v[j - 1] == '\''))
        q = v[--j];
    else if (value_end(v[i]))
        return 0; /* no value starts here; also keeps the look back over blanks linear */
    int option;
    size_t e = j > 0 ? key_end(v, j, &option) : 0;
    if (e == 0)
        return 0;
    if (!option && v[e - 1] == '"') /* "KEY": */
        e--;
    size_t b = e;
    while (b > 0 && ident_char(v[b - 1]))
        b--;
    if (b == e || (option && v[b] != '-') || !name_secret(v + b, e - b))
        return 0;
    return q ? quoted_len(v, len, i, q) : plain_value_len(v, len, i);
}

/* Bearer TOKEN anywhere (a header pasted into a value without its name). */
static size_t bearer_at(const char *v, size_t len, size_t i)
{
    if (value_end(v[i]))
        return 0; /* as in assigned_at */
    size_t k = i;
    while (k > 0 && blank(v[k - 1]))
        k--;
    if (k == i || k < 6 || strncasecmp(v + k - 6, "Bearer", 6) != 0 ||
        (k > 6 && ident_char(v[k - 7])))
        return 0;
    return word_len(v, len, i);
}

/* The userinfo of scheme://USERINFO@host, from v[i] just after "://": up to the LAST '@'
 * before the host ends (a password may hold '@'), 0 when there is none. */
static size_t userinfo_len(const char *v, size_t len, size_t i)
{
    size_t at = i;
    for (size_t e = i; e < len && !strchr("/?# \t\"'", v[e]); e++)
        if (v[e] == '@')
            at = e;
    return at - i;
}

/* scheme://user:PASSWORD@host, the password starting at v[i]. */
static size_t url_password_at(const char *v, size_t len, size_t i)
{
    if (i == 0 || v[i - 1] != ':')
        return 0;
    size_t b = i - 1;
    while (b > 0 && !strchr("/@: \t", v[b - 1]))
        b--;
    if (b < 3 || memcmp(v + b - 3, "://", 3) != 0)
        return 0;
    size_t end = b + userinfo_len(v, len, b);
    return end > i ? end - i : 0;
}

/* A user name that is a token (git's https://TOKEN@github.com/): a known token prefix,
 * or 20 or more letters, digits and -_. with both letters and digits among them. */
static int token_like(const char *s, size_t n)
{
    static const char *const prefixes[] = {"ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_",
                                           "glpat-", "xoxb-", "xoxp-", "npm_"};
    for (size_t k = 0; k < sizeof prefixes / sizeof *prefixes; k++)
        if (n > strlen(prefixes[k]) && strncmp(s, prefixes[k], strlen(prefixes[k])) == 0)
            return 1;
    int letter = 0, digit = 0;
    for (size_t k = 0; k < n; k++) {
        char c = s[k];
        digit |= c >= '0' && c <= '9';
        letter |= (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
        if (!ident_char(c) && c != '.')
            return 0;
    }
    return n >= 20 && letter && digit;
}

/* scheme://TOKEN@host: userinfo with no ':' that looks like a token. */
static size_t url_user_at(const char *v, size_t len, size_t i)
{
    if (i < 3 || memcmp(v + i - 3, "://", 3) != 0)
        return 0;
    size_t n = userinfo_len(v, len, i);
    return n && !memchr(v + i, ':', n) && token_like(v + i, n) ? n : 0;
}

/* A known secret at s[0..n): all of it, or a copy cut short (at least PREFIX_MIN bytes of
 * its start, ending where the text's value ends: a truncated AWS_SESSION_TOKEN in
 * another variable). How many bytes match, or 0. */
#define PREFIX_MIN 16
static size_t known_secret_len(const char *s, size_t n, size_t k)
{
    size_t m = 0, max = secret_len[k] < n ? secret_len[k] : n;
    while (m < max && s[m] == secrets[k][m])
        m++;
    if (m == secret_len[k])
        return m;
    return m >= PREFIX_MIN && value_end(s[m]) ? m : 0;
}

/* Length of the longest secret that starts at v[i], or 0. Where several secret values
 * start at the same place the longest wins ("prod" and "prod-S3cr3t"). */
static size_t secret_at(const char *v, size_t len, size_t i)
{
    const char *s = v + i;
    size_t n = len - i, best = key_id_at(s, n);
    for (size_t k = 0; k < n_secrets; k++)
        if (secrets[k][0] == s[0])
            best = max_len(best, known_secret_len(s, n, k));
    best = max_len(best, assigned_at(v, len, i));
    best = max_len(best, bearer_at(v, len, i));
    best = max_len(best, url_user_at(v, len, i));
    return max_len(best, url_password_at(v, len, i));
}

/* End of the masked run that starts with a k-byte secret at i: a secret starting
 * inside the run and reaching past it extends the run, so overlapping secrets
 * leave no piece of either in clear. */
static size_t masked_end(const char *value, size_t len, size_t i, size_t k)
{
    size_t end = i + k;
    for (size_t j = i + 1; j < end; j++)
        end = max_len(end, j + secret_at(value, len, j));
    return end;
}

void mask_value(const char *name, size_t n, const char *value)
{
    if (name && mask_secret_name(name, n)) {
        line_str(MASK);
        return;
    }
    if (!collected)
        collect();
    size_t len = strlen(value), done = 0;
    for (size_t i = 0; i < len;) {
        size_t k = secret_at(value, len, i);
        if (k == 0) {
            i++;
            continue;
        }
        line_escaped(value + done, i - done);
        line_str(MASK);
        i = masked_end(value, len, i, k);
        done = i;
    }
    line_escaped(value + done, len - done);
}

int mask_secret_option(const char *word)
{
    return word[0] == '-' && !strchr(word, '=') && name_secret(word, strlen(word));
}
