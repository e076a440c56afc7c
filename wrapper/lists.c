/* A unit is what `export VAR="$VAR unit"` would add: one entry of a ':' list, or one
 * word of a blank-separated option list, or an option and its separate value
 * (NODE_OPTIONS="--require ./a.js": requiring ./a.js twice is one unit, not the
 * words --require and ./a.js each once). */
#include "lists.h"

#include "diag.h"
#include "family.h"

#include <stdlib.h>
#include <string.h>

enum kind { BLANKS, COLONS, PRELOAD };

/* Lists that do not end in PATH (those are ':' lists: PATH, PYTHONPATH, NODE_PATH,
 * CLASSPATH, LD_LIBRARY_PATH, ...). ld.so splits LD_PRELOAD on ':' and blanks alike. */
static enum kind kind_of(const char *name, size_t n)
{
    static const char *const colon_lists[] = {"RUBYLIB", "PERL5LIB", "PERLLIB", "LD_AUDIT"};
    if (n == 10 && memcmp(name, "LD_PRELOAD", 10) == 0)
        return PRELOAD;
    if (n >= 4 && memcmp(name + n - 4, "PATH", 4) == 0)
        return COLONS;
    for (size_t i = 0; i < sizeof colon_lists / sizeof *colon_lists; i++)
        if (strlen(colon_lists[i]) == n && memcmp(colon_lists[i], name, n) == 0)
            return COLONS;
    return BLANKS;
}

/* Whether word w of variable name is an option whose value is the next word. The JVM
 * reads JAVA_TOOL_OPTIONS and _JAVA_OPTIONS as single words (-Dx=y, -javaagent:...);
 * JDK_JAVA_OPTIONS also takes the launcher's options (--add-opens X). */
static int takes_value(const char *name, size_t n, const char *w, size_t wl)
{
    if (n == 12 && memcmp(name, "NODE_OPTIONS", 12) == 0)
        return node_takes_value(w, wl);
    if (n == 16 && memcmp(name, "JDK_JAVA_OPTIONS", 16) == 0) {
        char opt[32];
        if (wl >= sizeof opt)
            return 0;
        memcpy(opt, w, wl);
        opt[wl] = '\0';
        return java_takes_value(opt);
    }
    return 0;
}

static int blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n';
}

/* The word at s[*i]: up to a blank outside quotes ("..." and '...' keep blanks, as Node
 * and the JVM read their option variables); LD_PRELOAD's entries end at ':' too. */
static int next_word(enum kind k, const char *s, size_t len, size_t *i, size_t *at, size_t *wl)
{
    size_t j = *i;
    while (j < len && (blank(s[j]) || (k == PRELOAD && s[j] == ':')))
        j++;
    *at = j;
    for (char q = 0; j < len && (q || !(blank(s[j]) || (k == PRELOAD && s[j] == ':'))); j++)
        if (k == BLANKS && (q ? s[j] == q : (s[j] == '"' || s[j] == '\'')))
            q = q ? 0 : s[j];
    *wl = j - *at;
    *i = j;
    return *wl > 0;
}

struct unit {
    size_t at, len;      /* the unit's text in its string */
    size_t w1;           /* length of its first word (BLANKS); the value word follows */
    size_t w2at, w2len;  /* the value word, if any (w2len 0: none) */
};

/* The units of s[0..len) into u (NULL: only counted). */
static size_t units(const char *name, size_t n, enum kind k, const char *s, struct unit *u)
{
    size_t len = strlen(s), c = 0;
    if (k == COLONS) {
        if (len == 0)
            return 0;
        for (size_t i = 0;; i++) {
            size_t j = i;
            while (j < len && s[j] != ':')
                j++;
            if (u)
                u[c] = (struct unit){i, j - i, j - i, 0, 0};
            c++;
            if (j == len)
                return c;
            i = j;
        }
    }
    for (size_t i = 0, at, wl; next_word(k, s, len, &i, &at, &wl); c++) {
        struct unit one = {at, wl, wl, 0, 0};
        size_t save = i, at2, wl2;
        if (k == BLANKS && takes_value(name, n, s + at, wl) && next_word(k, s, len, &i, &at2, &wl2))
            one = (struct unit){at, at2 + wl2 - at, wl, at2, wl2};
        else
            i = save;
        if (u)
            u[c] = one;
    }
    return c;
}

static int same(const char *a, const struct unit *x, const char *b, const struct unit *y)
{
    return x->w1 == y->w1 && x->w2len == y->w2len && memcmp(a + x->at, b + y->at, x->w1) == 0 &&
           memcmp(a + x->w2at, b + y->w2at, x->w2len) == 0;
}

