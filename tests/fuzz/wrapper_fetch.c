/* wrapper/fetch.c's answer parser and wrapper/fetch_sources.c's decoders (SSM,
 * Secrets Manager, AppConfig) on arbitrary bytes, as an extension's untrusted answer.
 * Asserted:
 *  - fed in growing pieces (the cut points) without the end of the connection, the parser
 *    says "more" (0) until the answer is whole; once whole (1) it stays whole, with the
 *    same status and body, however many bytes follow; broken (-1) stays broken;
 *  - at the end of the connection it never says "more";
 *  - a body is inside the bytes read;
 *  - the JSON reader accepts exactly what tests/fuzz/ref_json.h's independent validator
 *    accepts (nesting up to 64), for text that is valid UTF-8 (the reader passes other
 *    bytes on by design);
 *  - a decoded value holds no NUL, a reason is one NUL-terminated line of bounded length,
 *    and nothing leaks or reads outside its buffer (ASan, exactly sized copies).
 * fuzz-options: -max_len=4096 */
#include "fuzz.h"
#include "ref_json.h"

#include "fetch.h"
#include "fetch_sources.h"
#include "json.h"

static int parse_copy(const uint8_t *d, size_t n, int eof, struct fetch *f, char **keep,
                      const char **why)
{
    char *b = malloc(n ? n : 1); /* exactly sized: ASan sees any read past it */
    if (!b)
        abort();
    memcpy(b, d, n);
    memset(f, 0, sizeof *f);
    int r = fetch_parse(f, b, n, eof, why);
    if (r == 1)
        FUZZ_CHECK(f->body >= b && f->body + f->body_len <= b + n, "body outside the buffer");
    *keep = b;
    return r;
}

static void check_reason(const char *why)
{
    size_t n = strnlen(why, FETCH_REASON_MAX);
    FUZZ_CHECK(n < FETCH_REASON_MAX, "reason not terminated within its buffer");
}

static void put(void *ctx, const char *k, size_t kl, const char *v, size_t vl)
{
    (void)ctx, (void)k, (void)kl;
    FUZZ_CHECK(!memchr(v, 0, vl), "an AppConfig value holds NUL");
}

static void bad(void *ctx, const char *k, size_t kl, const char *why)
{
    (void)ctx, (void)k, (void)kl;
    check_reason(why);
}

static bool utf8_ok(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n;) {
        size_t k = ref_utf8_len(p + i, n - i);
        if (!k)
            return false;
        i += k;
    }
    return true;
}

static void decoders(const char *body, size_t len, int status, const char *ct, size_t ctl)
{
    char reason[FETCH_REASON_MAX], *v;
    size_t vl;
    static const char *const keys[] = {NULL, "k", "password"};
    for (int src = SRC_SSM; src <= SRC_SECRET; src++)
        for (size_t i = 0; i < 3; i++) {
            const char *why = fetch_value((enum fetch_src)src, keys[i], status, body, len, &v, &vl, reason);
            if (why) {
                check_reason(why);
                continue;
            }
            FUZZ_CHECK(strlen(v) == vl, "a value holds NUL or its length is wrong");
            free(v);
        }
    struct fetch_sink sink = {put, bad, NULL};
    const char *why = fetch_config(status, body, len, ct, ctl, &sink, reason);
    if (why)
        check_reason(why);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_cuts cuts;
    size_t used = fuzz_take_cuts(data, size, &cuts);
    const uint8_t *d = data + used;
    size_t n = size - used;

    /* the JSON reader against the reference, on the raw bytes */
    struct jv doc;
    bool mine = json_parse((const char *)d, n, &doc);
    if (utf8_ok(d, n))
        FUZZ_CHECK(mine == ref_json_valid(d, n, false, 64, NULL), "json_parse says %d, the reference %d",
                   mine, !mine);
    decoders((const char *)d, n, 200, "", 0);

    /* the answer parser, in growing pieces */
    struct fetch whole;
    char *whole_buf = NULL;
    const char *why = NULL;
    int settled = 0; /* 1 or -1 once the parser decided */
    for (size_t k = 0;; k++) {
        size_t end;
        if (!fuzz_piece_end(k, 0, n, 0, &cuts, &end))
            break;
        struct fetch f;
        char *b;
        int r = parse_copy(d, end, 0, &f, &b, &why);
        if (settled == 1) {
            FUZZ_CHECK(r == 1 && f.status == whole.status && f.body_len == whole.body_len &&
                           memcmp(f.body, whole.body, f.body_len) == 0,
                       "a whole answer changed when more bytes came (%d)", r);
        } else if (settled == -1) {
            FUZZ_CHECK(r == -1, "a broken answer was not broken any more");
        }
        if (r != 0 && !settled) {
            settled = r;
            whole = f;
            free(whole_buf);
            whole_buf = b;
        } else {
            free(b);
        }
        if (r == -1)
            check_reason(why);
    }
    struct fetch f;
    char *b;
    int r = parse_copy(d, n, 1, &f, &b, &why);
    FUZZ_CHECK(r != 0, "more wanted after the end of the connection");
    if (settled)
        FUZZ_CHECK(r == settled, "the end of the connection changed a decided answer");
    if (r == 1)
        decoders(f.body, f.body_len, f.status, f.ctype, f.ctype_len);
    free(b);
    free(whole_buf);
    return 0;
}
