/* Extensions API (/2020-01-01/extension): register, event/next, init/error,
 * exit/error. External extensions are the files started from --extensions-dir;
 * any other name is an internal extension (inside the runtime process), which
 * may register only until the runtime's first `next`, and never for SHUTDOWN.
 * Status codes, errorTypes and messages follow AWS's Runtime Interface Emulator
 * (lambda/rapi/handler/agentregister.go, agentnext.go, constants.go and
 * lambda/rapi/middleware/middleware.go): every refusal is a 403. */
#include "emu.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ext *ext_by_id(const char *id)
{
    if (!id)
        return NULL;
    for (int i = 0; i < EMU_MAX_EXTENSIONS; i++)
        if (E.exts[i].used && E.exts[i].registered && strcmp(E.exts[i].id, id) == 0)
            return &E.exts[i];
    return NULL;
}

void ext_reset_all(void)
{
    for (int i = 0; i < EMU_MAX_EXTENSIONS; i++) {
        struct ext *e = &E.exts[i];
        if (e->parked)
            conn_close(e->parked);
        if (e->proc && !e->proc->alive)
            proc_free(e->proc);
        else if (e->proc)
            continue; /* still running: keep tracking it */
        buf_free(&e->pending);
        memset(e, 0, sizeof *e);
    }
}

static void respond_event(struct conn *c, const char *ev, size_t n)
{
    char id[EMU_ID_LEN + 1], h[160];
    new_uuid(id);
    snprintf(h, sizeof h, "Content-Type: application/json\r\nLambda-Extension-Event-Identifier: %s\r\n", id);
    conn_respond(c, 200, h, ev, n);
}

/* Events wait in e->pending, NUL-separated, until the extension asks. */
void ext_deliver(struct ext *e, const char *event, size_t n)
{
    e->ready = false;
    if (e->parked) {
        struct conn *c = e->parked;
        e->parked = NULL;
        respond_event(c, event, n);
        return;
    }
    buf_add(&e->pending, event, n);
    buf_addc(&e->pending, 0);
    e->has_pending = true;
}

/* Which events the body asks for; false if it names an unknown one or is not JSON. */
static bool parse_events(const char *body, size_t n, bool *inv, bool *shut, char *bad, size_t badn)
{
    *inv = *shut = false;
    const char *end = body + n;
    const char *k = body ? memmem(body, n, "\"events\"", 8) : NULL;
    if (!k)
        return false;
    const char *p = memchr(k, '[', (size_t)(end - k));
    if (!p)
        return false;
    for (p++; p < end && *p != ']'; p++) {
        if (*p != '"')
            continue;
        const char *q = memchr(p + 1, '"', (size_t)(end - p - 1));
        if (!q)
            return false;
        size_t l = (size_t)(q - p - 1);
        if (l == 6 && memcmp(p + 1, "INVOKE", 6) == 0)
            *inv = true;
        else if (l == 8 && memcmp(p + 1, "SHUTDOWN", 8) == 0)
            *shut = true;
        else {
            snprintf(bad, badn, "%.*s", (int)(l < 100 ? l : 100), p + 1);
            return false;
        }
        p = q;
    }
    return p < end;
}

