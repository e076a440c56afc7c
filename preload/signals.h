/* Deaths by signal: held log records and the crash report are written first, and the
 * program cannot tell our handler is there. Owner: preload core (signals.c). */
#ifndef LWRAP_SIGNALS_H
#define LWRAP_SIGNALS_H

#include <stdbool.h>

/* From the constructor. all: every signal whose default action kills (the log pipeline
 * holds records); faults: at least SIGSEGV, SIGBUS, SIGFPE, SIGILL and SIGABRT
 * (LWRAP_CRASH's report, LWRAP_TRACE_FILE's timeline of a crashed init). */
void signals_install(bool all, bool faults);

/* True while our handler is the one installed for SIGSEGV and SIGBUS (it then recovers
 * from a fault of user_mem.c's probe). */
bool signals_faults_ours(void);

/* In a forked child: no lock held. */
void signals_atfork_child(void);

#endif
