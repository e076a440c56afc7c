/* The cold-start timeline file (LWRAP_TRACE_FILE): Chrome trace-event JSON, as Perfetto's
 * UI and chrome://tracing open it. */
#ifndef LWRAP_TRACE_TIMELINE_H
#define LWRAP_TRACE_TIMELINE_H

/* Write (or rewrite) the whole file from the span store: at runtime ready, at init
 * error, at an exit before ready, and after each of the first invokes. */
void trace_timeline_write(void);

#endif
