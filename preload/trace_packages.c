/* Package attribution (see trace_packages.h). */
#include "trace_packages.h"

#include <stdbool.h>
#include <string.h>

#include "trace_spans.h"

struct trace_package trace_packages[TRACE_PACKAGES_MAX];
uint16_t trace_span_package[TRACE_SPANS_MAX];
/* Open addressing on the name: package index + 1; at most half full. */
static uint16_t slot_of[32768];
_Static_assert(sizeof slot_of / sizeof *slot_of >= 2 * TRACE_PACKAGES_MAX, "the table must stay half empty");
_Static_assert(TRACE_PACKAGES_MAX < UINT16_MAX, "package rows are uint16_t");

const char *trace_ecosystem_name(uint8_t eco)
{
    switch (eco) {
    case ECO_NODE: return "node";
    case ECO_PYTHON: return "python";
    case ECO_JAVA: return "java";
    case ECO_RUBY: return "ruby";
    default: return "";
    }
}

/* The last occurrence of "/<dir>/" in path (or path starting with "<dir>/"): what follows. */
static const char *after_dir(const char *path, const char *dir)
{
    size_t d = strlen(dir);
    const char *found = NULL;
    if (strncmp(path, dir, d) == 0 && path[d] == '/')
        found = path + d + 1;
    for (const char *p = strchr(path, '/'); p; p = strchr(p + 1, '/'))
        if (strncmp(p + 1, dir, d) == 0 && p[1 + d] == '/')
            found = p + d + 2;
    return found;
}

static size_t put(char *out, size_t cap, const char *s, size_t n)
{
    if (n == 0 || n >= cap)
        return 0;
    memcpy(out, s, n);
    out[n] = 0;
    return n;
}

static size_t node_package(const char *rest, char *out, size_t cap)
{
    const char *slash = strchr(rest, '/');
    if (!slash)
        return 0; /* a file directly in node_modules (.package-lock.json) */
    if (rest[0] == '@') { /* @scope/pkg */
        const char *second = strchr(slash + 1, '/');
        if (!second)
            return 0;
        slash = second;
    }
    return rest[0] == '.' ? 0 : put(out, cap, rest, (size_t)(slash - rest));
}

/* site-packages/yaml/..., six.py, _yaml.cpython-311-x86_64-linux-gnu.so, PyYAML-6.0.dist-info/ */
static size_t python_package(const char *rest, char *out, size_t cap)
{
    size_t n = strcspn(rest, "/");
    size_t dot = strcspn(rest, ".");
    if (dot < n)
        n = dot;
    const char *info = strstr(rest, ".dist-info/");
    if (!info)
        info = strstr(rest, ".egg-info");
    if (info && (size_t)(info - rest) <= strcspn(rest, "/")) {
        n = strcspn(rest, "-.");
    }
    size_t whole = strlen(rest);
    if (n == 0 || strncmp(rest, "__pycache__", 11) == 0 ||
        (whole > 4 && strcmp(rest + whole - 4, ".pth") == 0)) /* path files: no package */
        return 0;
    return put(out, cap, rest, n);
}

/* .../gems/json-2.6.3/lib/json.rb: a component with a '-' and a digit after it. */
static size_t ruby_package(const char *rest, char *out, size_t cap)
{
    size_t n = strcspn(rest, "/");
    if (rest[n] != '/')
        return 0;
    const char *dash = memchr(rest, '-', n);
    while (dash && !(dash[1] >= '0' && dash[1] <= '9'))
        dash = memchr(dash + 1, '-', n - (size_t)(dash + 1 - rest));
    return dash ? put(out, cap, rest, n) : 0;
}

size_t trace_package_of(const char *path, char *out, size_t cap, uint8_t *eco)
{
    const char *rest;
    size_t n;
    if ((rest = after_dir(path, "node_modules")) && (n = node_package(rest, out, cap))) {
        *eco = ECO_NODE;
        return n;
    }
    if (((rest = after_dir(path, "site-packages")) || (rest = after_dir(path, "dist-packages"))) &&
        (n = python_package(rest, out, cap))) {
        *eco = ECO_PYTHON;
        return n;
    }
    size_t len = strlen(path);
    if (len > 4 && strcmp(path + len - 4, ".jar") == 0) {
        const char *base = strrchr(path, '/');
        base = base ? base + 1 : path;
        if ((n = put(out, cap, base, (size_t)(path + len - 4 - base)))) {
            *eco = ECO_JAVA;
            return n;
        }
    }
    if ((rest = after_dir(path, "gems")) && (n = ruby_package(rest, out, cap))) {
        *eco = ECO_RUBY;
        return n;
    }
    return 0;
}

static uint32_t hash(const char *s, uint8_t eco)
{
    uint32_t h = 2166136261u ^ eco;
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 16777619u;
    return h;
}

