/* Pieces the startup trace's records share (trace.c writes init's, trace_restore.c the
 * after-restore record of SnapStart). */
#ifndef LWRAP_TRACE_RECORD_H
#define LWRAP_TRACE_RECORD_H

#include <stdbool.h>
#include <stddef.h>

#include "fmt.h"
#include "initstats.h"

/* One record out: a telemetry frame when the runtime has the fd, else a stderr line
 * (buf needs one byte of room past len for the newline). */
void trace_put_record(char *buf, size_t len, bool text);
/* A value as the text record shows it (redacted, escaped). */
void trace_text_str(struct fmt *f, const char *s);
/* " dlopen_count=N dlopen_ms=X dlopen_untimed=N[ dlopen=path:ms,...]" of st. */
void trace_text_dlopens(struct fmt *f, const struct initstats *st);
/* ,"filesOpened":N,"bytesRead":N,"dlopenCount":N,"dlopenMs":X,"dlopenUntimed":N,
 * "dlopen":[{"path":..,"ms":..},...] of st (a record's file and library counts). */
void trace_json_stats(struct fmt *f, const struct initstats *st);
/* [{"path":..,"ms":..},...] of st. */
void trace_json_dlopen_list(struct fmt *f, const struct initstats *st);
/* {"Name":name,"Unit":unit} of an EMF metric list, with a comma unless first. */
void trace_emf_metric(struct fmt *f, const char *name, const char *unit, bool first);

#endif
