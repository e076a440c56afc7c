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
#include "names.h"
#include "out.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

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
    struct fetch f;
};

static struct item *items;
static size_t nitems, items_cap;
static char *redact; /* "A,B,C": the names set from fetched values */
static size_t redact_len;
static int override;
static const char *prefix = "";
static unsigned short ports[3];

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
        struct item *n = realloc(items, items_cap * sizeof *items);
        if (!n)
            die(125, "out of memory", NULL);
        items = n;
    }
    struct item *it = &items[nitems++];
    memset(it, 0, sizeof *it);
    it->src = src;
    it->s = *s;
    return it;
}

static void drop_last(void)
{
    nitems--;
}

/* LWRAP_SSM_<NAME>=/path and LWRAP_SECRET_<NAME>=id[#key] */
static void one_named(const struct setting *s, void *arg)
{
    enum fetch_src src = *(const enum fetch_src *)arg;
    size_t plen = src == SRC_SSM ? 10 : 13;
    const char *name = s->name + plen;
    size_t n = s->name_len - plen;
    struct item *it = add(src, s);
    if (n == 0 || !name_valid(name, n)) {
        char *nm = copy(name, n);
        report_setting(s, n ? "\"" : "empty variable name", n ? nm : NULL,
                       "\" is not a valid variable name (letters, digits, _; no leading digit)",
                       NULL);
        free(nm);
        drop_last();
        return;
    }
    const char *v = s->value, *hash = src == SRC_SECRET ? strchr(v, '#') : NULL;
    size_t idlen = hash ? (size_t)(hash - v) : strlen(v);
    if (idlen == 0 || (hash && !hash[1])) {
        report_setting(s, idlen ? "empty key after \"#\"" : "empty ",
                       idlen ? NULL : src == SRC_SSM ? "parameter name" : "secret id", NULL);
        drop_last();
        return;
    }
    it->name = copy(name, n);
    it->name_len = n;
    it->id = copy(v, idlen);
    it->key = hash ? copy(hash + 1, strlen(hash + 1)) : NULL;
}

/* LWRAP_APPCONFIG=APP/ENV/PROFILE[,APP/ENV/PROFILE...] */
static void appconfig_list(void)
{
    struct setting s;
    if (!conf_get("LWRAP_APPCONFIG", &s))
        return;
    for (const char *p = s.value; *p;) {
        while (*p == ',' || *p == ' ')
            p++;
        const char *q = p;
        while (*q && *q != ',')
            q++;
        size_t n = (size_t)(q - p);
        while (n && p[n - 1] == ' ')
            n--;
        if (n) {
            const char *a = memchr(p, '/', n), *b = a ? memchr(a + 1, '/', (size_t)(p + n - a - 1)) : NULL;
            if (!a || !b || a == p || b == a + 1 || b + 1 == p + n ||
                memchr(b + 1, '/', (size_t)(p + n - b - 1))) {
                char *c = copy(p, n);
                report_setting(&s, "\"", c, "\": expected APPLICATION/ENVIRONMENT/PROFILE", NULL);
                free(c);
            } else {
                add(SRC_APPCONFIG, &s)->id = copy(p, n);
            }
        }
        p = q;
    }
}

/* ---- the extension that is not there ---- */

static int has_extension(const char *needle)
{
    DIR *d = opendir(EXT_DIR);
    int found = 0;
    if (!d)
        return 0;
    for (struct dirent *e; !found && (e = readdir(d));)
        found = strcasestr(e->d_name, needle) != NULL;
    closedir(d);
    return found;
}

/* Refused: when /opt/extensions holds no such extension, nothing will ever listen
 * there, so waiting out the budget would only delay the start. tag 1: AppConfig. */
static const char *refused(const struct fetch *f)
{
    static int checked[2], absent[2];
    static char why[2][200];
    int i = f->tag == SRC_APPCONFIG;
    if (!checked[i]) {
        checked[i] = 1;
        absent[i] = !has_extension(i ? "appconfig" : "ParametersAndSecrets");
        char d[24];
        strcpy(why[i], "nothing listens on localhost:");
        strcat(why[i], decimal(d, f->port));
        strcat(why[i], i ? " and " EXT_DIR " has no AppConfig agent (add the layer "
                           "AWS-AppConfig-Extension)"
                         : " and " EXT_DIR " has no Parameters and Secrets extension (add the "
                           "layer AWS-Parameters-and-Secrets-Lambda-Extension)");
    }
    return absent[i] ? why[i] : NULL;
}

