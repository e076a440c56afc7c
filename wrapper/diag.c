/* Diagnostics and change notes. Every configuration error is one line that names
 * the item and ends in "; ignored": the runtime still starts (fail-open). */
#include "diag.h"

#include "conf.h"
#include "mask.h"
#include "out.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int diag_debug, diag_explain;
unsigned diag_errors;

/* Parts may hold user input (a file's key, a value): escaped, so one line stays one,
 * and masked, since a value quoted back may be a credential in the wrong place. */
static void parts(va_list ap)
{
    for (const char *p; (p = va_arg(ap, const char *));)
        mask_value(NULL, 0, p);
}

static void error_end(void)
{
    line_str("; ignored");
    line_end();
    diag_errors++;
}

void report_item(const char *item, ...)
{
    va_list ap;
    line_start(2);
    line_str("lwrap: ");
    line_str(item);
    line_str(": ");
    va_start(ap, item);
    parts(ap);
    va_end(ap);
    error_end();
}

void report_file(const char *path, unsigned line, ...)
{
    va_list ap;
    line_start(2);
    line_str("lwrap: ");
    line_str(path);
    line_str(":");
    line_uint(line);
    line_str(": ");
    va_start(ap, line);
    parts(ap);
    va_end(ap);
    error_end();
}

static void setting_start(const struct setting *s)
{
    line_start(2);
    line_str("lwrap: ");
    if (s->line) {
        line_str(conf_path);
        line_str(":");
        line_uint(s->line);
        line_str(": ");
    }
    line_mem(s->name, s->name_len);
    line_str(": ");
}

void report_setting(const struct setting *s, ...)
{
    va_list ap;
    setting_start(s);
    va_start(ap, s);
    parts(ap);
    va_end(ap);
    error_end();
}

void report_outcome(const struct setting *s, const char *outcome, ...)
{
    va_list ap;
    setting_start(s);
    va_start(ap, outcome);
    parts(ap);
    va_end(ap);
    line_str("; ");
    line_str(outcome);
    line_end();
    diag_errors++;
}

/* Notes go to stdout for --explain (the output the user asked for), else to stderr
 * for LWRAP_DEBUG, else nowhere. */
static int note_start(void)
{
    if (diag_explain) {
        line_start(1);
        return 1;
    }
    if (diag_debug) {
        line_start(2);
        line_str("lwrap: ");
        return 1;
    }
    return 0;
}

static void note_end(const char *src, const char *src2)
{
    if (src) {
        line_str(" (");
        line_str(src);
        if (src2) {
            line_str(" ");
            line_str(src2);
        }
        line_str(")");
    }
    line_end();
}

void note_set(const char *name, size_t n, const char *value, const char *src, const char *src2)
{
    if (!note_start())
        return;
    line_str("set ");
    line_escaped(name, n);
    line_str("=");
    mask_value(name, n, value);
    note_end(src, src2);
}

void note_unset(const char *name, size_t n, const char *src, const char *src2)
{
    if (!note_start())
        return;
    line_str("unset ");
    line_escaped(name, n);
    note_end(src, src2);
}

/* An argument after a secret-named option (--password, then the password) is masked
 * whole: notes and the argv list come one word at a time. */
static const char *prev_arg;

static void arg_value(const char *word)
{
    if (prev_arg && mask_secret_option(prev_arg))
        line_str("****");
    else
        mask_value(NULL, 0, word);
    prev_arg = word;
}

void note_arg(const char *verb, const char *word, const char *src, const char *src2)
{
    if (!note_start())
        return;
    line_str(verb);
    line_str(" ");
    /* Quoted when a reader could not tell where the word ends (empty, blanks). */
    int q = !*word || strpbrk(word, " \t'\"") != NULL;
    if (q)
        line_str("'");
    arg_value(word);
    if (q)
        line_str("'");
    note_end(src, src2);
}

void note_text(const char *first, ...)
{
    va_list ap;
    if (!note_start())
        return;
    line_str(first);
    va_start(ap, first);
    parts(ap);
    va_end(ap);
    line_end();
}

void explain_argv(char *const *argv)
{
    prev_arg = NULL;
    for (; *argv; argv++) {
        line_start(1);
        line_str("argv ");
        arg_value(*argv);
        line_end();
    }
}

_Noreturn void die(int status, const char *first, ...)
{
    va_list ap;
    line_start(2);
    line_str("lwrap: ");
    line_str(first);
    va_start(ap, first);
    parts(ap);
    va_end(ap);
    line_end();
    _exit(status);
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        die(125, "out of memory", NULL);
    return p;
}

void *xgrow(void *p, size_t old, size_t n)
{
    void *q = xmalloc(n);
    if (old)
        memcpy(q, p, old);
    free(p);
    return q;
}
