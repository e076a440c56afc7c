/* Option values that end up in the Runtime API's headers or in the runtime's environment
 * must be ones Lambda itself would accept: a CR or LF in --function-name used to go
 * verbatim into Lambda-Runtime-Invoked-Function-Arn and add headers of its own to every
 * `next` answer. Checked once, before anything starts. */
#include "emu.h"

#include <stdio.h>
#include <string.h>

/* the value as a C-style quoted string: control bytes and non-ASCII as escapes, so the
 * one-line message stays one line whatever the value holds */
static void quote(char *out, size_t n, const char *v)
{
    size_t o = 0;
    out[o++] = '"';
    for (const unsigned char *p = (const unsigned char *)v; *p && o + 8 < n; p++) {
        if (*p == '\r' || *p == '\n' || *p == '\t')
            o += (size_t)snprintf(out + o, n - o, "\\%c", *p == '\r' ? 'r' : *p == '\n' ? 'n' : 't');
        else if (*p < 0x20 || *p >= 0x7f)
            o += (size_t)snprintf(out + o, n - o, "\\x%02x", *p);
        else if (*p == '"' || *p == '\\')
            o += (size_t)snprintf(out + o, n - o, "\\%c", *p);
        else
            out[o++] = (char)*p;
    }
    out[o++] = '"';
    out[o] = 0;
}

static bool has_control(const char *v)
{
    for (const unsigned char *p = (const unsigned char *)v; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return true;
    return false;
}

/* NULL: every value is fine; else the problem, one line (static storage) */
const char *options_check_values(const struct options *o)
{
    static char msg[512];
    char q[256];
    const char *fn = o->function_name;
    /* Lambda's CreateFunction: FunctionName [a-zA-Z0-9-_]+, at most 64 characters */
    size_t fl = strlen(fn);
    if (!fl || fl > 64 || strspn(fn, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") != fl) {
        quote(q, sizeof q, fn);
        snprintf(msg, sizeof msg, "--function-name %s: want 1-64 letters, digits, '-' or '_' (a Lambda function name)",
                 q);
        return msg;
    }
    /* Lambda's Handler: [^\s]+, at most 128 characters (it becomes _HANDLER) */
    size_t hl = strlen(o->handler);
    bool space = false;
    for (const unsigned char *p = (const unsigned char *)o->handler; *p; p++)
        space |= *p <= 0x20 || *p == 0x7f;
    if (!hl || hl > 128 || space) {
        quote(q, sizeof q, o->handler);
        snprintf(msg, sizeof msg, "--handler %s: want 1-128 characters without spaces or control characters", q);
        return msg;
    }
    /* these two are sent verbatim as header values of every `next` */
    const char *hdr_opts[][2] = {{"--client-context", o->client_context}, {"--cognito-identity", o->cognito}};
    for (size_t i = 0; i < sizeof hdr_opts / sizeof *hdr_opts; i++)
        if (hdr_opts[i][1] && has_control(hdr_opts[i][1])) {
            quote(q, sizeof q, hdr_opts[i][1]);
            snprintf(msg, sizeof msg, "%s %s: control characters (CR, LF, ...) cannot go into an HTTP header",
                     hdr_opts[i][0], q);
            return msg;
        }
    return NULL;
}
