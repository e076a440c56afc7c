/* What glibc's cookie streams, which log_stdio.c puts in place of stdout and stderr,
 * cannot do: wide-character output (fwide, putwchar, fputws, wprintf, C++'s std::wcout;
 * a cookie stream has no wide state, and turning it wide would crash inside glibc) and
 * freopen (`freopen("/dev/null", "w", stderr)` would crash too). The first time a
 * program does either to one of ours, that stream goes back to glibc's own FILE for good
 * (its text then reaches the fd as it is, undecorated), and the call is handed the
 * original instead. */
#include "log_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <wchar.h>

#include "real.h"

/* The original FILE behind f when f is one of our cookie streams (turning it back
 * first), else f. */
static FILE *unwide(FILE *f)
{
    FILE *orig = log_stdio_original(f);
    return orig ? orig : f;
}

EXPORT int fwide(FILE *f, int mode)
{
    return REAL(fwide)(mode > 0 ? unwide(f) : f, mode);
}

EXPORT wint_t fputwc(wchar_t c, FILE *f)
{
    return REAL(fputwc)(c, unwide(f));
}

EXPORT wint_t putwc(wchar_t c, FILE *f)
{
    return REAL(fputwc)(c, unwide(f));
}

EXPORT wint_t fputwc_unlocked(wchar_t c, FILE *f)
{
    return REAL(fputwc_unlocked)(c, unwide(f));
}

EXPORT wint_t putwc_unlocked(wchar_t c, FILE *f)
{
    return REAL(fputwc_unlocked)(c, unwide(f));
}

EXPORT wint_t putwchar(wchar_t c)
{
    return REAL(fputwc)(c, unwide(stdout));
}

EXPORT wint_t putwchar_unlocked(wchar_t c)
{
    return REAL(fputwc_unlocked)(c, unwide(stdout));
}

EXPORT int fputws(const wchar_t *s, FILE *f)
{
    return REAL(fputws)(s, unwide(f));
}

EXPORT int fputws_unlocked(const wchar_t *s, FILE *f)
{
    return REAL(fputws_unlocked)(s, unwide(f));
}

EXPORT int vfwprintf(FILE *f, const wchar_t *fmt, va_list ap)
{
    return REAL(vfwprintf)(unwide(f), fmt, ap);
}

EXPORT int vwprintf(const wchar_t *fmt, va_list ap)
{
    return REAL(vfwprintf)(unwide(stdout), fmt, ap);
}

EXPORT int fwprintf(FILE *f, const wchar_t *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = REAL(vfwprintf)(unwide(f), fmt, ap);
    va_end(ap);
    return r;
}

EXPORT int wprintf(const wchar_t *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = REAL(vfwprintf)(unwide(stdout), fmt, ap);
    va_end(ap);
    return r;
}

/* _FORTIFY_SOURCE's variants. */
int __vfwprintf_chk(FILE *f, int flag, const wchar_t *fmt, va_list ap);
int __fwprintf_chk(FILE *f, int flag, const wchar_t *fmt, ...);
int __vwprintf_chk(int flag, const wchar_t *fmt, va_list ap);
int __wprintf_chk(int flag, const wchar_t *fmt, ...);

EXPORT int __vfwprintf_chk(FILE *f, int flag, const wchar_t *fmt, va_list ap)
{
    return REAL(vfwprintf_chk)(unwide(f), flag, fmt, ap);
}

EXPORT int __vwprintf_chk(int flag, const wchar_t *fmt, va_list ap)
{
    return REAL(vfwprintf_chk)(unwide(stdout), flag, fmt, ap);
}

EXPORT int __fwprintf_chk(FILE *f, int flag, const wchar_t *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = REAL(vfwprintf_chk)(unwide(f), flag, fmt, ap);
    va_end(ap);
    return r;
}

EXPORT int __wprintf_chk(int flag, const wchar_t *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = REAL(vfwprintf_chk)(unwide(stdout), flag, fmt, ap);
    va_end(ap);
    return r;
}

EXPORT FILE *freopen(const char *path, const char *mode, FILE *f)
{
    return REAL(freopen)(path, mode, unwide(f));
}

EXPORT FILE *freopen64(const char *path, const char *mode, FILE *f)
{
    return REAL(freopen64)(path, mode, unwide(f));
}
