/* liblwrap.so: exporting its settings from the config file, and adding it to
 * LD_PRELOAD when a feature needs it. */
#ifndef LWRAP_PRELOAD_H
#define LWRAP_PRELOAD_H

/* The preload's settings from the config file go into the environment (the
 * environment wins), so the preload reads them there. */
void preload_export_settings(void);
/* What asks for the preload ("LWRAP_TRACE", ...), or NULL. */
const char *preload_wanted(void);
/* Finds liblwrap.so, appends it to LD_PRELOAD (once) and sets _LWRAP_START_NS. */
void preload_inject(const char *why, const char *why2, unsigned long long start_ns);

#endif
