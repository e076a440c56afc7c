/* Fetched variables (see fetch_env.h). The settings are collected first, from the
 * environment and the config file alike; only when there is one does lwrap make any
 * system call for them. Values are never printed: notes and errors say
 * "<from ssm:/path>", and the fetched names go to the preload's redaction list. */
#include "fetch_env.h"

#include "conf.h"
#include "diag.h"
#include "env.h"
#include "fetch.h"
#include "fetch_sources.h"
#include "mask.h"
#include "names.h"
#include "out.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Long enough for an extension that is still starting (its server is up within tens of
 * milliseconds) and for its first, uncached call to SSM, KMS or Secrets Manager (tens to
 * a few hundred ms); short enough to leave most of Lambda's 10 s init to the function
 * when an extension hangs. */
#define DEFAULT_TIMEOUT_MS 3000
#define MAX_TIMEOUT_MS 60000
#define SSM_PORT 2773
#define APPCONFIG_PORT 2772
/* The kernel's limit for one "NAME=value" string (MAX_ARG_STRLEN, 32 pages). */
#define VAR_MAX 131072
#define EXT_DIR "/opt/extensions"

static const char *const src_name[] = {"ssm:", "secret:", "appconfig:"};

struct item {
    enum fetch_src src;
    struct setting s;
    const char *name; /* the variable (NUL-terminated copy); NULL for AppConfig */
    size_t name_len;
    const char *id;   /* path, secret id or APP/ENV/PROFILE (copy) */
    const char *key;  /* a JSON secret's key, or NULL */
    const char *label; /* the setting's name, NUL-terminated */
};

static struct item *items;
static size_t nitems, items_cap;
static char *redact; /* "A,B,C": the names set from fetched values */
static size_t redact_len;
static int override;
static const char *prefix = "";
static unsigned short ports[3];

/* Names no fetched value sets, whoever chose them: what changes how the process is
 * loaded (LD_*, PATH: which programs run), how lwrap works (LWRAP_*, _LWRAP_*), what
 * Lambda gives the runtime (AWS_LAMBDA_*, _HANDLER, LAMBDA_TASK_ROOT, ...), the
 * credentials and the trace header. A configuration store is not where these belong. */
#define RESERVED_WHY "reserved name: a fetched value never sets PATH, LD_*, LWRAP_*, _LWRAP_*, " \
    "AWS_LAMBDA_*, the Lambda runtime's, the credential or the X-Ray variables"

static int reserved(const char *name, size_t n)
{
    /* a trailing '*': every name that starts so */
    static const char list[] = "PATH\0_HANDLER\0LAMBDA_TASK_ROOT\0LAMBDA_RUNTIME_DIR\0"
                               "AWS_ACCESS_KEY_ID\0AWS_SECRET_ACCESS_KEY\0AWS_SESSION_TOKEN\0"
                               "_X_AMZN_TRACE_ID\0LWRAP_*\0_LWRAP_*\0LD_*\0AWS_LAMBDA_*\0"
                               "_AWS_XRAY_*\0";
    for (const char *p = list; *p; p += strlen(p) + 1) {
        size_t k = strlen(p), star = p[k - 1] == '*';
        k -= star;
        if ((star ? n >= k : n == k) && memcmp(name, p, k) == 0)
            return 1;
    }
    return 0;
}

static char *copy(const char *s, size_t n)
{
    char *c = xmalloc(n + 1);
    memcpy(c, s, n);
    c[n] = '\0';
    return c;
}

static struct item *add(enum fetch_src src, const struct setting *s)
{
    if (nitems == items_cap) {
        items_cap = items_cap * 2 + 8;
        items = xgrow(items, nitems * sizeof *items, items_cap * sizeof *items);
    }
    struct item *it = &items[nitems++];
    memset(it, 0, sizeof *it);
    it->src = src;
    it->s = *s;
    it->label = copy(s->name, s->name_len);
    return it;
}