/* ---- settings ---- */

static unsigned short port_of(const char *var, unsigned short dflt)
{
    const char *v = env_get(var, strlen(var));
    if (!v || !*v)
        return dflt;
    unsigned long p = 0;
    const char *q = v;
    while (*q >= '0' && *q <= '9' && p <= 65535)
        p = p * 10 + (unsigned long)(*q++ - '0');
    if (*q || p == 0 || p > 65535) {
        char d[24];
        /* (the value unquoted: the name holds "SECRETS", so lwrap's output would mask it) */
        report_item(var, "not a port number; using ", decimal(d, dflt), NULL);
        return dflt;
    }
    return (unsigned short)p;
}

static unsigned timeout_ms(void)
{
    struct setting s;
    if (!conf_get("LWRAP_FETCH_TIMEOUT_MS", &s) || !*s.value)
        return DEFAULT_TIMEOUT_MS;
    unsigned long v = 0;
    const char *q = s.value;
    while (*q >= '0' && *q <= '9' && v <= MAX_TIMEOUT_MS)
        v = v * 10 + (unsigned long)(*q++ - '0');
    if (*q || v == 0 || v > MAX_TIMEOUT_MS) {
        report_setting(&s, "expected milliseconds from 1 to 60000, got \"", s.value,
                       "\"; using 3000", NULL);
        return DEFAULT_TIMEOUT_MS;
    }
    return (unsigned)v;
}

static int override_flag(void)
{
    struct setting s;
    if (!conf_get("LWRAP_FETCH_OVERRIDE", &s) || !*s.value || strcmp(s.value, "0") == 0)
        return 0;
    if (strcmp(s.value, "1") == 0)
        return 1;
    report_setting(&s, "expected 1 or 0, got \"", s.value, "\"", NULL);
    return 0;
}

/* A variable already set (and not empty) keeps its value unless LWRAP_FETCH_OVERRIDE=1. */
static int kept(const char *name, size_t n)
{
    const char *cur = env_get(name, n);
    return !override && cur && *cur;
}

static void note_from(const char *verb, const char *name, const struct item *it, const char *tail)
{
    char label[256];
    size_t n = it->s.name_len < sizeof label - 1 ? it->s.name_len : sizeof label - 1;
    memcpy(label, it->s.name, n);
    label[n] = '\0';
    note_text(verb, name, "=<from ", src_name[it->src], it->id, it->key ? "#" : "",
              it->key ? it->key : "", "> (", label, tail, ")", NULL);
}

static void remember(const char *name, size_t n)
{
    char *r = realloc(redact, redact_len + n + 2);
    if (!r)
        die(125, "out of memory", NULL);
    redact = r;
    if (redact_len)
        redact[redact_len++] = ',';
    memcpy(redact + redact_len, name, n);
    redact_len += n;
    redact[redact_len] = '\0';
}

/* Exports one fetched value; reports what stops it. */
static void export(const struct item *it, const char *name, size_t n, const char *v, size_t vl)
{
    if (n + 1 + vl + 1 > VAR_MAX) {
        report_setting(&it->s, name, " from ", src_name[it->src], it->id,
                       ": the value is longer than 128 KiB, the kernel's limit for one variable",
                       NULL);
        return;
    }
    char *val = copy(v, vl);
    env_set_quiet(name, n, val);
    free(val);
    remember(name, n);
}

/* ---- AppConfig's variables ---- */

struct cfg_ctx {
    const struct item *it;
};

static void cfg_put(void *ctx, const char *key, size_t klen, const char *val, size_t vlen)
{
    const struct item *it = ((struct cfg_ctx *)ctx)->it;
    size_t pl = strlen(prefix);
    char *name = xmalloc(pl + klen + 1);
    memcpy(name, prefix, pl);
    memcpy(name + pl, key, klen);
    name[pl + klen] = '\0';
    if (!name_valid(name, pl + klen)) {
        report_setting(&it->s, "appconfig:", it->id, ": \"", name,
                       "\" is not a valid variable name (letters, digits, _; no leading digit)",
                       NULL);
    } else if (kept(name, pl + klen)) {
        note_text("keep ", name, " (already set; LWRAP_FETCH_OVERRIDE=1 replaces it) (LWRAP_APPCONFIG ",
                  it->id, ")", NULL);
    } else {
        export(it, name, pl + klen, val, vlen);
        note_text("set ", name, "=<from appconfig:", it->id, "> (LWRAP_APPCONFIG)", NULL);
    }
    free(name);
}