/* The index of the package (created when new, unless create is false), or -1. */
static int find(const char *name, uint8_t eco, unsigned *count, bool create)
{
    size_t mask = sizeof slot_of / sizeof *slot_of - 1;
    for (size_t h = hash(name, eco) & mask;; h = (h + 1) & mask) {
        unsigned k = slot_of[h];
        if (!k) {
            if (!create || *count >= TRACE_PACKAGES_MAX)
                return -1;
            struct trace_package *p = &trace_packages[*count];
            memset(p, 0, sizeof *p);
            strcpy(p->name, name);
            p->eco = eco;
            slot_of[h] = (uint16_t)++*count;
            return (int)*count - 1;
        }
        if (trace_packages[k - 1].eco == eco && strcmp(trace_packages[k - 1].name, name) == 0)
            return (int)k - 1;
    }
}

static void add_imports(unsigned count, unsigned nspans)
{
    for (unsigned i = 0; i < nspans; i++) {
        const struct trace_span *s = &trace_spans[i];
        if (!__atomic_load_n(&s->published, __ATOMIC_ACQUIRE) || s->kind != SPAN_IMPORT)
            continue;
        int k = find(s->name, ECO_PYTHON, &count, false);
        uint64_t cum = s->end_ns - s->start_ns;
        if (k >= 0 && cum > trace_packages[k].import_ns)
            trace_packages[k].import_ns = cum;
    }
}

/* Whether package a goes before b: longer first, then in the order first seen. */
static bool before(uint16_t a, uint16_t b)
{
    uint64_t na = trace_packages[a].ns, nb = trace_packages[b].ns;
    return na != nb ? na > nb : a < b;
}

static void sift_down(uint16_t *order, unsigned at, unsigned n)
{
    for (unsigned c; (c = 2 * at + 1) < n; at = c) {
        if (c + 1 < n && before(order[c], order[c + 1]))
            c++;
        if (!before(order[at], order[c]))
            return;
        uint16_t t = order[at];
        order[at] = order[c];
        order[c] = t;
    }
}

/* Heapsort of the indexes (thousands of packages: no quadratic sort, and no qsort, which
 * may allocate), the last in `before`'s order at the root, so the array ends sorted. */
static void sort_order(uint16_t *order, unsigned n)
{
    for (unsigned i = n / 2; i-- > 0;)
        sift_down(order, i, n);
    for (unsigned end = n; end-- > 1;) {
        uint16_t t = order[0];
        order[0] = order[end];
        order[end] = t;
        sift_down(order, 0, end);
    }
}

unsigned trace_packages_build(uint64_t end_ns)
{
    unsigned count = 0, nspans = trace_spans_count();
    memset(slot_of, 0, sizeof slot_of);
    for (unsigned i = 0; i < nspans; i++) {
        const struct trace_span *s = &trace_spans[i];
        trace_span_package[i] = 0;
        if (!__atomic_load_n(&s->published, __ATOMIC_ACQUIRE) || s->kind == SPAN_IMPORT)
            continue;
        char name[TRACE_PACKAGE_NAME];
        uint8_t eco = 0;
        if (!trace_package_of(s->name, name, sizeof name, &eco))
            continue;
        int k = find(name, eco, &count, true);
        if (k < 0)
            continue;
        struct trace_package *p = &trace_packages[k];
        uint64_t end = trace_span_end(s, end_ns);
        if (s->kind == SPAN_FILE)
            p->files++;
        p->bytes += __atomic_load_n(&s->bytes, __ATOMIC_RELAXED);
        p->ns += s->kind == SPAN_DLOPEN ? s->end_ns - s->start_ns
                                        : __atomic_load_n(&s->attributed_ns, __ATOMIC_RELAXED);
        if (!p->first_ns || s->start_ns < p->first_ns)
            p->first_ns = s->start_ns;
        if (end > p->last_ns)
            p->last_ns = end;
        trace_span_package[i] = (uint16_t)(k + 1);
    }
    add_imports(count, nspans);
    /* Longest first, remapping the spans' rows. */
    static uint16_t rank[TRACE_PACKAGES_MAX], order[TRACE_PACKAGES_MAX];
    static struct trace_package sorted[TRACE_PACKAGES_MAX];
    for (unsigned i = 0; i < count; i++)
        order[i] = (uint16_t)i;
    sort_order(order, count);
    for (unsigned i = 0; i < count; i++) {
        sorted[i] = trace_packages[order[i]];
        rank[order[i]] = (uint16_t)i;
    }
    memcpy(trace_packages, sorted, count * sizeof *sorted);
    for (unsigned i = 0; i < nspans; i++)
        if (trace_span_package[i])
            trace_span_package[i] = (uint16_t)(rank[trace_span_package[i] - 1] + 1);
    return count;
}
