/* A bounded text builder over a caller's buffer: no allocation, no stdio, no locale,
 * so records can be built on hot paths and inside a fatal-signal handler. Output past
 * the end is dropped and remembered in `full`. */
#ifndef LWRAP_FMT_H
#define LWRAP_FMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fmt {
    char *p;
    size_t len, cap;
    bool full;
};

static inline struct fmt fmt_on(char *buf, size_t cap)
{
    struct fmt f = {buf, 0, cap, false};
    return f;
}

void fmt_mem(struct fmt *f, const void *s, size_t n);
void fmt_str(struct fmt *f, const char *s);
void fmt_u64(struct fmt *f, uint64_t v);
void fmt_i64(struct fmt *f, int64_t v);
void fmt_hex(struct fmt *f, uint64_t v); /* 0x... */
/* Nanoseconds as milliseconds with three decimals: 1234567 -> "1.234". */
void fmt_ms(struct fmt *f, uint64_t ns);
/* Nanoseconds as microseconds with three decimals: 1234567 -> "1234.567". */
void fmt_us(struct fmt *f, uint64_t ns);
/* Printable ASCII copied, everything else as \xNN (debug lines stay one line). */
void fmt_escaped(struct fmt *f, const char *s, size_t n);

#endif
