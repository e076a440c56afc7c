/* Masking for the preload's own "lwrap: ..." lines (config_warn), by the rules lwrap's own
 * lines follow (README: Explain and debug): besides the built-in redaction of log output,
 * the values of secret-looking variables (wrapper/names.c), the value of NAME=value with
 * such a NAME, and the password of a URL. */
#ifndef LWRAP_CONFIG_MASK_H
#define LWRAP_CONFIG_MASK_H

#include <stddef.h>

/* Copies the secret-looking variables' values; from the constructor, before any line.
 * Later calls do nothing. */
void config_mask_init(void);

/* Masks p[0..n) in place; returns the new length (never longer). No allocation, no lock:
 * async-signal-safe. */
size_t config_mask(char *p, size_t n);

#endif
