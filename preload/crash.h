/* The crash report (LWRAP_CRASH=1); signals.c calls it from its handler. */
#ifndef LWRAP_CRASH_H
#define LWRAP_CRASH_H

#include <signal.h>

/* From the constructor: loads what the report needs (libgcc_s for backtrace()). */
void crash_prepare(void);

/* From the handler of SIGSEGV, SIGBUS, SIGFPE, SIGILL or SIGABRT: the report, to stderr
 * and /tmp/lwrap-crash-<request-id>.txt. Async-signal-safe. */
void crash_report(int sig, const siginfo_t *si);

/* "SIGSEGV" for SIGSEGV (the deadly signals; "?" for others). Async-signal-safe. */
const char *crash_signal_name(int sig);

#endif
