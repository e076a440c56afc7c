/* What lwrap says: configuration errors (one line each, counted for LWRAP_STRICT)
 * and change notes (stderr under LWRAP_DEBUG=1, stdout under --explain). */
#ifndef LWRAP_DIAG_H
#define LWRAP_DIAG_H
#include <stddef.h>

struct setting;

extern int diag_debug;   /* LWRAP_DEBUG=1: notes on stderr */
extern int diag_explain; /* --explain / LWRAP_DRY_RUN=1: notes and argv on stdout */
extern unsigned diag_errors;

/* "lwrap: ITEM: PARTS...; ignored". Parts end with NULL. */
void report_item(const char *item, ...);
/* "lwrap: FILE:LINE: PARTS...; ignored" */
void report_file(const char *path, unsigned line, ...);
/* Names the variable, or the file and line it came from: "lwrap: F:3: LWRAP_X: ...". */
void report_setting(const struct setting *s, ...);
/* The same, ending in "; OUTCOME" instead (a preload setting: "using off", as the
 * preload says it). */
void report_outcome(const struct setting *s, const char *outcome, ...);

/* Change notes. src2 may be NULL ("LWRAP_PRESETS", "java-fast-start"). */
void note_set(const char *name, size_t n, const char *value, const char *src, const char *src2);
void note_unset(const char *name, size_t n, const char *src, const char *src2);
void note_arg(const char *verb, const char *word, const char *src, const char *src2);
/* Free text, no masking: parts end with NULL. */
void note_text(const char *first, ...);
/* --explain: one line per final argument. */
void explain_argv(char *const *argv);

/* Launcher failures: "lwrap: PARTS..." then exit(status). */
_Noreturn void die(int status, const char *first, ...);
/* malloc or exit 125: lwrap cannot do its job without the memory. */
void *xmalloc(size_t n);
/* p (old bytes of it kept) moved into a new block of n bytes: realloc without pulling
 * musl's realloc (1.5 KiB) into the static binary. */
void *xgrow(void *p, size_t old, size_t n);

#endif
