/* See config_mask.h. */
#include "config_mask.h"

#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../wrapper/names.h"
#include "logs.h"

#define MASK_MIN 4 /* as lwrap's: shorter values would mask ordinary words */
#define MAX_VALUES 64

static struct {
    const char *v;
    size_t n;
} values[MAX_VALUES];
static unsigned nvalues;

/* A copy that lasts the process (the program may overwrite its environment strings): a
 * static arena first, then a private mapping; without either, the string itself. */
static const char *keep(const char *v, size_t n)
{
    static char arena[8192];
    static size_t used;
    if (n <= sizeof arena - used) {
        memcpy(arena + used, v, n);
        used += n;
        return arena + used - n;
    }
    void *m = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        return v;
    memcpy(m, v, n);
    return m;
}

void config_mask_init(void)
{
    static int done;
    if (__atomic_exchange_n(&done, 1, __ATOMIC_ACQ_REL))
        return;
    extern char **environ;
    for (char **e = environ; e && *e && nvalues < MAX_VALUES; e++) {
        const char *eq = strchr(*e, '=');
        /* lwrap's settings and the Parameters and Secrets extension's options are named
         * after secrets without holding one (LWRAP_SECRET_API_KEY=prod/api), as lwrap
         * judges them; what LWRAP_SET_DB_PASSWORD set is DB_PASSWORD by now. */
        if (!eq || strncmp(*e, "LWRAP_", 6) == 0 || strncmp(*e, "PARAMETERS_SECRETS_EXTENSION_", 29) == 0 ||
            !name_secret(*e, (size_t)(eq - *e)))
            continue;
        size_t n = strlen(eq + 1);
        if (n < MASK_MIN)
            continue;
        /* Longest first: one value that is a prefix of another must not leave its rest. */
        unsigned at = nvalues++;
        for (; at > 0 && values[at - 1].n < n; at--)
            values[at] = values[at - 1];
        values[at].v = keep(eq + 1, n);
        values[at].n = n;
    }
}

/* p[a..b) becomes "****" (p is n long; returns the new length). */
static size_t mask_span(char *p, size_t n, size_t a, size_t b)
{
    size_t m = b - a < 4 ? b - a : 4;
    memset(p + a, '*', m);
    memmove(p + a + m, p + b, n - b);
    return n - (b - a - m);
}

static bool ident_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/* Where a value quoted after NAME= or a URL's password ends: a blank, a separator or a
 * quote (as lwrap's rule). */
static size_t value_end(const char *p, size_t n, size_t i, const char *stops)
{
    while (i < n && !strchr(stops, p[i]))
        i++;
    return i;
}

/* scheme://user:PASSWORD@host: the password, up to the '@' before the host ends. */
static size_t mask_url_passwords(char *p, size_t n)
{
    for (size_t i = 0; i + 3 <= n; i++) {
        if (memcmp(p + i, "://", 3) != 0)
            continue;
        size_t host = i + 3, end = value_end(p, n, host, "/ \t\n\"'?#");
        size_t at = end;
        while (at > host && p[at - 1] != '@')
            at--;
        if (at == host)
            continue;
        const char *colon = memchr(p + host, ':', at - 1 - host);
        if (colon && (size_t)(colon - p) + 1 < at - 1)
            n = mask_span(p, n, (size_t)(colon - p) + 1, at - 1);
    }
    return n;
}

/* NAME=value and --name=value with a secret-looking NAME: the value. */
static size_t mask_named_values(char *p, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        if (p[i] != '=')
            continue;
        size_t s = i;
        while (s > 0 && ident_char(p[s - 1]))
            s--;
        if (s == i || !name_secret(p + s, i - s))
            continue;
        size_t end = value_end(p, n, i + 1, " \t\n,;&\"'");
        if (end > i + 1)
            n = mask_span(p, n, i + 1, end);
    }
    return n;
}

size_t config_mask(char *p, size_t n)
{
    config_mask_init();
    n = logs_mask_secrets(p, n);
    for (unsigned k = 0; k < nvalues; k++)
        n = logs_mask_value(p, n, values[k].v, values[k].n);
    n = mask_url_passwords(p, n);
    return mask_named_values(p, n);
}
