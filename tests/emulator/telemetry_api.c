/* Subscriptions: PUT /2022-07-01/telemetry (the Telemetry API) and PUT /2020-08-15/logs
 * (the Logs API it supersedes). The body is validated as AWS documents it (Lambda
 * Telemetry API reference, Subscribe; Lambda Logs API, Buffering configuration): schema
 * version, types, buffering ranges, an HTTP URI with a port or a TCP port, inside the
 * execution environment. Errors are 400 with errorType ValidationError (Telemetry API)
 * or Logs.ValidationError (Logs API), the types AWS's documentation shows; a success is
 * 200 with the body "OK". Subscriptions are taken during init only (after it, 403 as
 * AWS's Runtime Interface Emulator answers); one extension subscribes with one API. */
#include "emu.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ERR_MAX 512

struct verr {
    char msg[ERR_MAX];
};

__attribute__((format(printf, 2, 3))) static void add_err(struct verr *v, const char *fmt, ...)
{
    va_list ap;
    size_t l = strlen(v->msg);
    if (l + 3 >= sizeof v->msg)
        return;
    if (l)
        strcat(v->msg, "; ");
    l = strlen(v->msg);
    va_start(ap, fmt);
    vsnprintf(v->msg + l, sizeof v->msg - l, fmt, ap);
    va_end(ap);
}

static void buffering_value(const char *obj, size_t n, const char *key, int lo, int hi, int *out, struct verr *v)
{
    const char *val;
    size_t vl;
    long long x;
    char msg[160];
    if (!json_member(obj, n, key, &val, &vl))
        return; /* the default */
    if (!json_int(val, vl, &x)) {
        snprintf(msg, sizeof msg, "buffering.%s must be an integer", key);
        add_err(v, "%s", msg);
        return;
    }
    if (x < lo || x > hi) {
        snprintf(msg, sizeof msg, "buffering.%s must be between %d and %d", key, lo, hi);
        add_err(v, "%s", msg);
        return;
    }
    *out = (int)x;
}

/* http://HOST:PORT[/PATH], HOST one of the sandbox's own names */
static void parse_uri(const char *uri, size_t len, struct tel_dest *d, struct verr *v)
{
    /* The URI's path becomes the request line of every POST: a CR/LF in it would add
     * headers of its own there. RFC 3986 has no spaces, control bytes or non-ASCII in a
     * URI (they are percent-encoded), nor a NUL that would end it early here. */
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)uri[i] <= 0x20 || (unsigned char)uri[i] >= 0x7f) {
            add_err(v, "URI must not contain spaces, control characters or non-ASCII bytes (byte %zu is 0x%02x)", i,
                    (unsigned char)uri[i]);
            return;
        }
    if (strncmp(uri, "http://", 7) != 0) {
        add_err(v, "%s", strncmp(uri, "https://", 8) == 0 ? "URI must be http:// (HTTPS is not supported)"
                                                          : "URI must start with http://");
        return;
    }
    const char *h = uri + 7;
    size_t hl = strcspn(h, ":/?#");
    snprintf(d->host, sizeof d->host, "%.*s", (int)hl, h);
    const char *allowed[] = {"sandbox", "sandbox.localdomain", "localhost", "127.0.0.1", "0.0.0.0"};
    bool ok = false;
    for (size_t i = 0; i < sizeof allowed / sizeof *allowed; i++)
        ok |= strcasecmp(d->host, allowed[i]) == 0;
    if (!ok)
        add_err(v, "URI host %s is not in the execution environment (use sandbox.localdomain)", d->host);
    const char *p = h + hl;
    if (*p != ':') {
        add_err(v, "%s", "URI port is not provided");
        return;
    }
    char *end;
    long port = strtol(p + 1, &end, 10);
    if (end == p + 1 || port < 1 || port > 65535 || (*end && *end != '/')) {
        add_err(v, "%s", "URI port is not valid");
        return;
    }
    if (port == 9001)
        add_err(v, "%s", "port 9001 is reserved for the Runtime API");
    d->port = (int)port;
    snprintf(d->path, sizeof d->path, "%s", *end ? end : "/");
}

