/* Requests and answers of the two extensions (see fetch_sources.h). Paths, query and
 * header, as AWS documents them:
 *   GET /systemsmanager/parameters/get?name=NAME&withDecryption=true   (port 2773)
 *   GET /secretsmanager/get?secretId=ID                                (port 2773)
 *     both with X-Aws-Parameters-Secrets-Token: $AWS_SESSION_TOKEN
 *   GET /applications/APP/environments/ENV/configurations/PROFILE      (port 2772)
 * An answer is the service's own JSON (GetParameter, GetSecretValue), or for AppConfig
 * the configuration itself with its Content-Type. */
#include "fetch_sources.h"

#include "diag.h"
#include "json.h"
#include "names.h"
#include "out.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- requests ---- */

static int unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '_' || c == '.' || c == '~';
}

/* Percent-encodes s[0, n) into out; returns the length written. */
static size_t encode(const char *s, size_t n, char *out)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (unreserved(c)) {
            out[k++] = (char)c;
        } else {
            out[k++] = '%';
            out[k++] = hex[c >> 4];
            out[k++] = hex[c & 15];
        }
    }
    return k;
}

struct buf {
    char *p;
    size_t n;
};

static void put(struct buf *b, const char *s, size_t n)
{
    memcpy(b->p + b->n, s, n);
    b->n += n;
}

static void puts_(struct buf *b, const char *s)
{
    put(b, s, strlen(s));
}

static void put_enc(struct buf *b, const char *s, size_t n)
{
    b->n += encode(s, n, b->p + b->n);
}

static void build(struct buf *b, enum fetch_src src, const char *id, size_t id_len,
                  const char *port, const char *token)
{
    puts_(b, "GET ");
    if (src == SRC_SSM) {
        puts_(b, "/systemsmanager/parameters/get?name=");
        put_enc(b, id, id_len);
        puts_(b, "&withDecryption=true");
    } else if (src == SRC_SECRET) {
        puts_(b, "/secretsmanager/get?secretId=");
        put_enc(b, id, id_len);
    } else {
        /* APP/ENV/PROFILE, each part encoded on its own */
        static const char *const seg[] = {"/applications/", "/environments/", "/configurations/"};
        const char *p = id, *end = id + id_len;
        for (int i = 0; i < 3; i++) {
            const char *q = i < 2 ? memchr(p, '/', (size_t)(end - p)) : end;
            if (!q)
                q = end;
            puts_(b, seg[i]);
            put_enc(b, p, (size_t)(q - p));
            p = q < end ? q + 1 : end;
        }
    }
    puts_(b, " HTTP/1.1\r\nHost: localhost:");
    puts_(b, port);
    puts_(b, "\r\n");
    if (src != SRC_APPCONFIG) {
        puts_(b, "X-Aws-Parameters-Secrets-Token: ");
        puts_(b, token);
        puts_(b, "\r\n");
    }
    puts_(b, "User-Agent: lwrap\r\nAccept: */*\r\nConnection: close\r\n\r\n");
}

char *fetch_request(enum fetch_src src, const char *id, size_t id_len, unsigned short port,
                    const char *token, size_t *len)
{
    char digits[24];
    token = token ? token : "";
    /* every byte of the id may take 3 ("%2F"); the fixed text is under 256 */
    struct buf b = {xmalloc(3 * id_len + strlen(token) + 256), 0};
    build(&b, src, id, id_len, decimal(digits, port), token);
    b.p[b.n] = '\0';
    *len = b.n;
    return b.p;
}

/* ---- answers ---- */

/* reason = "HTTP <status>" + ": " + what the extension said (its JSON error's type and
 * message, or the first line of a text body), cut to fit. */
static void append(char *r, const char *s, size_t n)
{
    size_t have = strlen(r);
    if (have + n >= FETCH_REASON_MAX)
        n = FETCH_REASON_MAX - 1 - have;
    memcpy(r + have, s, n);
    r[have + n] = '\0';
}

static void append_str(char *r, const struct jv *v)
{
    char *tmp = xmalloc(v->n);
    long k = json_string(v, tmp);
    if (k > 0)
        append(r, tmp, (size_t)k);
    free(tmp);
}

static const char *error_reason(int status, const char *body, size_t len,
                                char reason[FETCH_REASON_MAX])
{
    char d[24];
    reason[0] = '\0';
    append(reason, "HTTP ", 5);
    const char *s = decimal(d, (unsigned long long)status);
    append(reason, s, strlen(s));
    struct jv doc, v;
    if (json_parse(body, len, &doc) && doc.type == '{') {
        /* the error's type (first found of 0-3), then its message (4-6) */
        static const char *const keys[] = {"__type", "errorType", "Code", "code",
                                           "message", "Message", "errorMessage"};
        for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
            if (json_get(&doc, keys[i], &v) && v.type == 's') {
                append(reason, ": ", 2);
                append_str(reason, &v);
                i = i < 4 ? 3 : 7;
            }
        size_t k = strlen(reason); /* "...operation: " ends in a blank */
        while (k && (reason[k - 1] == ' ' || reason[k - 1] == ':'))
            reason[--k] = '\0';
        return reason;
    }
    /* text: its first non-empty line */
    const char *p = body, *end = body + len;
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
        p++;
    const char *e = p;
    while (e < end && *e != '\n' && *e != '\r' && *e != '\0')
        e++;
    if (e > p) {
        append(reason, ": ", 2);
        append(reason, p, (size_t)(e - p));
    }
    return reason;
}

/* A scalar as the variable's text: a string decoded, a number or true/false as written.
 * Returns NULL, or why it cannot be a variable. */
