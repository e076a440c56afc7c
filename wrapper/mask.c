/* Masking: values of secret-looking variables are never printed, and neither are
 * those values when they turn up inside other values or arguments (${TOKEN} in
 * LWRAP_ARGS), nor anything shaped like an AWS access key id. */
#include "mask.h"

#include "env.h"
#include "names.h"
#include "out.h"

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

static char **start_env;

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

/* The longest secret value starting at s: a short secret that is a prefix of a
 * longer one ("prod" and "prod-S3cr3t") must not leave the longer one's rest in
 * clear, whatever the environment order. */
static size_t secret_in(char **env, const char *s, size_t n)
{
    size_t best = 0;
    for (char **e = env; e && *e; e++) {
        const char *eq = strchr(*e, '=');
        /* the value's first byte first: the name's test is the costly one */
        if (!eq || eq[1] != *s)
            continue;
        size_t vl = strlen(eq + 1);
        if (vl >= MASK_MIN && vl <= n && vl > best && memcmp(s, eq + 1, vl) == 0 &&
            name_secret(*e, (size_t)(eq - *e)) && !only_names_a_secret(*e, (size_t)(eq - *e)))
            best = vl;
    }
    return best;
}

static size_t max_len(size_t a, size_t b)
{
    return a > b ? a : b;
}

/* Length of the longest secret that starts at s, or 0. Both the starting and the
 * edited environment count: LWRAP_UNSET of a credential does not make it printable. */
static size_t secret_at(const char *s, size_t n)
{
    size_t k = max_len(secret_in(start_env, s, n), secret_in(env_vector(), s, n));
    return max_len(k, key_id_at(s, n));
}

/* End of the masked run that starts with a k-byte secret at i: a secret starting
 * inside the run and reaching past it extends the run, so overlapping secrets
 * leave no piece of either in clear. */
static size_t masked_end(const char *value, size_t len, size_t i, size_t k)
{
    size_t end = i + k;
    for (size_t j = i + 1; j < end; j++)
        end = max_len(end, j + secret_at(value + j, len - j));
    return end;
}

void mask_value(const char *name, size_t n, const char *value)
{
    if (name && name_secret(name, n)) {
        line_str(MASK);
        return;
    }
    size_t len = strlen(value), done = 0;
    for (size_t i = 0; i < len;) {
        size_t k = secret_at(value + i, len - i);
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
