/* The crash report (LWRAP_CRASH=1). */
#ifndef LWRAP_CRASH_H
#define LWRAP_CRASH_H

/* From the constructor: alternate stack, libgcc_s loaded, handlers installed for
 * SIGSEGV, SIGBUS, SIGFPE, SIGILL and SIGABRT. */
void crash_install(void);

#endif