static const char *scalar(const struct jv *v, char **out, size_t *n)
{
    switch (v->type) {
    case 's': {
        char *b = xmalloc(v->n);
        long k = json_string(v, b);
        if (k < 0) {
            free(b);
            return "the value holds a NUL byte (\\u0000), which no environment variable can";
        }
        b[k] = '\0';
        *out = b;
        *n = (size_t)k;
        return NULL;
    }
    case 'n':
    case 't':
    case 'f': {
        char *b = xmalloc(v->n + 1);
        memcpy(b, v->s, v->n);
        b[v->n] = '\0';
        *out = b;
        *n = v->n;
        return NULL;
    }
    case 'z':
        return "the value is null";
    case '{':
        return "the value is a JSON object, not a string";
    default:
        return "the value is a JSON array, not a string";
    }
}

static const char *say(char reason[FETCH_REASON_MAX], const char *a, const char *b, const char *c)
{
    reason[0] = '\0';
    append(reason, a, strlen(a));
    if (b)
        append(reason, b, strlen(b));
    if (c)
        append(reason, c, strlen(c));
    return reason;
}

const char *fetch_value(enum fetch_src src, const char *key, int status, const char *body,
                        size_t len, char **value, size_t *vlen, char reason[FETCH_REASON_MAX])
{
    struct jv doc, v, inner;
    if (status != 200)
        return error_reason(status, body, len, reason);
    if (!json_parse(body, len, &doc) || doc.type != '{')
        return "the answer is not a JSON object (malformed JSON)";
    if (src == SRC_SSM) {
        if (!json_get(&doc, "Parameter", &inner) || !json_get(&inner, "Value", &v))
            return "the answer has no Parameter.Value";
        if (v.type != 's')
            return "the answer's Parameter.Value is not a string";
        return scalar(&v, value, vlen);
    }
    if (!json_get(&doc, "SecretString", &v) || v.type != 's') {
        if (json_get(&doc, "SecretBinary", &v))
            return "the secret is binary (SecretBinary): only SecretString can be a variable";
        return "the answer has no SecretString";
    }
    if (!key)
        return scalar(&v, value, vlen);
    /* a key of a JSON secret: the string is itself JSON */
    char *text = xmalloc(v.n);
    long k = json_string(&v, text);
    const char *why = NULL;
    if (k < 0 || !json_parse(text, (size_t)k, &inner) || inner.type != '{')
        why = say(reason, "the secret is not a JSON object, so it has no key \"", key, "\"");
    else if (!json_get(&inner, key, &v))
        why = say(reason, "the secret has no key \"", key, "\"");
    else if ((why = scalar(&v, value, vlen))) {
        const char *w = why;
        say(reason, "key \"", key, "\": ");
        append(reason, w, strlen(w));
        why = reason;
    }
    free(text);
    return why;
}

/* ---- AppConfig ---- */


static const char *config_json(const char *body, size_t len, const struct fetch_sink *sink)
{
    struct jv doc, key, val;
    if (!json_parse(body, len, &doc))
        return "the configuration is malformed JSON";
    if (doc.type != '{')
        return "the configuration is JSON but not an object (want {\"NAME\": \"value\", ...})";
    for (size_t pos = 0; json_member(&doc, &pos, &key, &val);) {
        char *k = xmalloc(key.n), *v;
        long kl = json_string(&key, k);
        size_t vl;
        const char *why = kl < 0 ? "the name holds a NUL byte" : scalar(&val, &v, &vl);
        if (kl < 0)
            kl = 0;
        if (why) {
            sink->bad(sink->ctx, k, (size_t)kl, why);
        } else {
            sink->put(sink->ctx, k, (size_t)kl, v, vl);
            free(v);
        }
        free(k);
    }
    return NULL;
}

/* KEY=value lines, as in lwrap.conf: blank lines and # comments skipped, one pair of
 * surrounding quotes removed. */
static const char *config_lines(const char *body, size_t len, const struct fetch_sink *sink)
{
    if (memchr(body, '\0', len))
        return "the configuration holds a NUL byte";
    unsigned line = 0;
    for (const char *p = body, *end = body + len; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p)), *e = nl ? nl : end;
        const char *next = nl ? nl + 1 : end;
        line++;
        if (e > p && e[-1] == '\r')
            e--;
        while (p < e && (*p == ' ' || *p == '\t'))
            p++;
        if (p == e || *p == '#') {
            p = next;
            continue;
        }
        const char *eq = memchr(p, '=', (size_t)(e - p));
        if (!eq) {
            char where[40] = "line ", d[24];
            const char *num = decimal(d, line);
            memcpy(where + 5, num, strlen(num) + 1);
            sink->bad(sink->ctx, where, strlen(where), "expected NAME=value");
        } else {
            const char *v = eq + 1;
            size_t vl = (size_t)(e - v);
            if (vl >= 2 && (v[0] == '"' || v[0] == '\'') && v[vl - 1] == v[0])
                v++, vl -= 2;
            sink->put(sink->ctx, p, (size_t)(eq - p), v, vl);
        }
        p = next;
    }
    return NULL;
}

const char *fetch_config(int status, const char *body, size_t len, const char *ctype,
                         size_t ctype_len, const struct fetch_sink *sink,
                         char reason[FETCH_REASON_MAX])
{
    if (status != 200)
        return error_reason(status, body, len, reason);
    /* application/x-yaml, application/yaml, text/yaml; application/json[; charset=..] */
    if (name_contains(ctype, ctype_len, "yaml"))
        return "the configuration is YAML: lwrap reads a flat JSON object or NAME=value lines";
    /* (the agent always sends the configuration's type; without one: lines) */
    return name_contains(ctype, ctype_len, "json") ? config_json(body, len, sink)
                                                   : config_lines(body, len, sink);
}
