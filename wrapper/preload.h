/* liblwrap.so: exporting its settings from the config file, and adding it to
 * LD_PRELOAD when a feature needs it. */
#ifndef LWRAP_PRELOAD_H
#define LWRAP_PRELOAD_H

/* The preload's settings from the config file go into the environment (the
 * environment wins), so the preload reads them there. */
void preload_export_settings(void);
/* What asks for the preload ("LWRAP_TRACE", ...), or NULL. */
const char *preload_wanted(void);
/* Whether liblwrap.so can load into the runtime: not into a statically linked program
 * (a Go or Rust bootstrap), which is said in one line naming why (the setting). */
int preload_loads(const char *runtime, const char *why);
/* Finds liblwrap.so, appends it to LD_PRELOAD (once) and sets _LWRAP_START_NS. */
void preload_inject(const char *why, const char *why2, unsigned long long start_ns);

#endif
