/* Reading the core's settings (see config.h). A bad value gets one line on stderr and
 * the feature stays off: the function must start regardless. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config_mask.h"
#include "fmt.h"
#include "logs.h"
#include "real.h"
#include "trace_otlp.h"

struct lwrap_config config;

/* The line is built whole before it is masked and only then cut to 1 KiB, so a cut
 * cannot leave the start of a secret that no longer matches. */
void config_warn(const char *a, const char *b, const char *c, const char *d)
{
    char buf[4096];
    struct fmt f = fmt_on(buf, sizeof buf - 1);
    fmt_str(&f, "lwrap: ");
    fmt_str(&f, a);
    fmt_str(&f, b ? b : "");
    fmt_str(&f, c ? c : "");
    fmt_str(&f, d ? d : "");
    /* A bad value quoted back may be a credential pasted into the wrong setting
     * (LWRAP_TRACE=$API_TOKEN), or a URL with its password. */
    f.len = config_mask(buf, f.len);
    /* Escaped as lwrap escapes what it quotes back (wrapper/out.c), so a value holding a
     * CR or LF stays on its one line, and both say the same. */
    char line[1024 * 4 + 1];
    size_t n = 0;
    for (size_t i = 0; i < f.len && n < 1024; i++) {
        unsigned char ch = (unsigned char)buf[i];
        if (ch == '\\') {
            line[n++] = '\\';
            line[n++] = '\\';
        } else if (ch < 0x20 || ch == 0x7f) {
            line[n++] = '\\';
            line[n++] = 'x';
            line[n++] = "0123456789abcdef"[ch >> 4];
            line[n++] = "0123456789abcdef"[ch & 15];
        } else {
            line[n++] = (char)ch;
        }
    }
    if (n > 1024)
        n = 1024;
    line[n++] = '\n';
    real_write_all(2, line, n);
}

void config_out_of_memory(const char *what)
{
    static int said;
    if (!__atomic_exchange_n(&said, 1, __ATOMIC_RELAXED))
        config_warn("out of memory: ", what, NULL, NULL);
}

static void copy_env(char *dst, size_t size, const char *name, const char *fallback)
{
    const char *v = getenv(name);
    if (!v || !*v)
        v = fallback;
    size_t n = strlen(v);
    if (n >= size)
        n = size - 1;
    memcpy(dst, v, n);
    dst[n] = 0;
}

/* A setting that is only ever printed (the trace's namespace and function name): given
 * the built-in redaction of everything the preload prints, before it is cut to size, so a
 * cut cannot leave part of a credential that no longer matches. The copy is one
 * credential longer than dst, so one that starts inside what is kept is found whole. */
static void copy_env_shown(char *dst, size_t size, const char *name, const char *fallback)
{
    char v[4096 + 256];
    const char *e = getenv(name);
    if (!e || !*e)
        e = fallback;
    size_t n = strnlen(e, sizeof v);
    memcpy(v, e, n);
    n = logs_mask_secrets(v, n);
    if (n >= size)
        n = size - 1;
    memcpy(dst, v, n);
    dst[n] = 0;
}

static bool flag(const char *name)
{
    const char *v = getenv(name);
    if (!v || !*v || strcmp(v, "0") == 0 || strcmp(v, "off") == 0)
        return false;
    if (strcmp(v, "1") != 0 && strcmp(v, "on") != 0 && strcmp(v, "true") != 0) {
        config_warn(name, ": want 1, on or true, or 0 or off, got \"", v, "\"; ignored");
        return false;
    }
    return true;
}

static bool parse_u64(const char *s, uint64_t *out)
{
    uint64_t v = 0;
    if (!s || !*s)
        return false;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > (UINT64_MAX - 9) / 10)
            return false;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    *out = v;
    return true;
}

/* LWRAP_OBSERVER_LOG: an absolute path to a regular file (created when missing). A
 * relative one would land wherever the runtime's current directory is; a FIFO without a
 * reader blocks the open (the runtime before main), and a device (/dev/stderr, a tty)
 * would put the channel's lines into the function's own output, undecorated. One line
 * says why, and the channel stays off. debuglog.c checks the file again at each open. */
static void load_observer_log(void)
{
    const char *v = getenv("LWRAP_OBSERVER_LOG");
    struct stat st;
    const char *why = NULL;
    if (!v || !*v)
        return;
    if (v[0] != '/')
        why = ": not an absolute path; ignored";
    else if (strlen(v) >= sizeof config.observer_log)
        why = ": longer than 255 bytes; ignored";
    else if (stat(v, &st) == 0 && !S_ISREG(st.st_mode))
        why = ": not a regular file; ignored";
    if (why) {
        config_warn("LWRAP_OBSERVER_LOG: ", v, why, NULL);
        return;
    }
    copy_env(config.observer_log, sizeof config.observer_log, "LWRAP_OBSERVER_LOG", "");
}

/* LWRAP_TRACE_FILE: an absolute path (a relative one would land in the runtime's current
 * directory, /var/task, which is read-only in Lambda) of a file, not of a directory, at
 * most 255 bytes. trace_timeline.c refuses a path that is there but not a regular file. */
