/* Timestamps for records: ISO 8601 in UTC with milliseconds, as Lambda prints them,
 * computed without gmtime_r/locale (no locks, usable from the crash path). */
#include "log_internal.h"

#include <string.h>

static char *two(char *p, unsigned v)
{
    p[0] = (char)('0' + v / 10 % 10);
    p[1] = (char)('0' + v % 10);
    return p + 2;
}

/* The date and time up to the seconds, per thread, for the last second formatted:
 * records come many per second, and the calendar arithmetic is the slow part. */
static __thread struct {
    uint64_t secs;
    char text[20]; /* "2026-11-27T09:45:33." */
} cache __attribute__((tls_model("initial-exec")));

static size_t iso_seconds(uint64_t secs, char *out);

size_t log_iso_time(uint64_t epoch_us, char out[32])
{
    uint64_t secs = epoch_us / 1000000u;
    unsigned ms = (unsigned)(epoch_us / 1000u % 1000u);
    if (cache.secs != secs + 1) {
        iso_seconds(secs, cache.text);
        cache.secs = secs + 1; /* + 1: the zeroed cache never matches */
    }
    memcpy(out, cache.text, 20);
    out[20] = (char)('0' + ms / 100);
    two(out + 21, ms % 100);
    out[23] = 'Z';
    return 24;
}

static size_t iso_seconds(uint64_t secs, char *out)
{
    int64_t days = (int64_t)(secs / 86400u);
    unsigned sod = (unsigned)(secs % 86400u);
    /* Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm). */
    days += 719468;
    int64_t era = days / 146097;
    unsigned doe = (unsigned)(days - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = (int64_t)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    unsigned d = doy - (153 * mp + 2) / 5 + 1;
    unsigned m = mp < 10 ? mp + 3 : mp - 9;
    if (m <= 2)
        y++;
    char *p = out;
    unsigned yy = (unsigned)y;
    p = two(p, yy / 100);
    p = two(p, yy % 100);
    *p++ = '-';
    p = two(p, m);
    *p++ = '-';
    p = two(p, d);
    *p++ = 'T';
    p = two(p, sod / 3600);
    *p++ = ':';
    p = two(p, sod / 60 % 60);
    *p++ = ':';
    p = two(p, sod % 60);
    *p++ = '.';
    return (size_t)(p - out);
}
