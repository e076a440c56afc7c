/* What a record already carries: Lambda's Node text prefix (ISO\tid\tLEVEL\t), the
 * Python runtime's prefix ([LEVEL]\tISO\tid\t), or a whole JSON object (with its
 * level field, whatever the logger calls it). Used to avoid double prefixes and to find
 * a record's level. */
#include "log_internal.h"

#include <string.h>
#include <strings.h>

static bool digits(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] < '0' || p[i] > '9')
            return false;
    return true;
}

/* An ISO 8601 UTC timestamp at p (YYYY-MM-DDTHH:MM:SS[.fff...]Z); its length or 0. */
static size_t iso_len(const char *p, size_t n)
{
    if (n < 20 || !digits(p, 4) || p[4] != '-' || !digits(p + 5, 2) || p[7] != '-' ||
        !digits(p + 8, 2) || p[10] != 'T' || !digits(p + 11, 2) || p[13] != ':' ||
        !digits(p + 14, 2) || p[16] != ':' || !digits(p + 17, 2))
        return 0;
    size_t i = 19;
    if (i < n && p[i] == '.') {
        i++;
        while (i < n && p[i] >= '0' && p[i] <= '9')
            i++;
    }
    return i < n && p[i] == 'Z' ? i + 1 : 0;
}

static const char *field_end(const char *p, const char *end)
{
    const char *t = memchr(p, '\t', (size_t)(end - p));
    return t ? t : NULL;
}

static bool parse_node(const char *p, size_t n, struct log_parsed *o)
{
    const char *end = p + n;
    size_t ts = iso_len(p, n);
    if (!ts || ts >= n || p[ts] != '\t')
        return false;
    const char *rid = p + ts + 1;
    const char *rid_end = field_end(rid, end);
    if (!rid_end || rid_end - rid > 128)
        return false;
    const char *lvl = rid_end + 1;
    const char *lvl_end = field_end(lvl, end);
    if (!lvl_end)
        return false;
    int level = log_level_parse(lvl, (size_t)(lvl_end - lvl));
    if (!level)
        return false;
    o->kind = LOG_KIND_NODE;
    o->level = level;
    o->ts = p, o->ts_len = ts;
    o->rid = rid, o->rid_len = (size_t)(rid_end - rid);
    o->body = lvl_end + 1, o->body_len = (size_t)(end - lvl_end - 1);
    return true;
}

static bool parse_python(const char *p, size_t n, struct log_parsed *o)
{
    const char *end = p + n;
    if (n < 4 || p[0] != '[')
        return false;
    const char *close = memchr(p, ']', n < 12 ? n : 12);
    if (!close || close + 1 >= end || close[1] != '\t')
        return false;
    int level = log_level_parse(p + 1, (size_t)(close - p - 1));
    if (!level)
        return false;
    o->kind = LOG_KIND_PYTHON;
    o->level = level;
    const char *q = close + 2;
    size_t ts = iso_len(q, (size_t)(end - q));
    if (ts && q + ts < end && q[ts] == '\t') {
        o->ts = q, o->ts_len = ts;
        q += ts + 1;
        const char *rid_end = field_end(q, end);
        if (rid_end && rid_end - q <= 128) {
            o->rid = q, o->rid_len = (size_t)(rid_end - q);
            q = rid_end + 1;
        }
    }
    o->body = q, o->body_len = (size_t)(end - q);
    return true;
}

/* Level-only prefixes (the record still gets Lambda's prefix in text mode): Ruby's
 * Logger ("E, [2026-...] ERROR -- : msg") and Python logging's default format
 * ("WARNING:root:msg"). */
static void level_only(const char *p, size_t n, struct log_parsed *o)
{
    static const char ruby[] = "DIWEFA";
    static const int ruby_level[] = {LOG_LVL_DEBUG, LOG_LVL_INFO, LOG_LVL_WARN,
                                     LOG_LVL_ERROR, LOG_LVL_FATAL, LOG_LVL_INFO};
    const char *r = n >= 4 && p[1] == ',' && p[2] == ' ' && p[3] == '[' ? strchr(ruby, p[0]) : NULL;
    if (r && *r) {
        o->level = ruby_level[r - ruby];
        return;
    }
    const char *colon = memchr(p, ':', n < 9 ? n : 9);
    if (colon && colon > p && (size_t)(colon - p) + 1 < n && colon[1] != ' ') {
        int l = log_level_parse(p, (size_t)(colon - p));
        /* upper case only: "Error:" / "info:" start ordinary messages */
        if (l && p[0] >= 'A' && p[0] <= 'Z' && p[1] >= 'A' && p[1] <= 'Z')
            o->level = l;
    }
}

