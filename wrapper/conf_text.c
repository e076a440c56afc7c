/* Parsing the config file's text (see conf_text.h). Every line is checked and reported
 * in a first pass, then the settings are cut out in place into an exactly sized array. */
#include "conf_text.h"

#include "diag.h"
#include "names.h"
#include "split.h"

#include <string.h>

/* One line [s, s+n). Pass 0 (fill == NULL) only validates and reports; pass 1
 * cuts the line in place and fills *fill. Returns 1 for a setting, 0 for a blank
 * or comment line, -1 for an error. */
static int parse_line(char *s, size_t n, unsigned line, const char *path, struct setting *fill)
{
    if (n > 0 && s[n - 1] == '\r')
        n--; /* files edited on Windows */
    while (n > 0 && (*s == ' ' || *s == '\t'))
        s++, n--;
    if (n == 0 || *s == '#')
        return 0;
    /* No environment variable can hold a NUL: the value would silently end there. */
    if (memchr(s, '\0', n)) {
        if (!fill)
            report_file(path, line, "holds a NUL byte (no environment variable can)", NULL);
        return -1;
    }
    char *eq = memchr(s, '=', n);
    if (!eq) {
        if (!fill)
            report_file(path, line, "expected NAME=value", NULL);
        return -1;
    }
    size_t klen = (size_t)(eq - s);
    int bad = !name_valid(s, klen) ? 1
              : strncmp(s, "LWRAP_", 6) != 0 ? 2
              : klen == 12 && memcmp(s, "LWRAP_CONFIG", 12) == 0 ? 3 : 0;
    if (bad) {
        if (!fill) {
            char c = *eq;
            *eq = '\0'; /* restored below: pass 1 reads the same bytes */
            if (bad == 1)
                report_file(path, line, "\"", s, "\" is not a valid name", NULL);
            else if (bad == 2)
                report_file(path, line, s, ": not an lwrap setting (to set ", s,
                            " use LWRAP_SET_", s, ")", NULL);
            else
                report_file(path, line, s, ": only read from the environment", NULL);
            *eq = c;
        }
        return -1;
    }
    /* The value is read as sh reads NAME=VALUE, by the rules LWRAP_ARGS is split with
     * (split.h): LWRAP_ARGS="-X dev"  # a comment  is -X dev. */
    char *v = eq + 1, end = s[n];
    s[n] = '\0'; /* the '\n' or '\r', or the buffer's final NUL: restored in pass 0 */
    const char *err = split_value(v, fill != NULL);
    if (!fill) {
        s[n] = end;
        if (err) {
            *eq = '\0';
            report_file(path, line, s, ": ", err, NULL);
            *eq = '=';
        }
        return err ? -1 : 1;
    }
    if (err)
        return -1; /* reported in pass 0 */
    *eq = '\0';
    fill->name = s;
    fill->name_len = klen;
    fill->value = v;
    fill->line = line;
    return 1;
}

/* Two passes over the text: validate, report and count, then fill an exactly sized array. */
struct setting *conf_parse(char *text, size_t size, const char *path, size_t *count)
{
    struct setting *entries = NULL;
    *count = 0;
    if (size >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) { /* a UTF-8 BOM (Windows editors) */
        text += 3;
        size -= 3;
    }
    for (int pass = 0; pass < 2; pass++) {
        size_t n = 0;
        unsigned line = 0;
        for (char *p = text; p < text + size;) {
            char *nl = memchr(p, '\n', (size_t)(text + size - p));
            char *end = nl ? nl : text + size;
            line++;
            if (parse_line(p, (size_t)(end - p), line, path, pass ? &entries[n] : NULL) == 1)
                n++;
            p = end + 1;
        }
        if (n == 0)
            return NULL;
        if (pass == 0)
            entries = xmalloc(n * sizeof *entries);
        *count = n;
    }
    return entries;
}