static void do_register(struct conn *c)
{
    const struct http_req *r = &c->req;
    const char *name = http_header(r, "Lambda-Extension-Name");
    if (!name || !*name) {
        conn_respond_json_error(c, 403, "Extension.InvalidExtensionName", "Empty extension name");
        return;
    }
    bool inv, shut;
    char bad[128] = "";
    if (!parse_events(r->body.p, r->body.len, &inv, &shut, bad, sizeof bad)) {
        if (bad[0]) {
            char msg[200];
            snprintf(msg, sizeof msg, "unknown event type \"%s\"", bad);
            conn_respond_json_error(c, 403, "Extension.InvalidEventType", msg);
        } else {
            conn_respond_json_error(c, 403, "InvalidRequestFormat", "body must be {\"events\":[...]}");
        }
        return;
    }
    if (E.env != ENV_INIT) {
        conn_respond_json_error(c, 403, "Extension.RegistrationClosed", "Extension registration closed already");
        return;
    }
    struct ext *e = NULL;
    for (int i = 0; i < EMU_MAX_EXTENSIONS; i++)
        if (E.exts[i].used && !E.exts[i].internal && strcmp(E.exts[i].name, name) == 0)
            e = &E.exts[i];
    /* Managed Instances take no INVOKE events: external extensions may ask for SHUTDOWN only,
     * internal ones for nothing (AWS's RIE, internal/lambda-managed-instances:
     * core.ValidateExternalAgentEvent, rapi/handler/agentregister.go). */
    if (E.o.managed && e && inv) {
        conn_respond_json_error(c, 403, "Extension.InvalidEventType", "INVOKE: invalid event type");
        return;
    }
    if (E.o.managed && !e && (inv || shut)) {
        conn_respond_json_error(c, 403, "Extension.InvalidEventType", "No events allowed for internal extensions");
        return;
    }
    if (e) {
        if (e->registered) {
            char msg[400];
            snprintf(msg, sizeof msg,
                     "State transition from Registered to Registered failed for extension %s. Error: already registered",
                     e->name);
            conn_respond_json_error(c, 403, "Extension.InvalidExtensionState", msg);
            return;
        }
    } else {
        for (int i = 0; i < EMU_MAX_EXTENSIONS; i++)
            if (E.exts[i].used && E.exts[i].internal && strcmp(E.exts[i].name, name) == 0) {
                conn_respond_json_error(c, 403, "Extension.InvalidExtensionState",
                                        "Extension with this name already registered");
                return;
            }
        if (!life_registration_open()) {
            conn_respond_json_error(c, 403, "Extension.RegistrationClosed", "Extension registration closed already");
            return;
        }
        if (shut) {
            conn_respond_json_error(c, 403, "Extension.InvalidEventType",
                                    "internal extensions cannot register for SHUTDOWN");
            return;
        }
        for (int i = 0; i < EMU_MAX_EXTENSIONS && !e; i++)
            if (!E.exts[i].used)
                e = &E.exts[i];
        if (!e) {
            conn_respond_json_error(c, 403, "Extension.TooManyExtensions", "Extension limit (10) reached");
            return;
        }
        memset(e, 0, sizeof *e);
        e->used = true;
        e->internal = true;
        snprintf(e->name, sizeof e->name, "%s", name);
    }
    e->registered = true;
    e->sub_invoke = inv;
    e->sub_shutdown = shut;
    new_uuid(e->id);
    out_extension(e->name, inv, shut, e->internal);
    tel_extension(e);
    char h[128];
    struct buf b = {0};
    snprintf(h, sizeof h, "Content-Type: application/json\r\nLambda-Extension-Identifier: %s\r\n", e->id);
    buf_adds(&b, "{\"functionName\":");
    buf_json_str(&b, E.o.function_name, strlen(E.o.function_name));
    buf_adds(&b, ",\"functionVersion\":\"$LATEST\",\"handler\":");
    buf_json_str(&b, E.o.handler, strlen(E.o.handler));
    /* Lambda-Extension-Accept-Feature: comma-separated optional features; accountId is
     * the one documented (Extensions API reference, Register) */
    const char *feat = http_header(r, "Lambda-Extension-Accept-Feature");
    for (const char *f = feat; f && *f;) {
        f += strspn(f, " ,");
        size_t l = strcspn(f, " ,");
        if (l == 9 && strncmp(f, "accountId", 9) == 0)
            buf_adds(&b, ",\"accountId\":\"" EMU_ACCOUNT_ID "\"");
        f += l;
    }
    buf_addc(&b, '}');
    conn_respond(c, 200, h, b.p, b.len);
    buf_free(&b);
    life_pump();
}

