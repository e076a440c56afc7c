/* Placeholder until the preload issues: a constructor that does nothing. */
__attribute__((constructor)) static void lwrap_preload_init(void) {}
