/* lambda-emu's JSON reader (tests/emulator/json.c: Telemetry/Logs API subscription bodies,
 * and the check that decides whether a JSON log record is embedded as an object in the
 * records sent to extensions) against the independent reference in ref_json.h. Asserted:
 * - json_valid accepts what the reference accepts (nesting up to 60 containers) and refuses
 *   what the reference refuses at any depth; with '{' it wants an object, with '[' an array;
 * - for an accepted object, json_member finds each top-level key's value as one valid JSON
 *   value inside the text, json_string decodes a string value without failing, json_int
 *   agrees with the grammar (an integer without fraction or exponent), and json_array_next
 *   walks an array value's elements, each a valid value, in order, to its end.
 * fuzz-options: -max_len=4096 */
#include "fuzz.h"
#include "ref_json.h"

#include "emu.h"

static bool ref_valid(const uint8_t *p, size_t n, size_t depth)
{
    return ref_json_valid(p, n, false, depth, NULL);
}

static char first_char(const uint8_t *p, size_t n)
{
    size_t i = 0;
    while (i < n && ref_json_ws(p[i]))
        i++;
    return i < n ? (char)p[i] : 0;
}

static void check_value(const char *v, size_t vl, const char *what)
{
    FUZZ_CHECK(ref_valid((const uint8_t *)v, vl, 0), "%s is not one valid JSON value", what);
    struct buf s = {0};
    if (v[0] == '"')
        FUZZ_CHECK(json_string(v, vl, &s), "%s: a valid string does not decode", what);
    else
        FUZZ_CHECK(!json_string(v, vl, &s), "%s: json_string took a non-string", what);
    buf_free(&s);
    long long x;
    bool is_int = (v[0] == '-' || (v[0] >= '0' && v[0] <= '9')) && !memchr(v, '.', vl) && !memchr(v, 'e', vl) &&
                  !memchr(v, 'E', vl);
    if (json_int(v, vl, &x))
        FUZZ_CHECK(is_int, "%s: json_int took a non-integer", what);
    else
        FUZZ_CHECK(!is_int || vl > 18, "%s: json_int refused an integer", what);
    if (v[0] == '[') {
        size_t pos = 0, count = 0, el_len;
        const char *el, *last_end = v + 1; /* after the '[' */
        while (json_array_next(v, vl, &pos, &el, &el_len)) {
            FUZZ_CHECK(el >= last_end && el + el_len <= v + vl, "%s: element %zu out of order", what, count);
            FUZZ_CHECK(ref_valid((const uint8_t *)el, el_len, 0), "%s: element %zu invalid", what, count);
            last_end = el + el_len;
            count++;
        }
        size_t rest = (size_t)(v + vl - last_end);
        while (rest && ref_json_ws((unsigned char)last_end[0])) {
            last_end++;
            rest--;
        }
        FUZZ_CHECK(rest == 1 && last_end[0] == ']', "%s: array walk stopped before its end", what);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data;
    bool ok_shallow = ref_valid(data, size, 60), ok_any = ref_valid(data, size, 0);
    bool mine = json_valid(p, size, 0);
    if (ok_shallow)
        FUZZ_CHECK(mine, "refused a valid text");
    if (!ok_any)
        FUZZ_CHECK(!mine, "accepted an invalid text");
    char f = first_char(data, size);
    FUZZ_CHECK(json_valid(p, size, '{') == (mine && f == '{'), "json_valid '{' disagrees");
    FUZZ_CHECK(json_valid(p, size, '[') == (mine && f == '['), "json_valid '[' disagrees");
    if (!mine)
        return 0;
    if (f == '[') {
        const char *a = memchr(p, '[', size);
        size_t al = size - (size_t)(a - p);
        while (al && ref_json_ws((unsigned char)a[al - 1]))
            al--;
        check_value(a, al, "top array");
    }
    if (f != '{')
        return 0;
    /* every top-level key of the object, found by the reference's grammar: scan keys */
    const char *end = p + size;
    const char *q = (const char *)memchr(p, '{', size) + 1;
    for (int k = 0; k < 64 && q < end; k++) {
        while (q < end && ref_json_ws((unsigned char)*q))
            q++;
        if (q >= end || *q != '"')
            break;
        size_t i = (size_t)(q - p);
        if (!ref_json_string(data, size, &i))
            break;
        struct buf key = {0};
        FUZZ_CHECK(json_string(q, (size_t)(p + i - q), &key), "a key does not decode");
        const char *v;
        size_t vl;
        if (!memchr(key.p, 0, key.len)) /* a key with \u0000 cannot be asked for by name */
            FUZZ_CHECK(json_member(p, size, key.p, &v, &vl), "json_member misses a key");
        buf_free(&key);
        /* the value after this key: skip to it and past it with json_member's view */
        const char *colon = memchr(p + i, ':', (size_t)(end - (p + i)));
        if (!colon)
            break;
        q = colon + 1;
        while (q < end && ref_json_ws((unsigned char)*q))
            q++;
        size_t pos = 0, el_len;
        const char *el;
        /* reuse the array walker on a one-element view to find where the value ends */
        struct buf one = {0};
        buf_addc(&one, '[');
        buf_add(&one, q, (size_t)(end - q));
        if (!json_array_next(one.p, one.len, &pos, &el, &el_len)) {
            buf_free(&one);
            break;
        }
        check_value(el, el_len, "member value");
        q += el_len;
        buf_free(&one);
        while (q < end && ref_json_ws((unsigned char)*q))
            q++;
        if (q < end && *q == ',')
            q++;
        else
            break;
    }
    return 0;
}
