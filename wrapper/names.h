/* What a variable name may be, and which names hold secrets. */
#ifndef LWRAP_NAMES_H
#define LWRAP_NAMES_H
#include <stddef.h>

/* A shell identifier: [A-Za-z_][A-Za-z0-9_]* */
int name_valid(const char *s, size_t n);
/* Whether s[0, n) holds needle (lower case), ASCII case ignored. */
int name_contains(const char *s, size_t n, const char *needle);
/* Credentials and anything named *SECRET*, *TOKEN*, *PASS*, *KEY*, *AUTH*, *DSN*, ... */
int name_secret(const char *s, size_t n);

#endif