void log_parse(const char *p, size_t n, struct log_parsed *o)
{
    memset(o, 0, sizeof *o);
    o->kind = LOG_KIND_PLAIN;
    o->body = p, o->body_len = n;
    if (n == 0)
        return;
    if (p[0] >= '0' && p[0] <= '9') {
        parse_node(p, n, o);
        return;
    }
    if (p[0] == '[') {
        parse_python(p, n, o);
        return;
    }
    size_t i = 0;
    while (i < n && (p[i] == ' ' || p[i] == '\t'))
        i++;
    if (i < n && p[i] == '{') {
        log_json_object(p, n, o);
        return;
    }
    if (p[0] >= 'A' && p[0] <= 'Z')
        level_only(p, n, o);
}

/* ---- a strict JSON validator (RFC 8259), bounded depth, no allocation ---- */
struct js {
    const unsigned char *p, *end;
    int depth;
};

static void ws(struct js *j)
{
    while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
        j->p++;
}

static bool lit(struct js *j, const char *s)
{
    size_t n = strlen(s);
    if ((size_t)(j->end - j->p) < n || memcmp(j->p, s, n) != 0)
        return false;
    j->p += n;
    return true;
}

/* Length of one valid UTF-8 sequence at p (0 when invalid). */
static size_t utf8_len(const unsigned char *p, const unsigned char *end)
{
    return p[0] < 0x80 ? 1 : log_utf8_multibyte(p, (size_t)(end - p));
}

static bool string(struct js *j, const unsigned char **s, size_t *n)
{
    if (j->p >= j->end || *j->p != '"')
        return false;
    j->p++;
    const unsigned char *start = j->p;
    while (j->p < j->end) {
        unsigned c = *j->p;
        if (c == '"') {
            if (s)
                *s = start, *n = (size_t)(j->p - start);
            j->p++;
            return true;
        }
        if (c < 0x20)
            return false;
        if (c == '\\') {
            if (j->end - j->p < 2)
                return false;
            unsigned e = j->p[1];
            if (e == 'u') {
                if (j->end - j->p < 6)
                    return false;
                for (int i = 2; i < 6; i++) {
                    unsigned h = j->p[i];
                    if (!((h >= '0' && h <= '9') || (h >= 'a' && h <= 'f') || (h >= 'A' && h <= 'F')))
                        return false;
                }
                j->p += 6;
                continue;
            }
            if (!strchr("\"\\/bfnrt", (int)e) || e == 0)
                return false;
            j->p += 2;
            continue;
        }
        size_t l = utf8_len(j->p, j->end);
        if (!l)
            return false;
        j->p += l;
    }
    return false;
}

static bool value(struct js *j);

static bool number(struct js *j)
{
    const unsigned char *p = j->p;
    if (p < j->end && *p == '-')
        p++;
    if (p >= j->end)
        return false;
    if (*p == '0')
        p++;
    else if (*p >= '1' && *p <= '9')
        while (p < j->end && *p >= '0' && *p <= '9')
            p++;
    else
        return false;
    if (p < j->end && *p == '.') {
        p++;
        if (p >= j->end || *p < '0' || *p > '9')
            return false;
        while (p < j->end && *p >= '0' && *p <= '9')
            p++;
    }
    if (p < j->end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < j->end && (*p == '+' || *p == '-'))
            p++;
        if (p >= j->end || *p < '0' || *p > '9')
            return false;
        while (p < j->end && *p >= '0' && *p <= '9')
            p++;
    }
    j->p = p;
    return true;
}

/* Keys a logger puts its level under (any case): Lambda's and most loggers' "level",
 * python-json-logger's "levelname", Google Cloud's "severity", .NET's "LogLevel",
 * Serilog's compact "@l", ECS's dotted "log.level" (its nested {"log":{"level":..}} form is
 * handled by the caller). */
