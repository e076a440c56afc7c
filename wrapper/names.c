/* Variable names: validity (execline rejects names with '=' for the same reason: a
 * bad name silently becomes a different variable) and secret detection for output. */
#include "names.h"

#include <string.h>
#include <strings.h>

int name_valid(const char *s, size_t n)
{
    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        int alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
        if (!alpha && !(i > 0 && c >= '0' && c <= '9'))
            return 0;
    }
    return 1;
}

int name_contains(const char *s, size_t n, const char *needle)
{
    size_t k = 0;
    while (needle[k])
        k++;
    for (size_t i = 0; i + k <= n; i++)
        if (strncasecmp(s + i, needle, k) == 0)
            return 1;
    return 0;
}

/* Case-insensitive: Lambda users spell names every way (DD_API_KEY, dbPassword). PASS
 * covers PASSWORD, PASSWD, PASSPHRASE; PWD is DB_PWD, not the shell's PWD. */
int name_secret(const char *s, size_t n)
{
    static const char *const words[] = {"SECRET", "TOKEN", "PASS", "PWD", "AUTH", "DSN",
                                        "CREDENTIAL", "PRIVATE", "KEY", "HEADERS"};
    if ((n == 3 && strncmp(s, "PWD", 3) == 0) || (n == 6 && strncmp(s, "OLDPWD", 6) == 0))
        return 0;
    for (size_t w = 0; w < sizeof words / sizeof *words; w++)
        if (name_contains(s, n, words[w]))
            return 1;
    return 0;
}