static void cfg_bad(void *ctx, const char *key, size_t klen, const char *why)
{
    const struct item *it = ((struct cfg_ctx *)ctx)->it;
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

static void fail(const struct item *it, const char *why, unsigned budget)
{
    char d[24];
    int budget_ran_out = strstr(why, "time budget") != NULL;
    if (it->name)
        report_setting(&it->s, it->name, " from ", src_name[it->src], it->id,
                       it->key ? "#" : "", it->key ? it->key : "", ": ", why,
                       budget_ran_out ? " (LWRAP_FETCH_TIMEOUT_MS=" : "",
                       budget_ran_out ? decimal(d, budget) : "", budget_ran_out ? ")" : "", NULL);
    else
        report_setting(&it->s, "appconfig:", it->id, ": ", why,
                       budget_ran_out ? " (LWRAP_FETCH_TIMEOUT_MS=" : "",
                       budget_ran_out ? decimal(d, budget) : "", budget_ran_out ? ")" : "", NULL);
}

static void finish_item(const struct item *it, unsigned budget)
{
    char reason[FETCH_REASON_MAX];
    const struct fetch *f = &it->f;
    if (f->fail) {
        fail(it, f->fail, budget);
        return;
    }
    if (it->src == SRC_APPCONFIG) {
        struct cfg_ctx c = {it};
        struct fetch_sink sink = {cfg_put, cfg_bad, &c};
        const char *why = fetch_config(f->status, f->body, f->body_len, f->ctype, f->ctype_len,
                                       &sink, reason);
        if (why)
            fail(it, why, budget);
        return;
    }
    char *v;
    size_t vl;
    const char *why = fetch_value(it->src, it->key, f->status, f->body, f->body_len, &v, &vl, reason);
    if (why) {
        fail(it, why, budget);
        return;
    }
    export(it, it->name, it->name_len, v, vl);
    free(v);
    note_from("set ", it->name, it, "");
}

static long long ms_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void fetch_apply(void)
{
    static const enum fetch_src ssm = SRC_SSM, secret = SRC_SECRET;
    conf_each("LWRAP_SSM_", one_named, (void *)&ssm);
    conf_each("LWRAP_SECRET_", one_named, (void *)&secret);
    appconfig_list();
    if (nitems == 0)
        return; /* the usual case: not one system call spent here */
    override = override_flag();
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
    size_t nf = 0;
    for (size_t i = 0; i < nitems; i++) {
        struct item *it = &items[i];
        it->f.fail = NULL;
        it->f.status = -1; /* not asked */
        if (it->name && kept(it->name, it->name_len)) {
            note_from("keep ", it->name, it, "; already set, LWRAP_FETCH_OVERRIDE=1 replaces it");
            continue;
        }
        if (diag_explain) { /* a dry run asks nobody: it runs anywhere, with no side effect */
            if (it->name)
                note_from("set ", it->name, it, "; not fetched under --explain");
            else
                note_text("set the variables of appconfig:", it->id,
                          " (LWRAP_APPCONFIG; not fetched under --explain)", NULL);
            continue;
        }
        if (it->src != SRC_APPCONFIG && tok_bad) {
            fail(it, tok_bad, budget);
            continue;
        }
        memset(&fs[nf], 0, sizeof fs[nf]);
        fs[nf].port = ports[it->src];
        fs[nf].tag = (int)it->src;
        fs[nf].request = fetch_request(it->src, it->id, strlen(it->id), fs[nf].port, tok,
                                       &fs[nf].request_len);
        it->f.status = (int)nf++; /* index into fs until the answers are in */
    }
    if (nf) {
        long long t0 = ms_now();
        fetch_all(fs, nf, budget, refused);
        char d[24], d2[24];
        note_text("fetched ", decimal(d, nf), nf == 1 ? " value in " : " values in ",
                  decimal(d2, (unsigned long long)(ms_now() - t0)), " ms", NULL);
    }
    for (size_t i = 0; i < nitems; i++) {
        struct item *it = &items[i];
        if (it->f.status < 0 || it->f.fail)
            continue;
        size_t k = (size_t)it->f.status;
        free((char *)fs[k].request);
        it->f = fs[k];
        finish_item(it, budget);
        free(fs[k].buf);
    }
    free(fs);
}

void fetch_export_redact(void)
{
    if (redact_len)
        env_set_quiet("_LWRAP_REDACT_VARS", 18, redact);
}
