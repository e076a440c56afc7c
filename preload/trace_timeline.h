/* The cold-start timeline file (LWRAP_TRACE_FILE): Chrome trace-event JSON, as Perfetto's
 * UI and chrome://tracing open it. */
#ifndef LWRAP_TRACE_TIMELINE_H
#define LWRAP_TRACE_TIMELINE_H

/* Write (or rewrite) the whole file from the span store: at runtime ready, at init
 * error, at an exit before ready, and after each of the first invokes. */
void trace_timeline_write(void);

/* The same from the handler of a fatal signal (sig) before init ended: outcome
 * crashedBeforeReady (a fault, SIGABRT) or killedBeforeReady, with the signal. Built from
 * static memory with write/open/link/rename only: async-signal-safe, bounded by the span
 * store's size. */
void trace_timeline_write_signal(int sig);

/* signals.c's fatal-signal path, before the signal takes its course: the timeline when
 * the runtime's own process dies of sig before init ended (trace_lifecycle.c). */
void trace_fatal_signal(int sig);

#endif