static bool level_key(const unsigned char *k, size_t kn)
{
    static const char *const keys[] = {"level", "levelname", "severity", "loglevel", "log.level", "@l"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (strlen(keys[i]) == kn && strncasecmp((const char *)k, keys[i], kn) == 0)
            return true;
    return false;
}

/* The level a level field's value v[0..n) (JSON text, already validated) names: a
 * string (log_level_word) or one of the known numbers; NONE for anything else. */
static int level_value(const unsigned char *v, size_t n)
{
    if (n >= 2 && v[0] == '"') {
        if (memchr(v + 1, '\\', n - 2))
            return LOG_LVL_NONE; /* escaped: no level name needs that */
        return log_level_word((const char *)v + 1, n - 2);
    }
    if (n && v[0] >= '0' && v[0] <= '9')
        return log_level_number((const char *)v, n);
    return LOG_LVL_NONE;
}

/* ECS's nested form: the (validated) object v[0..n) has a "level" member; its value. */
static bool nested_level(const unsigned char *v, size_t n, const unsigned char **lv, size_t *ln)
{
    struct js j = {v + 1, v + n, 2};
    for (;;) {
        const unsigned char *k;
        size_t kn;
        ws(&j);
        if (!string(&j, &k, &kn))
            return false; /* "}" of an empty object */
        ws(&j);
        j.p++; /* ':' */
        ws(&j);
        const unsigned char *val = j.p;
        if (!value(&j))
            return false;
        if (kn == 5 && strncasecmp((const char *)k, "level", 5) == 0) {
            *lv = val, *ln = (size_t)(j.p - val);
            return true;
        }
        ws(&j);
        if (j.p >= j.end || *j.p != ',')
            return false;
        j.p++;
    }
}

/* A top-level member: note Lambda's own fields, and take the level from the first
 * level-like key (a level field that names no level makes the level unknown). */
static void top_member(struct log_parsed *top, bool *level_seen, const unsigned char *k, size_t kn,
                       const unsigned char *v, size_t vn)
{
    if (kn == 9 && memcmp(k, "timestamp", 9) == 0)
        top->has_timestamp = true;
    else if (kn == 9 && memcmp(k, "requestId", 9) == 0)
        top->has_rid = true;
    else if (kn == 7 && memcmp(k, "message", 7) == 0)
        top->has_message = true;
    else if (kn == 5 && memcmp(k, "level", 5) == 0)
        top->has_level = true;
    if (*level_seen)
        return;
    const unsigned char *lv = v;
    size_t ln = vn;
    if (!level_key(k, kn) &&
        !(kn == 3 && strncasecmp((const char *)k, "log", 3) == 0 && *v == '{' && nested_level(v, vn, &lv, &ln)))
        return;
    *level_seen = true;
    top->level = level_value(lv, ln);
    top->level_unknown = top->level == LOG_LVL_NONE;
}

static bool object(struct js *j, struct log_parsed *top)
{
    bool level_seen = false;
    j->p++; /* '{' */
    ws(j);
    if (j->p < j->end && *j->p == '}') {
        j->p++;
        return true;
    }
    for (;;) {
        const unsigned char *k;
        size_t kn;
        ws(j);
        if (!string(j, &k, &kn))
            return false;
        ws(j);
        if (j->p >= j->end || *j->p != ':')
            return false;
        j->p++;
        ws(j);
        const unsigned char *v = j->p;
        if (!value(j))
            return false;
        if (top)
            top_member(top, &level_seen, k, kn, v, (size_t)(j->p - v));
        ws(j);
        if (j->p < j->end && *j->p == ',') {
            j->p++;
            continue;
        }
        if (j->p < j->end && *j->p == '}') {
            j->p++;
            return true;
        }
        return false;
    }
}

static bool array(struct js *j)
{
    j->p++; /* '[' */
    ws(j);
    if (j->p < j->end && *j->p == ']') {
        j->p++;
        return true;
    }
    for (;;) {
        ws(j);
        if (!value(j))
            return false;
        ws(j);
        if (j->p < j->end && *j->p == ',') {
            j->p++;
            continue;
        }
        if (j->p < j->end && *j->p == ']') {
            j->p++;
            return true;
        }
        return false;
    }
}

static bool value(struct js *j)
{
    if (j->p >= j->end)
        return false;
    bool ok;
    switch (*j->p) {
    case '{':
    case '[':
        if (++j->depth > 64)
            return false;
        ok = *j->p == '{' ? object(j, NULL) : array(j);
        j->depth--;
        return ok;
    case '"':
        return string(j, NULL, NULL);
    case 't':
        return lit(j, "true");
    case 'f':
        return lit(j, "false");
    case 'n':
        return lit(j, "null");
    default:
        return number(j);
    }
}

bool log_json_object(const char *p, size_t n, struct log_parsed *o)
{
    struct js j = {(const unsigned char *)p, (const unsigned char *)p + n, 1};
    ws(&j);
    if (j.p < j.end && *j.p == '{' && object(&j, o)) {
        ws(&j);
        if (j.p == j.end) {
            o->kind = LOG_KIND_JSON;
            return true;
        }
    }
    o->has_timestamp = o->has_level = o->has_rid = o->has_message = false;
    o->level = LOG_LVL_NONE;
    o->level_unknown = false;
    return false;
}
