/* Which lines continue the record before them, so that a stack trace is one record:
 * - any indented line (Node "    at ...", Java "\tat ..." / "\t... N more", Python's
 *   "  File ..." and source lines, Ruby "\tfrom ...", pretty-printed objects);
 * - Java's "Caused by: ..." and "Suppressed: ...";
 * - Ruby's unindented "from file.rb:N:in ..." lines;
 * - Python: after "Traceback (most recent call last):" the first unindented line (the
 *   "XError: message" line), then a chained exception ("", "During handling of the
 *   above exception, ...", "The above exception was the direct cause ...", "", the next
 *   "Traceback ...").
 * A JSON-object line (exactly one JSON object: a structured logger's record) is a record
 * of its own: it never continues the record before it and is never continued, whatever
 * its indentation and even when written by the same write as its neighbours (a
 * logger's buffered lines arrive in one write). */
#include "log_internal.h"

#include <string.h>

enum {
    TB_NONE,
    TB_FRAMES,    /* inside a traceback's frames: waiting for the exception line */
    TB_AFTER_EXC, /* after the exception line: a chain may follow */
    TB_GAP,       /* the blank line before/after the chain sentence */
    TB_CHAINED,   /* after the chain sentence */
};

#define TRACEBACK "Traceback (most recent call last):"

static bool starts(const char *line, size_t n, const char *prefix)
{
    size_t k = strlen(prefix);
    return n >= k && memcmp(line, prefix, k) == 0;
}

static bool is_traceback(const char *line, size_t n)
{
    return starts(line, n, TRACEBACK) || starts(line, n, "Exception Group Traceback (most recent call last):");
}

/* A line that is exactly one JSON object. The shape test first: most lines are not. */
static bool json_line(const char *line, size_t n)
{
    size_t a = 0;
    while (a < n && (line[a] == ' ' || line[a] == '\t'))
        a++;
    if (a == n || line[a] != '{') /* the common case, decided at once */
        return false;
    while (n > a && (line[n - 1] == ' ' || line[n - 1] == '\t' || line[n - 1] == '\r'))
        n--;
    if (n - a < 2 || line[a] != '{' || line[n - 1] != '}')
        return false;
    struct log_parsed ps;
    return log_json_object(line + a, n - a, &ps);
}

/* The shape rules: indentation, stack-trace forms, the Python traceback states. */
static bool shape_joins(struct log_cont *c, const char *line, size_t n)
{
    if (n && (line[0] == ' ' || line[0] == '\t'))
        return true;
    switch (c->tb) {
    case TB_FRAMES:
        if (n == 0)
            return true;
        c->tb = TB_AFTER_EXC;
        return true;
    case TB_AFTER_EXC:
        if (n == 0) {
            c->tb = TB_GAP;
            return true;
        }
        break;
    case TB_GAP:
        if (starts(line, n, "During handling of the above exception") ||
            starts(line, n, "The above exception was the direct cause")) {
            c->tb = TB_CHAINED;
            return true;
        }
        if (is_traceback(line, n)) {
            c->tb = TB_FRAMES;
            return true;
        }
        c->tb = TB_NONE;
        return false;
    case TB_CHAINED:
        if (n == 0)
            return true;
        if (is_traceback(line, n)) {
            c->tb = TB_FRAMES;
            return true;
        }
        c->tb = TB_NONE;
        return false;
    default:
        break;
    }
    if (starts(line, n, "Caused by: ") || starts(line, n, "Suppressed: "))
        return true;
    if (starts(line, n, "from ") && memmem(line, n, ":in ", 4))
        return true;
    return false;
}

void log_cont_start(struct log_cont *c, const char *line, size_t n)
{
    c->tb = is_traceback(line, n) ? TB_FRAMES : TB_NONE;
    c->json = json_line(line, n);
}

bool log_cont_open(const struct log_cont *c)
{
    return c->tb == TB_FRAMES || c->tb == TB_CHAINED;
}

bool log_cont_joins_write(struct log_cont *c, const char *line, size_t n, bool same_write)
{
    if (c->json)
        return false;
    bool joins = shape_joins(c, line, n) || same_write;
    return joins && !json_line(line, n);
}
