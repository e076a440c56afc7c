/* Value rules (values.h). The messages and the accepted values follow the preload's
 * (config.c, log_init.c, log_level.c, log_importtime.c, trace_otlp.c): the differential
 * test in tests/wrapper-strict.bats runs both on the same values. */
#include "values.h"

#include "otlp_url.h"

#include "conf.h"
#include "diag.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define PRELOAD_PATH_MAX 255 /* the preload keeps paths and URLs in 256-byte buffers */

int value_flag_on(const char *v)
{
    return strcmp(v, "1") == 0 || strcmp(v, "on") == 0 || strcmp(v, "true") == 0;
}

/* v is one of the '|'-terminated words of list. */
static int listed(const char *list, const char *v, int nocase)
{
    size_t n = strlen(v);
    for (const char *w = list; *w; w = strchr(w, '|') + 1) {
        size_t k = (size_t)(strchr(w, '|') - w);
        if (k == n && (nocase ? strncasecmp(w, v, n) : strncmp(w, v, n)) == 0)
            return 1;
    }
    return 0;
}

/* Only decimal digits, as the preload's parsers read numbers (no sign, no blanks). */
static int in_range(const char *v, unsigned long min, unsigned long max)
{
    unsigned long long x = 0;
    if (!*v)
        return 0;
    for (; *v; v++) {
        if (*v < '0' || *v > '9')
            return 0;
        x = x * 10 + (unsigned)(*v - '0');
        if (x > max)
            return 0;
    }
    return x >= min;
}

static const char *path_error(const char *v, unsigned flags)
{
    struct stat st;
    if (v[0] != '/')
        return ": not an absolute path";
    if (strlen(v) > PRELOAD_PATH_MAX)
        return ": longer than 255 bytes";
    if ((flags & VF_FILE_NAME) && v[strlen(v) - 1] == '/')
        return ": ends in '/' (want a file's path, not a directory's)";
    if ((flags & VF_REGULAR) && stat(v, &st) == 0 && !S_ISREG(st.st_mode))
        return ": not a regular file";
    return NULL;
}

/* http://HOST[:PORT][/PATH], read as the preload reads it (otlp_url.c, shared). */
static const char *url_error(const char *v)
{
    struct otlp_url u;
    return otlp_url_parse(v, &u);
}

int value_ok(const struct setting *s, const struct value_rule *r, int report)
{
    const char *v = s->value, *why = NULL;
    if (r->kind == V_ANY || !*v || ((r->flags & VF_OFF) && strcmp(v, "off") == 0))
        return 1;
    switch (r->kind) {
    case V_WORDS:
        if (listed(r->accept, v, r->flags & VF_NOCASE))
            return 1;
        if (report)
            report_outcome(s, r->outcome, "unknown ", r->noun, " \"", v, "\" (want ", r->want, ")", NULL);
        return 0;
    case V_FLAG:
    case V_NUMBER:
        if (r->kind == V_FLAG ? value_flag_on(v) || strcmp(v, "0") == 0 || strcmp(v, "off") == 0
                              : in_range(v, r->min, r->max))
            return 1;
        if (report)
            report_outcome(s, r->outcome, r->want, ", got \"", v, "\"", NULL);
        return 0;
    case V_PATH:
        why = path_error(v, r->flags);
        break;
    case V_URL:
        why = strlen(v) > PRELOAD_PATH_MAX ? "longer than 255 bytes" : url_error(v);
        break;
    default:
        return 1;
    }
    if (why && report)
        report_outcome(s, r->outcome, v, *why == ':' ? "" : ": ", why, NULL);
    return !why;
}