static void parse_destination(const char *obj, size_t n, struct tel_dest *d, struct verr *v)
{
    const char *val;
    size_t vl;
    struct buf s = {0};
    if (!json_member(obj, n, "destination", &val, &vl)) {
        add_err(v, "%s", "destination is required");
        return;
    }
    if (!json_valid(val, vl, '{')) {
        add_err(v, "%s", "destination must be an object");
        return;
    }
    const char *pv;
    size_t pl;
    if (!json_member(val, vl, "protocol", &pv, &pl) || !json_string(pv, pl, &s) ||
        (strcmp(s.p, "HTTP") != 0 && strcmp(s.p, "TCP") != 0)) {
        add_err(v, "%s", "destination.protocol must be HTTP or TCP");
        buf_free(&s);
        return;
    }
    d->tcp = strcmp(s.p, "TCP") == 0;
    if (d->tcp) {
        long long port;
        if (json_member(val, vl, "port", &pv, &pl)) {
            /* present but wrong is not "missing": say what is wrong with it */
            if (json_int(pv, pl, &port) && port >= 1 && port <= 65535) {
                d->port = (int)port;
                snprintf(d->host, sizeof d->host, "sandbox.localdomain");
            } else {
                add_err(v, "%s", "destination.port must be an integer between 1 and 65535");
            }
        } else if (json_member(val, vl, "URI", &pv, &pl)) {
            if (json_string(pv, pl, &s))
                parse_uri(s.p, s.len, d, v); /* some clients give TCP listeners as a URI too */
            else
                add_err(v, "%s", "destination.URI must be a string");
        } else {
            add_err(v, "%s", "destination.port is required for TCP");
        }
    } else if (json_member(val, vl, "URI", &pv, &pl)) {
        if (json_string(pv, pl, &s))
            parse_uri(s.p, s.len, d, v);
        else
            add_err(v, "%s", "destination.URI must be a string");
    } else {
        add_err(v, "%s", "destination.URI is required for HTTP");
    }
    buf_free(&s);
}

static unsigned parse_types(const char *obj, size_t n, struct verr *v)
{
    const char *val, *el;
    size_t vl, elen, pos = 0;
    unsigned types = 0;
    struct buf s = {0};
    if (!json_member(obj, n, "types", &val, &vl)) {
        add_err(v, "%s", "types is required");
        return 0;
    }
    if (!json_valid(val, vl, '[')) {
        add_err(v, "%s", "types must be an array of strings");
        return 0;
    }
    while (json_array_next(val, vl, &pos, &el, &elen)) {
        if (!json_string(el, elen, &s)) {
            add_err(v, "%s", "types must be strings");
            continue;
        }
        if (strcmp(s.p, "platform") == 0)
            types |= TEL_PLATFORM;
        else if (strcmp(s.p, "function") == 0)
            types |= TEL_FUNCTION;
        else if (strcmp(s.p, "extension") == 0)
            types |= TEL_EXTENSION;
        else
            add_err(v, "unknown type \"%s\" (want platform, function or extension)", s.p);
    }
    if (!types && !v->msg[0])
        add_err(v, "%s", "types should not be empty");
    buf_free(&s);
    return types;
}

static void respond_ok(struct conn *c)
{
    conn_respond(c, 200, "Content-Type: application/json\r\n", "\"OK\"", 4);
}

