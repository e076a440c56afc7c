/* LWRAP_PRESETS: named recipes, each applied only to the runtime family it fits. */
#ifndef LWRAP_PRESETS_H
#define LWRAP_PRESETS_H
#include "family.h"
#include <stddef.h>

#define PRESET_MAX_ARGS 16

struct preset_out {
    const char *args[PRESET_MAX_ARGS]; /* go right after the interpreter */
    size_t nargs;
    const char *preload; /* the preset that needs liblwrap.so, or NULL */
};

/* May replace *rt with a copy lacking conflicting runtime arguments (never edits it). */
void presets_apply(enum family f, char ***rt, size_t *nrt, struct preset_out *out);
/* For --help. */
void presets_list(void);

#endif