/* 8-4-4-4-12 hex digits, as Go's uuid.Parse wants them */
static bool is_uuid(const char *s)
{
    if (strlen(s) != EMU_ID_LEN)
        return false;
    for (int i = 0; i < EMU_ID_LEN; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !strchr("0123456789abcdefABCDEF", s[i]) || !s[i])
            return false;
    }
    return true;
}

struct ext *ext_api_caller(struct conn *c)
{
    const char *id = http_header(&c->req, "Lambda-Extension-Identifier");
    if (!id || !*id) {
        conn_respond_json_error(c, 403, "Extension.MissingExtensionIdentifier",
                                "Missing Lambda-Extension-Identifier header");
        return NULL;
    }
    if (!is_uuid(id)) {
        conn_respond_json_error(c, 403, "Extension.InvalidExtensionIdentifier", "Invalid Lambda-Extension-Identifier");
        return NULL;
    }
    struct ext *e = ext_by_id(id);
    if (!e) {
        char msg[80];
        snprintf(msg, sizeof msg, "Unknown extension %s", id);
        conn_respond_json_error(c, 403, "Extension.UnknownExtensionIdentifier", msg);
    }
    return e;
}

static void do_next(struct conn *c)
{
    struct ext *e = ext_api_caller(c);
    if (!e)
        return;
    if (e->parked) {
        char msg[200];
        snprintf(msg, sizeof msg, "State transition from Ready to Ready failed for extension %s. Error: already in next",
                 e->id);
        conn_respond_json_error(c, 403, "Extension.InvalidExtensionState", msg);
        return;
    }
    if (e->has_pending) {
        size_t n = strlen(e->pending.p);
        char *ev = xstrndup(e->pending.p, n);
        buf_consume(&e->pending, n + 1);
        e->has_pending = e->pending.len > 0;
        respond_event(c, ev, n);
        free(ev);
        return;
    }
    c->park = PARK_EXT_NEXT;
    c->park_ref = e;
    e->parked = c;
    e->ready = true;
    life_ext_ready(e);
}

static void do_error(struct conn *c, bool init)
{
    struct ext *e = ext_api_caller(c);
    if (!e)
        return;
    if (init && E.env != ENV_INIT) {
        conn_respond_json_error(c, 403, "Extension.InvalidExtensionState", "init/error is only allowed during init");
        return;
    }
    /* copy what we need: answering frees the request */
    const char *t = http_header(&c->req, "Lambda-Extension-Function-Error-Type");
    char *type = xstrdup(t ? t : "Extension.Unknown");
    struct buf body = {0};
    buf_add(&body, c->req.body.p ? c->req.body.p : "", c->req.body.len);
    out_ext_event(init ? "platform.extensionInitError" : "platform.extensionExitError", e->name, type,
                  buf_cstr(&body));
    const char ok[] = "{\"status\":\"OK\"}";
    conn_respond(c, 202, "Content-Type: application/json\r\n", ok, sizeof ok - 1);
    life_ext_error(e, type, body.p, body.len);
    free(type);
    buf_free(&body);
}

void ext_api_handle(struct conn *c)
{
    const char *t = c->req.target + strlen("/2020-01-01/extension");
    const char *m = c->req.method;
    struct {
        const char *path, *method;
        int which;
    } routes[] = {{"/register", "POST", 0}, {"/event/next", "GET", 1}, {"/init/error", "POST", 2}, {"/exit/error", "POST", 3}};
    for (size_t i = 0; i < sizeof routes / sizeof *routes; i++) {
        if (strcmp(t, routes[i].path) != 0)
            continue;
        if (strcmp(m, routes[i].method) != 0) {
            conn_respond_json_error(c, 405, "MethodNotAllowed", "method not allowed");
            return;
        }
        if (c->req.too_large) {
            conn_respond_json_error(c, 413, "RequestEntityTooLarge", "request body too large");
            return;
        }
        switch (routes[i].which) {
        case 0: do_register(c); return;
        case 1: do_next(c); return;
        case 2: do_error(c, true); return;
        default: do_error(c, false); return;
        }
    }
    conn_respond_json_error(c, 404, "NotFound", "no such extensions API endpoint");
}
