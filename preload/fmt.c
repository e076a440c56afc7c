/* Bounded, async-signal-safe text building (see fmt.h). */
#include "fmt.h"

#include <string.h>

void fmt_mem(struct fmt *f, const void *s, size_t n)
{
    size_t room = f->cap - f->len;
    if (n > room) {
        n = room;
        f->full = true;
    }
    memcpy(f->p + f->len, s, n);
    f->len += n;
}

void fmt_str(struct fmt *f, const char *s)
{
    fmt_mem(f, s, strlen(s));
}

void fmt_u64(struct fmt *f, uint64_t v)
{
    char tmp[20];
    size_t i = sizeof tmp;
    do {
        tmp[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    fmt_mem(f, tmp + i, sizeof tmp - i);
}

void fmt_i64(struct fmt *f, int64_t v)
{
    if (v < 0) {
        fmt_mem(f, "-", 1);
        fmt_u64(f, (uint64_t)0 - (uint64_t)v);
    } else {
        fmt_u64(f, (uint64_t)v);
    }
}

void fmt_hex(struct fmt *f, uint64_t v)
{
    char tmp[18];
    size_t i = sizeof tmp;
    do {
        tmp[--i] = "0123456789abcdef"[v & 15];
        v >>= 4;
    } while (v);
    tmp[--i] = 'x';
    tmp[--i] = '0';
    fmt_mem(f, tmp + i, sizeof tmp - i);
}

void fmt_ms(struct fmt *f, uint64_t ns)
{
    uint64_t us = (ns + 500) / 1000;
    fmt_u64(f, us / 1000);
    char frac[4] = {'.', (char)('0' + us / 100 % 10), (char)('0' + us / 10 % 10),
                    (char)('0' + us % 10)};
    fmt_mem(f, frac, sizeof frac);
}

void fmt_us(struct fmt *f, uint64_t ns)
{
    fmt_u64(f, ns / 1000);
    char frac[4] = {'.', (char)('0' + ns / 100 % 10), (char)('0' + ns / 10 % 10),
                    (char)('0' + ns % 10)};
    fmt_mem(f, frac, sizeof frac);
}

void fmt_escaped(struct fmt *f, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7f && c != '\\') {
            fmt_mem(f, s + i, 1);
        } else {
            char e[4] = {'\\', 'x', "0123456789abcdef"[c >> 4], "0123456789abcdef"[c & 15]};
            fmt_mem(f, e, 4);
        }
    }
}
