/* The startup trace (LWRAP_TRACE=text|json|emf): one record when init ends. */
#ifndef LWRAP_TRACE_H
#define LWRAP_TRACE_H

#include <stdbool.h>

#include "fmt.h"

/* Write the record once (later calls do nothing); init_error: init ended with
 * /init/error instead of the first `next`. */
void trace_emit(bool init_error);

/* Init ended (the first `next` is about to leave, or init/error): the record, the
 * timeline file, and the thread that later sends the OTLP spans. */
void trace_init_ended(bool init_error);
/* The nth of the first invokes ended (0: a later one): the timeline is written again
 * with it, and after the first the OTLP spans go (trace_after.c). */
void trace_invoke_ended(unsigned nth);
/* SnapStart: `restore/next` answered (the process was restored); the hooks count the
 * after-restore phase's files, bytes and dlopens until trace_restore_ended, which writes
 * its record (outcome restored, or restoreError: restore/error was sent). */
void trace_restore_started(void);
void trace_restore_ended(bool error);
/* The constructor, in the runtime's process: under Managed Instances, what lets the first
 * of its forked workers to be ready report init (trace_lifecycle.c). */
void trace_lifecycle_init(void);
/* The process ends before init did: the timeline file still comes. */
void trace_exit_before_ready(void);

/* lwrap's start stamp (_LWRAP_START_NS) is there and comes before our constructor: init
 * has an `exec` phase and starts then (config.wrapper_start_ns), else at the constructor. */
bool trace_have_exec(void);

/* s as a JSON string literal, with the built-in redaction of everything the preload
 * prints; bytes that are not UTF-8 become \u00XX (the timeline and OTLP use it too). */
void trace_json_str(struct fmt *f, const char *s);

#endif
