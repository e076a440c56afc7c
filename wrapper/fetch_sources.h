/* What lwrap asks AWS's two extensions and how it reads their answers: the Parameters
 * and Secrets extension (SSM parameters, Secrets Manager secrets) and the AppConfig
 * agent. Pure functions over bytes: no I/O, no environment (tests and the fuzzer call
 * them directly). */
#ifndef LWRAP_FETCH_SOURCES_H
#define LWRAP_FETCH_SOURCES_H
#include <stddef.h>

enum fetch_src { SRC_SSM, SRC_SECRET, SRC_APPCONFIG };

#define FETCH_REASON_MAX 320

/* The request for id (a parameter name, a secret id, or APP/ENV/PROFILE), malloc'd;
 * token is sent as X-Aws-Parameters-Secrets-Token (SSM and secrets only). */
char *fetch_request(enum fetch_src src, const char *id, size_t id_len, unsigned short port,
                    const char *token, size_t *len);

/* One value from an SSM or Secrets Manager answer (key: the JSON secret's key, or NULL).
 * Returns NULL and sets *value (malloc'd, NUL-terminated, may hold newlines) and *vlen,
 * or returns the reason it cannot (written into reason, never holding the value). */
const char *fetch_value(enum fetch_src src, const char *key, int status, const char *body,
                        size_t len, char **value, size_t *vlen, char reason[FETCH_REASON_MAX]);

/* AppConfig: each variable of the configuration. put gets a key and its value (not
 * NUL-terminated); bad gets a key (or "line N") and why it is skipped. Returns NULL, or
 * the reason the whole configuration is refused. */
struct fetch_sink {
    void (*put)(void *ctx, const char *key, size_t klen, const char *val, size_t vlen);
    void (*bad)(void *ctx, const char *key, size_t klen, const char *why);
    void *ctx;
};
const char *fetch_config(int status, const char *body, size_t len, const char *ctype,
                         size_t ctype_len, const struct fetch_sink *sink,
                         char reason[FETCH_REASON_MAX]);

#endif
