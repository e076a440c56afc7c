/* A small JSON reader for the answers of AWS's extensions (untrusted input): the whole
 * text is validated first (RFC 8259 grammar, nesting at most 64 deep), then values are
 * looked at in place; nothing is copied until a string is decoded. */
#ifndef LWRAP_JSON_H
#define LWRAP_JSON_H
#include <stddef.h>

/* One value in the text: s[0, n). type: 's' string, 'n' number, 't' true, 'f' false,
 * 'z' null, '{' object, '[' array. A string's s/n include its quotes. */
struct jv {
    const char *s;
    size_t n;
    char type;
};

/* Whether text[0, n) is exactly one JSON value (whitespace around it allowed). */
int json_parse(const char *text, size_t n, struct jv *out);
/* The members of an object in order: *pos starts at 0. Returns 0 after the last. */
int json_member(const struct jv *obj, size_t *pos, struct jv *key, struct jv *val);
/* The first member named key (compared after decoding the member's name). */
int json_get(const struct jv *obj, const char *key, struct jv *val);
/* The decoded bytes of a string (UTF-8; an unpaired surrogate escape becomes U+FFFD),
 * written to out when out is not NULL (out needs at most str->n bytes). Returns the
 * length, or -1 when the string holds \u0000 (which no environment variable can). */
long json_string(const struct jv *str, char *out);

#endif
