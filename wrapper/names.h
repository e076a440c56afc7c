/* What a variable name may be, and which names hold secrets. */
#ifndef LWRAP_NAMES_H
#define LWRAP_NAMES_H
#include <stddef.h>

/* A shell identifier: [A-Za-z_][A-Za-z0-9_]* */
int name_valid(const char *s, size_t n);
/* Credentials and anything named *SECRET*, *TOKEN*, *PASS*, *KEY*, *AUTH*, *DSN*, ... */
int name_secret(const char *s, size_t n);

#endif