/* LWRAP_SSM_<NAME>=/path and LWRAP_SECRET_<NAME>=id[#key] */
static void one_named(const struct setting *s, void *arg)
{
    enum fetch_src src = *(const enum fetch_src *)arg;
    size_t plen = src == SRC_SSM ? 10 : 13;
    const char *name = s->name + plen;
    size_t n = s->name_len - plen;
    const char *v = s->value, *hash = src == SRC_SECRET ? strchr(v, '#') : NULL;
    size_t idlen = hash ? (size_t)(hash - v) : strlen(v);
    if (!name_valid(name, n)) {
        report_setting(s, n ? "not a valid variable name (letters, digits, _; no leading digit)"
                            : "empty variable name", NULL);
    } else if (reserved(name, n)) {
        report_setting(s, RESERVED_WHY, NULL);
    } else if (idlen == 0 || (hash && !hash[1])) {
        report_setting(s, idlen ? "empty key after \"#\"" : "empty ",
                       idlen ? NULL : src == SRC_SSM ? "parameter name" : "secret id", NULL);
    } else {
        struct item *it = add(src, s);
        it->name = copy(name, n);
        it->name_len = n;
        it->id = copy(v, idlen);
        it->key = hash ? copy(hash + 1, strlen(hash + 1)) : NULL;
    }
}

/* One APP/ENV/PROFILE of LWRAP_APPCONFIG: three non-empty parts. */
static void appconfig_one(const char *p, size_t n, void *arg)
{
    const struct setting *s = arg;
    const char *a = memchr(p, '/', n), *b = a ? memchr(a + 1, '/', (size_t)(p + n - a - 1)) : NULL;
    char *c = copy(p, n);
    if (!a || !b || a == p || b == a + 1 || b + 1 == p + n || strchr(c + (b + 1 - p), '/')) {
        report_setting(s, "\"", c, "\": expected APPLICATION/ENVIRONMENT/PROFILE", NULL);
        free(c);
    } else {
        add(SRC_APPCONFIG, s)->id = c;
    }
}

/* LWRAP_APPCONFIG=APP/ENV/PROFILE[,APP/ENV/PROFILE...] */
static void appconfig_list(void)
{
    struct setting s;
    if (conf_get("LWRAP_APPCONFIG", &s))
        conf_items(s.value, appconfig_one, &s);
}

/* ---- the extension that is not there ---- */

/* Whether EXT_DIR has an entry whose name contains needle (raw getdents64: opendir
 * would pull calloc and readdir into the static binary for one loop). */
static int has_extension(const char *needle)
{
    struct ent {
        unsigned long long ino;
        long long off;
        unsigned short reclen;
        unsigned char type;
        char name[];
    };
    char buf[4096] __attribute__((aligned(8)));
    int fd = open(EXT_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC), found = 0;
    if (fd < 0)
        return 0;
    for (long n; !found && (n = syscall(SYS_getdents64, fd, buf, sizeof buf)) > 0;)
        for (long at = 0; !found && at < n; at += ((struct ent *)(buf + at))->reclen)
            found = name_contains(((struct ent *)(buf + at))->name,
                                  strlen(((struct ent *)(buf + at))->name), needle);
    close(fd);
    return found;
}

/* Refused: when /opt/extensions holds no such extension, nothing will ever listen
 * there, so waiting out the budget would only delay the start. tag 1: AppConfig. */
static const char *refused(const struct fetch *f)
{
    static int checked[2], absent[2];
    int i = f->tag == SRC_APPCONFIG;
    if (!checked[i]) {
        checked[i] = 1;
        absent[i] = !has_extension(i ? "appconfig" : "parametersandsecrets");
    }
    if (!absent[i])
        return NULL;
    return i ? "nothing listens, and " EXT_DIR " has no AppConfig agent: add the layer "
               "AWS-AppConfig-Extension"
             : "nothing listens, and " EXT_DIR " has no Parameters and Secrets extension: add "
               "the layer AWS-Parameters-and-Secrets-Lambda-Extension";
}

/* ---- settings ---- */

/* A decimal number from 1 to max, or 0. */
static unsigned long number(const char *q, unsigned long max)
{
    unsigned long v = 0;
    while (*q >= '0' && *q <= '9' && v <= max)
        v = v * 10 + (unsigned long)(*q++ - '0');
    return *q || v > max ? 0 : v;
}

static unsigned short port_of(const char *var, unsigned short dflt)
{
    const char *v = env_get(var, strlen(var));
    unsigned long p = v && *v ? number(v, 65535) : dflt;
    /* (quoting it is safe: mask.c knows PARAMETERS_SECRETS_EXTENSION_* holds no secret) */
    if (!p)
        report_item(var, "expected a port number from 1 to 65535, got \"", v, "\"", NULL);
    return p ? (unsigned short)p : dflt;
}