/* The units of add, hashed once: whether a unit is among them costs O(1), so a value of
 * 50,000 entries is merged in linear time. */
struct unit_set {
    size_t *slot; /* index + 1 of the first unit with that content; 0: free */
    size_t mask;
    const char *s;
    const struct unit *u;
};

static size_t unit_hash(const char *s, const struct unit *x)
{
    unsigned long long h = 14695981039346656037ull;
    for (size_t i = 0; i < x->w1; i++)
        h = (h ^ (unsigned char)s[x->at + i]) * 1099511628211ull;
    h = (h ^ 0x100) * 1099511628211ull; /* the word boundary */
    for (size_t i = 0; i < x->w2len; i++)
        h = (h ^ (unsigned char)s[x->w2at + i]) * 1099511628211ull;
    return (size_t)h;
}

/* Where a unit equal to x (of string t) is or would go. */
static size_t *unit_slot(const struct unit_set *set, const char *t, const struct unit *x)
{
    for (size_t i = unit_hash(t, x) & set->mask;; i = (i + 1) & set->mask)
        if (!set->slot[i] || same(set->s, &set->u[set->slot[i] - 1], t, x))
            return &set->slot[i];
}

static void unit_set_init(struct unit_set *set, const char *s, const struct unit *u, size_t n)
{
    size_t cap = 16;
    while (cap < 2 * n)
        cap *= 2;
    *set = (struct unit_set){xmalloc(cap * sizeof *set->slot), cap - 1, s, u};
    memset(set->slot, 0, cap * sizeof *set->slot);
    for (size_t i = 0; i < n; i++) {
        size_t *slot = unit_slot(set, s, &u[i]);
        if (!*slot)
            *slot = i + 1;
    }
}

/* Index of the first unit of the set equal to x, or n (none) */
static size_t first_of(const struct unit_set *set, const char *t, const struct unit *x, size_t n)
{
    size_t at = *unit_slot(set, t, x);
    return at ? at - 1 : n;
}

/* Appends unit x of s to out (NULL: measures), with sep before all but the first. */
static size_t put(char *out, size_t len, char sep, const char *s, const struct unit *x)
{
    if (len) {
        if (out)
            out[len] = sep;
        len++;
    }
    if (out)
        memcpy(out + len, s + x->at, x->len);
    return len + x->len;
}

/* Builds the merged list into out (NULL: measures); *changed tells whether the result is
 * other than old. */
static size_t build(char *out, char sep, const char *old, const struct unit *uo, size_t no,
                    const struct unit_set *adds, size_t na, int prepend, int *changed)
{
    const char *add = adds->s;
    const struct unit *ua = adds->u;
    size_t len = 0, kept = 0;
    for (int part = 0; part < 2; part++) {
        if ((part == 0) == (prepend != 0)) {
            for (size_t i = 0; i < na; i++)
                if (first_of(adds, add, &ua[i], na) == i) /* repeated within add: once */
                    len = put(out, len, sep, add, &ua[i]);
        } else {
            for (size_t i = 0; i < no; i++)
                if (first_of(adds, old, &uo[i], na) == na)
                    len = put(out, len, sep, old, &uo[i]), kept++;
        }
    }
    /* unchanged: every unit of add was already in old, at the end it goes to */
    *changed = 0;
    size_t first = prepend ? 0 : kept, k = 0;
    for (size_t i = 0; i < na && !*changed; i++) {
        if (first_of(adds, add, &ua[i], na) != i)
            continue;
        *changed = first + k >= no || !same(old, &uo[first + k], add, &ua[i]);
        k++;
    }
    *changed = *changed || kept + k != no;
    return len;
}

char *list_merge(const char *name, size_t n, const char *old, const char *add, int prepend)
{
    enum kind k = kind_of(name, n);
    char sep = k == BLANKS ? ' ' : ':';
    old = old ? old : "";
    size_t no = units(name, n, k, old, NULL), na = units(name, n, k, add, NULL);
    struct unit *uo = xmalloc((no + na) * sizeof *uo), *ua = uo + no;
    units(name, n, k, old, uo);
    units(name, n, k, add, ua);
    struct unit_set adds;
    unit_set_init(&adds, add, ua, na);
    int changed;
    size_t len = build(NULL, sep, old, uo, no, &adds, na, prepend, &changed);
    char *out = NULL;
    if (changed) {
        out = xmalloc(len + 1);
        build(out, sep, old, uo, no, &adds, na, prepend, &changed);
        out[len] = '\0';
    }
    free(adds.slot);
    free(uo);
    return out;
}
