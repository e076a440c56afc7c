/* Secret masking for everything lwrap prints (--explain, LWRAP_DEBUG, error lines). */
#ifndef LWRAP_MASK_H
#define LWRAP_MASK_H
#include <stddef.h>

/* The secrets of the environment lwrap started with. */
void mask_init(char **envp);
/* The values of secret-looking settings (LWRAP_SET_DB_PASSWORD): after conf_load,
 * before the first note. */
void mask_add_settings(void);
/* One more secret value, kept by pointer (it must live until exec); 0 when too short to be
 * one (not kept). */
int mask_add(const char *value);
/* Whether a variable of that name holds a secret (not LWRAP_SSM_X=/path, which names one). */
int mask_secret_name(const char *name, size_t n);
/* Writes value to the current line (escaped): all of it masked when name looks
 * secret, else with any secret's value and any AWS access key id masked inside it. */
void mask_value(const char *name, size_t n, const char *value);
/* Whether word is an option named like a secret, whose value is the next argument
 * (--password, then the password). */
int mask_secret_option(const char *word);

#endif