static unsigned timeout_ms(void)
{
    struct setting s;
    if (!conf_get("LWRAP_FETCH_TIMEOUT_MS", &s) || !*s.value)
        return DEFAULT_TIMEOUT_MS;
    unsigned long v = number(s.value, MAX_TIMEOUT_MS);
    if (!v) {
        report_setting(&s, "expected milliseconds from 1 to 60000, got \"", s.value, "\"", NULL);
        return DEFAULT_TIMEOUT_MS;
    }
    return (unsigned)v;
}

/* A variable already set (and not empty) keeps its value unless LWRAP_FETCH_OVERRIDE=1. */
static int kept(const char *name, size_t n)
{
    const char *cur = env_get(name, n);
    return !override && cur && *cur;
}

#define KEEP "; already set, LWRAP_FETCH_OVERRIDE=1 replaces it"

static void note_from(const char *verb, const char *name, const struct item *it, const char *tail)
{
    note_text(verb, name, "=<from ", src_name[it->src], it->id, it->key ? "#" : "",
              it->key ? it->key : "", "> (", it->label, tail, ")", NULL);
}

static void remember(const char *name, size_t n)
{
    redact = xgrow(redact, redact_len ? redact_len + 1 : 0, redact_len + n + 2);
    if (redact_len)
        redact[redact_len++] = ',';
    memcpy(redact + redact_len, name, n);
    redact_len += n;
    redact[redact_len] = '\0';
}

/* Exports one fetched value and notes it (never the value); reports what stops it.
 * Returns whether it was exported. */
static int export(const struct item *it, const char *name, size_t n, const char *v, size_t vl)
{
    if (n + 1 + vl + 1 > VAR_MAX) {
        report_setting(&it->s, name, " from ", src_name[it->src], it->id,
                       ": the value is longer than 128 KiB, the kernel's limit for one variable",
                       NULL);
        return 0;
    }
    char *val = copy(v, vl);
    env_set_quiet(name, n, val);
    /* Whatever name it went to, a fetched value is a secret in lwrap's own lines too (a
     * preset or LWRAP_ARGS may print the variable later); kept until the exec. */
    if (!mask_add(val))
        free(val);
    remember(name, n);
    note_from("set ", name, it, "");
    return 1;
}

/* ---- AppConfig's variables ---- */

static void cfg_put(void *ctx, const char *key, size_t klen, const char *val, size_t vlen)
{
    const struct item *it = ctx;
    size_t pl = strlen(prefix);
    char *name = xmalloc(pl + klen + 1);
    memcpy(name, prefix, pl);
    memcpy(name + pl, key, klen);
    name[pl + klen] = '\0';
    if (!name_valid(name, pl + klen)) {
        report_setting(&it->s, "appconfig:", it->id, ": \"", name,
                       "\" is not a valid variable name (letters, digits, _; no leading digit)",
                       NULL);
    } else if (reserved(name, pl + klen)) {
        report_setting(&it->s, "appconfig:", it->id, ": \"", name, "\": " RESERVED_WHY, NULL);
    } else if (kept(name, pl + klen)) {
        note_from("keep ", name, it, KEEP);
    } else {
        export(it, name, pl + klen, val, vlen);
    }
    free(name);
}

static void cfg_bad(void *ctx, const char *key, size_t klen, const char *why)
{
    const struct item *it = ctx;
    char *k = copy(key, klen);
    report_setting(&it->s, "appconfig:", it->id, ": \"", k, "\": ", why, NULL);
    free(k);
}

/* ---- the whole step ---- */

