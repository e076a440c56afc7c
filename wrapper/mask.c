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

/* NAME=value with a secret-looking NAME, the value starting at v[i]
 * (LWRAP_UNSET='AWS_SESSION_TOKEN=IQo...', --db-password=x): up to a blank, a comma,
 * a semicolon, an ampersand or a quote. */
static size_t assigned_at(const char *v, size_t len, size_t i)
{
    if (i == 0 || v[i - 1] != '=')
        return 0;
    size_t b = i - 1;
    while (b > 0 && ident_char(v[b - 1]))
        b--;
    if (!name_secret(v + b, i - 1 - b))
        return 0;
    size_t e = i;
    while (e < len && !strchr(" \t,;&\"'", v[e]))
        e++;
    return e - i;
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
    size_t e = i;
    while (e < len && !strchr("/@ \t", v[e]))
        e++;
    return e < len && v[e] == '@' ? e - i : 0;
}

/* Length of the longest secret that starts at v[i], or 0. Where several secret values
 * start at the same place the longest wins ("prod" and "prod-S3cr3t"). */
static size_t secret_at(const char *v, size_t len, size_t i)
{
    const char *s = v + i;
    size_t n = len - i, best = key_id_at(s, n);
    for (size_t k = 0; k < n_secrets; k++)
        if (secret_len[k] <= n && secret_len[k] > best && secrets[k][0] == s[0] &&
            memcmp(s, secrets[k], secret_len[k]) == 0)
            best = secret_len[k];
    best = max_len(best, assigned_at(v, len, i));
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