void telemetry_api_handle(struct conn *c, enum tel_api api)
{
    const struct http_req *r = &c->req;
    const char *verr_type = api == TEL_API_TELEMETRY ? "ValidationError" : "Logs.ValidationError";
    if (strcmp(r->method, "PUT") != 0) {
        conn_respond_json_error(c, 405, "MethodNotAllowed", "subscriptions want PUT");
        return;
    }
    struct ext *e = ext_api_caller(c);
    if (!e)
        return;
    if (E.env != ENV_INIT) {
        conn_respond_json_error(c, 403,
                                api == TEL_API_TELEMETRY ? "Telemetry.SubscriptionClosed" : "Logs.SubscriptionClosed",
                                api == TEL_API_TELEMETRY ? "Telemetry API subscription is closed already"
                                                         : "Logs API subscription is closed already");
        return;
    }
    const char *body = r->body.p ? r->body.p : "";
    size_t n = r->body.len;
    if (r->too_large) {
        conn_respond_json_error(c, 400, verr_type, "the request body is too large");
        return;
    }
    if (!json_valid(body, n, '{')) {
        /* a body that is JSON but not an object, or no JSON at all, is "not a JSON object";
         * one that starts as an object but breaks somewhere (Python's json.dumps writes
         * Infinity for 1e400) gets the place where it breaks */
        size_t at = json_error_offset(), first = 0;
        while (first < n && (body[first] == ' ' || body[first] == '\t' || body[first] == '\r' || body[first] == '\n'))
            first++;
        char msg[160];
        if (first < n && body[first] == '{' && at != SIZE_MAX && at > first) {
            if (at >= n)
                snprintf(msg, sizeof msg, "the request body is not valid JSON: it ends in the middle (after %zu bytes)", n);
            else if ((unsigned char)body[at] > 0x20 && (unsigned char)body[at] < 0x7f)
                snprintf(msg, sizeof msg, "the request body is not valid JSON: unexpected '%c' at offset %zu", body[at],
                         at);
            else
                snprintf(msg, sizeof msg, "the request body is not valid JSON: unexpected byte 0x%02x at offset %zu",
                         (unsigned char)body[at], at);
            conn_respond_json_error(c, 400, verr_type, msg);
        } else {
            conn_respond_json_error(c, 400, verr_type, "the request body is not a JSON object");
        }
        return;
    }
    struct tel_sub_cfg cfg = {.api = api, .max_items = 10000, .max_bytes = 262144, .timeout_ms = 1000};
    struct verr v = {.msg = ""};
    const char *val;
    size_t vl;
    struct buf s = {0};
    if (json_member(body, n, "schemaVersion", &val, &vl) && json_string(val, vl, &s))
        snprintf(cfg.schema, sizeof cfg.schema, "%s", s.p);
    else if (api == TEL_API_LOGS)
        snprintf(cfg.schema, sizeof cfg.schema, "2020-08-15"); /* optional there */
    else
        add_err(&v, "%s", "schemaVersion is required");
    if (cfg.schema[0]) {
        static const char *const tel_versions[] = {"2022-07-01", "2022-12-13", "2025-01-29"};
        static const char *const logs_versions[] = {"2020-08-15", "2021-03-18"};
        const char *const *ok = api == TEL_API_TELEMETRY ? tel_versions : logs_versions;
        size_t nok = api == TEL_API_TELEMETRY ? 3 : 2;
        bool known = false;
        for (size_t i = 0; i < nok; i++)
            known |= strcmp(cfg.schema, ok[i]) == 0;
        if (!known)
            add_err(&v, "unsupported schemaVersion \"%s\"", cfg.schema);
    }
    buf_free(&s);
    cfg.types = parse_types(body, n, &v);
    if (json_member(body, n, "buffering", &val, &vl)) {
        if (!json_valid(val, vl, '{')) {
            add_err(&v, "%s", "buffering must be an object");
        } else {
            buffering_value(val, vl, "maxItems", 1000, 10000, &cfg.max_items, &v);
            buffering_value(val, vl, "maxBytes", 262144, 1048576, &cfg.max_bytes, &v);
            buffering_value(val, vl, "timeoutMs", 25, 30000, &cfg.timeout_ms, &v);
        }
    }
    parse_destination(body, n, &cfg.dest, &v);
    if (v.msg[0]) {
        conn_respond_json_error(c, 400, verr_type, v.msg);
        return;
    }
    enum tel_api other;
    if (tel_subscribed(e->name, &other) && other != api) {
        conn_respond_json_error(c, 400, verr_type,
                                api == TEL_API_TELEMETRY
                                    ? "the extension is subscribed to the Logs API already; use one API"
                                    : "the extension is subscribed to the Telemetry API already; use one API");
        return;
    }
    snprintf(cfg.name, sizeof cfg.name, "%s", e->name);
    tel_subscribe(&cfg);
    tel_subscription_record(api, e->name, cfg.types);
    out_emu("%s: %s subscribed (%s%s%s%s%s) -> %s port %d", api == TEL_API_TELEMETRY ? "Telemetry API" : "Logs API",
            e->name, cfg.types & TEL_PLATFORM ? "platform" : "",
            cfg.types & TEL_PLATFORM && cfg.types & (TEL_FUNCTION | TEL_EXTENSION) ? "," : "",
            cfg.types & TEL_FUNCTION ? "function" : "", cfg.types & TEL_FUNCTION && cfg.types & TEL_EXTENSION ? "," : "",
            cfg.types & TEL_EXTENSION ? "extension" : "", cfg.dest.tcp ? "TCP" : "HTTP", cfg.dest.port);
    respond_ok(c);
}