static const char *token_problem(const char *tok)
{
    if (!tok || !*tok)
        return "AWS_SESSION_TOKEN is not set (the extension wants it in "
               "X-Aws-Parameters-Secrets-Token)";
    for (const char *p = tok; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            return "AWS_SESSION_TOKEN holds a control character; not sent";
    return NULL;
}

/* "NAME from ssm:/path: why" (AppConfig: "appconfig:A/E/P: why"); a failure to get an
 * answer at all (f) says where it was asked, and the budget when that ran out. */
static void fail(const struct item *it, const char *why, const struct fetch *f, unsigned budget)
{
    char d[24], d2[24];
    int t = f && f->fail, b = t && f->timed_out;
    report_setting(&it->s, it->name ? it->name : "", it->name ? " from " : "",
                   src_name[it->src], it->id, it->key ? "#" : "", it->key ? it->key : "", ": ",
                   why, t ? " (localhost:" : "", t ? decimal(d, f->port) : "",
                   b ? ", LWRAP_FETCH_TIMEOUT_MS=" : "", b ? decimal(d2, budget) : "", t ? ")" : "",
                   NULL);
}

/* Whether the item's value was exported (AppConfig: its configuration read). */
static int finish_item(const struct item *it, const struct fetch *f, unsigned budget)
{
    char reason[FETCH_REASON_MAX];
    if (f->fail) {
        fail(it, f->fail, f, budget);
        return 0;
    }
    if (it->src == SRC_APPCONFIG) {
        struct fetch_sink sink = {cfg_put, cfg_bad, (void *)it};
        const char *why = fetch_config(f->status, f->body, f->body_len, f->ctype, f->ctype_len,
                                       &sink, reason);
        if (why)
            fail(it, why, NULL, budget);
        return !why;
    }
    char *v;
    size_t vl;
    const char *why = fetch_value(it->src, it->key, f->status, f->body, f->body_len, &v, &vl, reason);
    if (why) {
        fail(it, why, NULL, budget);
        return 0;
    }
    int done = export(it, it->name, it->name_len, v, vl);
    free(v);
    return done;
}

void fetch_apply(void)
{
    static const enum fetch_src ssm = SRC_SSM, secret = SRC_SECRET;
    conf_each("LWRAP_SSM_", one_named, (void *)&ssm);
    conf_each("LWRAP_SECRET_", one_named, (void *)&secret);
    appconfig_list();
    if (nitems == 0)
        return; /* the usual case: not one system call spent here */
    override = conf_flag("LWRAP_FETCH_OVERRIDE");
    const char *pre = conf_value("LWRAP_APPCONFIG_PREFIX");
    prefix = pre ? pre : "";
    unsigned budget = timeout_ms();
    ports[SRC_SSM] = ports[SRC_SECRET] = port_of("PARAMETERS_SECRETS_EXTENSION_HTTP_PORT", SSM_PORT);
    ports[SRC_APPCONFIG] = port_of("AWS_APPCONFIG_EXTENSION_HTTP_PORT", APPCONFIG_PORT);
    /* The extension compares the header with its own copy of the session token: the
     * one Lambda started lwrap with, whatever the edits did. */
    const char *tok = getenv("AWS_SESSION_TOKEN");
    const char *tok_bad = token_problem(tok);

    struct fetch *fs = xmalloc(nitems * sizeof *fs);
    memset(fs, 0, nitems * sizeof *fs);
    size_t nf = 0;
    for (size_t i = 0; i < nitems; i++) {
        struct item *it = &items[i];
        if (it->name && kept(it->name, it->name_len)) {
            note_from("keep ", it->name, it, KEEP);
        } else if (diag_explain) { /* a dry run asks nobody: it runs anywhere, no side effect */
            note_from("set ", it->name ? it->name : "<each name>", it,
                      "; not fetched under --explain");
        } else if (it->src != SRC_APPCONFIG && tok_bad) {
            fail(it, tok_bad, NULL, budget);
        } else {
            fs[i].port = ports[it->src];
            fs[i].tag = (int)it->src;
            fs[i].request = fetch_request(it->src, it->id, strlen(it->id), fs[i].port, tok,
                                          &fs[i].request_len);
            nf++;
        }
    }
    long long t0 = fetch_now_ms(), t1 = t0;
    if (nf) {
        fetch_all(fs, nitems, budget, refused);
        t1 = fetch_now_ms();
    }
    size_t got = 0;
    for (size_t i = 0; i < nitems; i++) {
        if (!fs[i].request)
            continue;
        got += (size_t)finish_item(&items[i], &fs[i], budget);
        free((char *)fs[i].request);
        free(fs[i].buf);
    }
    if (nf) { /* after the items' lines: only what was exported counts as fetched */
        char d[24], d1[24], d2[24];
        note_text("fetched ", decimal(d, got), " of ", decimal(d1, nf),
                  nf == 1 ? " value in " : " values in ",
                  decimal(d2, (unsigned long long)(t1 - t0)), " ms", NULL);
    }
    free(fs);
}

void fetch_export_redact(void)
{
    if (redact_len)
        env_set_quiet("_LWRAP_REDACT_VARS", 18, redact);
}