static void load_trace_file(void)
{
    const char *v = getenv("LWRAP_TRACE_FILE");
    if (!v || !*v || strcmp(v, "off") == 0)
        return;
    if (v[0] != '/')
        config_warn("LWRAP_TRACE_FILE: ", v, ": not an absolute path; no timeline", NULL);
    else if (strlen(v) >= sizeof config.trace_file)
        config_warn("LWRAP_TRACE_FILE: ", v, ": longer than 255 bytes; no timeline", NULL);
    else if (v[strlen(v) - 1] == '/')
        config_warn("LWRAP_TRACE_FILE: ", v, ": ends in '/' (want a file's path, not a directory's); no timeline", NULL);
    else
        copy_env(config.trace_file, sizeof config.trace_file, "LWRAP_TRACE_FILE", "");
}

/* LWRAP_TRACE_OTLP: http://HOST[:PORT][/PATH] (trace_otlp.c says what it takes);
 * LWRAP_TRACE_OTLP_TIMEOUT_MS: 1 to 10000. */
static void load_trace_otlp(void)
{
    const char *v = getenv("LWRAP_TRACE_OTLP");
    config.trace_otlp_timeout_ms = 200;
    if (!v || !*v || strcmp(v, "off") == 0)
        return;
    if (strlen(v) >= sizeof config.trace_otlp) {
        config_warn("LWRAP_TRACE_OTLP: ", v, ": longer than 255 bytes; no spans sent", NULL);
        return;
    }
    const char *why = trace_otlp_url_error(v);
    if (why) {
        char tail[320];
        struct fmt f = fmt_on(tail, sizeof tail - 1);
        fmt_str(&f, ": ");
        fmt_str(&f, why);
        fmt_str(&f, "; no spans sent");
        tail[f.len] = 0;
        config_warn("LWRAP_TRACE_OTLP: ", v, tail, NULL);
        return;
    }
    copy_env(config.trace_otlp, sizeof config.trace_otlp, "LWRAP_TRACE_OTLP", "");
    const char *t = getenv("LWRAP_TRACE_OTLP_TIMEOUT_MS");
    uint64_t ms;
    if (t && *t && (!parse_u64(t, &ms) || ms < 1 || ms > 10000))
        config_warn("LWRAP_TRACE_OTLP_TIMEOUT_MS: want 1 to 10000, got \"", t, "\"; using 200", NULL);
    else if (t && *t)
        config.trace_otlp_timeout_ms = (unsigned)ms;
}

bool config_trace_spans(void)
{
    return config.trace != TRACE_OFF || config.trace_file[0] || config.trace_otlp[0];
}

void config_load(void)
{
    config_mask_init(); /* before the first line that could quote a value */
    config.pid = getpid();
    const char *t = getenv("LWRAP_TRACE");
    if (!t || !*t || strcmp(t, "off") == 0)
        config.trace = TRACE_OFF;
    else if (strcmp(t, "text") == 0)
        config.trace = TRACE_TEXT;
    else if (strcmp(t, "json") == 0)
        config.trace = TRACE_JSON;
    else if (strcmp(t, "emf") == 0)
        config.trace = TRACE_EMF;
    else
        config_warn("LWRAP_TRACE: unknown format \"", t, "\" (want off, text, json or emf); ignored", NULL);
    config.extension = flag("LWRAP_EXTENSION");
    config.crash = flag("LWRAP_CRASH");
    config.keep_preload = flag("LWRAP_KEEP_PRELOAD");
    load_observer_log();
    load_trace_file();
    load_trace_otlp();
    copy_env_shown(config.trace_namespace, sizeof config.trace_namespace, "LWRAP_TRACE_NAMESPACE", "lwrap");
    copy_env_shown(config.function_name, sizeof config.function_name, "AWS_LAMBDA_FUNCTION_NAME", "");
    const char *mc = getenv("AWS_LAMBDA_MAX_CONCURRENCY");
    config.max_concurrency = mc ? atoi(mc) : 1;
    const char *it = getenv("AWS_LAMBDA_INITIALIZATION_TYPE");
    config.managed_instances = it && strcmp(it, "lambda-managed-instances") == 0;
    config.snapstart = it && strcmp(it, "snap-start") == 0;
    const char *start = getenv("_LWRAP_START_NS");
    config.have_wrapper_start = parse_u64(start, &config.wrapper_start_ns);
    /* Only between lwrap's start and our constructor, else it is not this start's. */
    if (!parse_u64(getenv("_LWRAP_EXEC_NS"), &config.wrapper_exec_ns) || !config.have_wrapper_start ||
        config.wrapper_exec_ns < config.wrapper_start_ns || config.wrapper_exec_ns > config.constructor_ns)
        config.wrapper_exec_ns = 0;
    if (start && *start && !config.have_wrapper_start)
        config_warn("_LWRAP_START_NS: not a number: \"", start, "\"; ignored", NULL);
}
