/* Runtime API (/2018-06-01/runtime): invocation/next, invocation/{id}/response,
 * invocation/{id}/error and init/error, with Lambda's status codes: 400 for an
 * id that was never handed out, 403 for a call the current state forbids,
 * 413 for a body over the limit. */
#include "emu.h"

#include <string.h>

#define BASE "/2018-06-01/runtime/"

static struct invoke *invoke_for(struct conn *c, const char *id)
{
    struct invoke *inv = invoke_find(id);
    if (!inv && !invoke_id_known(id)) {
        conn_respond_json_error(c, 400, "InvalidRequestID", "Invalid request ID");
        return NULL;
    }
    if (!inv || inv->state != INV_RUNNING) {
        conn_respond_json_error(c, 403, "InvalidStateTransition",
                                "State transition is not allowed: the invocation was already answered");
        return NULL;
    }
    return inv;
}

static void init_error(struct conn *c)
{
    const struct http_req *r = &c->req;
    if (!life_registration_open()) {
        /* AWS's RIE refuses it from every state but Started (lambda/core/states.go): after a
         * next ("Ready", "Running") and while restoring ("RestoreReady", "Restoring") alike */
        runtime_refuse_state(c, "InitError");
        return;
    }
    if (r->too_large) {
        conn_respond_json_error(c, 413, "RequestEntityTooLarge", "request body too large");
        return;
    }
    struct buf type = {0};
    const char *t = http_header(r, "Lambda-Runtime-Function-Error-Type");
    if (t)
        buf_adds(&type, t);
    else if (!r->body.len || !json_get_string(r->body.p, r->body.len, "errorType", &type))
        buf_adds(&type, "Runtime.Unknown");
    struct buf body = {0};
    buf_add(&body, r->body.p ? r->body.p : "", r->body.len);
    const char ok[] = "{\"status\":\"OK\"}";
    conn_respond(c, 202, "Content-Type: application/json\r\n", ok, sizeof ok - 1);
    life_init_error(buf_cstr(&type), body.p ? body.p : "", body.len);
    buf_free(&type);
    buf_free(&body);
}

void runtime_api_handle(struct conn *c)
{
    const char *t = c->req.target;
    const char *m = c->req.method;
    if (strncmp(t, BASE, strlen(BASE)) != 0) {
        conn_respond_json_error(c, 404, "NotFound", "no such runtime API endpoint");
        return;
    }
    t += strlen(BASE);
    if (strcmp(t, "invocation/next") == 0) {
        if (strcmp(m, "GET") != 0) {
            conn_respond_json_error(c, 405, "MethodNotAllowed", "invocation/next wants GET");
            return;
        }
        life_runtime_next(c);
        life_pump();
        return;
    }
    if (strcmp(t, "restore/next") == 0) {
        snap_restore_next(c);
        return;
    }
    if (strcmp(t, "restore/error") == 0) {
        streams_drain_all(); /* what the hooks wrote comes before RESTORE_REPORT */
        snap_restore_error(c);
        return;
    }
    if (strcmp(t, "init/error") == 0) {
        if (strcmp(m, "POST") != 0) {
            conn_respond_json_error(c, 405, "MethodNotAllowed", "init/error wants POST");
            return;
        }
        init_error(c);
        return;
    }
    if (strncmp(t, "invocation/", 11) == 0) {
        const char *id = t + 11;
        const char *slash = strchr(id, '/');
        if (slash && slash > id && slash - id <= 128) {
            char idbuf[130];
            memcpy(idbuf, id, (size_t)(slash - id));
            idbuf[slash - id] = 0;
            bool resp = strcmp(slash, "/response") == 0, err = strcmp(slash, "/error") == 0;
            if (resp || err) {
                if (strcmp(m, "POST") != 0) {
                    conn_respond_json_error(c, 405, "MethodNotAllowed", "wants POST");
                    return;
                }
                /* Everything the runtime wrote before this request is already in its
                 * pipes: read it now, so it is this invoke's (requestId, before the
                 * response and END), whatever order poll() reported the fds in. */
                streams_drain_all();
                struct invoke *inv = invoke_for(c, idbuf);
                if (!inv)
                    return;
                if (resp)
                    life_response(c, inv, &c->req);
                else
                    life_invoke_error(c, inv, &c->req);
                return;
            }
        }
    }
    conn_respond_json_error(c, 404, "NotFound", "no such runtime API endpoint");
}
