/* The LWRAP_* names that mean something, to lwrap or to liblwrap.so: a setting with
 * another name is a typo, reported with the nearest known name. */
#ifndef LWRAP_KNOWN_H
#define LWRAP_KNOWN_H
#include <stddef.h>

enum { KNOWN_WRAPPER = 1, KNOWN_PRELOAD = 2, KNOWN_TOOLS = 4 };

/* Who reads the setting named n[0..len): KNOWN_WRAPPER, KNOWN_PRELOAD (exported from the
 * config file into the runtime's environment), or 0 when nobody does. */
unsigned known_setting(const char *n, size_t len);
/* Whether the value of a known setting follows its rule (silently; an unknown name's
 * value is anyone's). */
struct setting;
int known_value_ok(const struct setting *s);
/* One line for each unknown setting, naming the nearest known one, and for each value
 * that breaks its setting's rule. */
void known_check(void);
/* For --help: every name, a few to a line. */
void known_list(void);

#endif
