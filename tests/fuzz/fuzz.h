/* What the fuzz targets share: a failed check that libFuzzer records as a crash (with the
 * input saved), the "first bytes choose where the rest is cut" convention, and a growable
 * transcript that two runs of a parser over the same bytes can be compared by. */
#ifndef LWRAP_FUZZ_H
#define LWRAP_FUZZ_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* A property the target asserts does not hold: say which, then abort (libFuzzer keeps the
 * input as a crash artifact). */
__attribute__((format(printf, 1, 2), noreturn)) static inline void fuzz_fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "fuzz check failed: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    abort();
}

#define FUZZ_CHECK(cond, ...)                                                                      \
    do {                                                                                           \
        if (!(cond))                                                                               \
            fuzz_fail(__VA_ARGS__);                                                                \
    } while (0)

/* Cut points: byte 0 gives how many (up to FUZZ_MAX_CUTS), then two bytes each (little
 * endian, taken modulo the data length); the data is what follows. Sorted, duplicates kept
 * (an empty piece is a legitimate zero-length read). */
#define FUZZ_MAX_CUTS 24
struct fuzz_cuts {
    size_t n;
    size_t at[FUZZ_MAX_CUTS];
};

/* Where the k-th piece of a len-byte stream fed from `at` ends: every `step` bytes (step > 0),
 * else at the cut points then the end. False when the stream is used up. */
static inline bool fuzz_piece_end(size_t k, size_t at, size_t len, size_t step,
                                  const struct fuzz_cuts *c, size_t *end)
{
    if (step) {
        *end = len - at < step ? len : at + step;
        return at < len;
    }
    *end = k < c->n ? c->at[k] : len;
    return k <= c->n;
}

static inline size_t fuzz_take_cuts(const uint8_t *d, size_t size, struct fuzz_cuts *c)
{
    c->n = 0;
    if (size == 0)
        return 0;
    size_t want = d[0] % (FUZZ_MAX_CUTS + 1), used = 1;
    while (c->n < want && used + 2 <= size) {
        c->at[c->n++] = (size_t)d[used] | (size_t)d[used + 1] << 8;
        used += 2;
    }
    size_t len = size - used;
    for (size_t i = 0; i < c->n; i++)
        c->at[i] = len ? c->at[i] % (len + 1) : 0;
    for (size_t i = 1; i < c->n; i++) /* insertion sort: a handful of values */
        for (size_t k = i; k > 0 && c->at[k - 1] > c->at[k]; k--) {
            size_t t = c->at[k];
            c->at[k] = c->at[k - 1];
            c->at[k - 1] = t;
        }
    return used;
}

/* A transcript of what a parser reported. */
struct fuzz_log {
    char *p;
    size_t len, cap;
};

static inline void fuzz_log_add(struct fuzz_log *l, const void *s, size_t n)
{
    if (l->len + n > l->cap) {
        size_t cap = l->cap ? l->cap : 256;
        while (cap < l->len + n)
            cap *= 2;
        l->p = realloc(l->p, cap);
        if (!l->p)
            abort();
        l->cap = cap;
    }
    if (n)
        memcpy(l->p + l->len, s, n);
    l->len += n;
}

static inline void fuzz_log_str(struct fuzz_log *l, const char *s)
{
    fuzz_log_add(l, s, strlen(s));
}

__attribute__((format(printf, 2, 3))) static inline void fuzz_log_fmt(struct fuzz_log *l, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    fuzz_log_add(l, tmp, n < 0 ? 0 : (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

/* Where two transcripts first differ, shown around that point, then abort. */
static inline void fuzz_log_same(const struct fuzz_log *a, const struct fuzz_log *b, const char *what)
{
    if (a->len == b->len && (a->len == 0 || memcmp(a->p, b->p, a->len) == 0))
        return;
    size_t i = 0;
    while (i < a->len && i < b->len && a->p[i] == b->p[i])
        i++;
    size_t from = i > 80 ? i - 80 : 0;
    fprintf(stderr, "transcripts differ at byte %zu (%s)\n--- one:\n%.*s\n--- other:\n%.*s\n", i, what,
            (int)((a->len < i + 80 ? a->len : i + 80) - from), a->p + from,
            (int)((b->len < i + 80 ? b->len : i + 80) - from), b->p + from);
    fuzz_fail("%s: not the same", what);
}

static inline void fuzz_log_free(struct fuzz_log *l)
{
    free(l->p);
    l->p = NULL;
    l->len = l->cap = 0;
}

#endif
