/* Secret masking for everything lwrap prints (--explain, LWRAP_DEBUG). */
#ifndef LWRAP_MASK_H
#define LWRAP_MASK_H
#include <stddef.h>

/* The environment lwrap started with (its secrets stay masked after LWRAP_UNSET). */
void mask_init(char **envp);
/* Writes value to the current line (escaped): all of it masked when name looks
 * secret, else with any secret's value and any AWS access key id masked inside it. */
void mask_value(const char *name, size_t n, const char *value);

#endif
