/* Variables that hold lists (PATH, NODE_OPTIONS, ...), for LWRAP_APPEND_ and
 * LWRAP_PREPEND_: what separates the entries, and which words belong together. */
#ifndef LWRAP_LISTS_H
#define LWRAP_LISTS_H
#include <stddef.h>

/* old with add's units at the end (prepend: at the front), in add's order; a unit of
 * add already in old is moved there, not repeated. A new exactly sized string, or NULL
 * when the result is old itself (nothing to add or move). */
char *list_merge(const char *name, size_t n, const char *old, const char *add, int prepend);

#endif
