/* wrapper/split.c, the LWRAP_ARGS / LWRAP_BOOTSTRAP word splitter, on arbitrary text
 * (up to its first NUL, as an environment value ends there). Asserted: the words, or the
 * error message, are exactly those of an independent reference splitter written here
 * from the rules split.h documents (blanks separate words; '...' literal; "..." with
 * \\ \" \$ \` and backslash-newline escapes and ${NAME}; a backslash outside quotes
 * escapes the next byte; ${NAME} is the variable's value, not split again; an unquoted
 * word that expands to nothing is dropped; an unquoted '#' starting a word starts a
 * comment up to the next newline). The result is one exactly sized block (ASan
 * checks the two passes agree), freed here (LeakSanitizer checks nothing else leaks).
 * fuzz-options: -max_len=1024 */
#include "fuzz.h"

#include "env.h"
#include "split.h"

static char *fake_env[] = {
    "A=x y", "B=", "HOME=/root", "Q='\"\\$", "LONG=0123456789012345678901234567890123456789",
    "_u=under", "LWRAP_ARGS=-X dev", NULL,
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    env_init(fake_env, 0);
    return 0;
}

/* ---- the reference: one pass, a state per quoting context ---- */
struct ref {
    struct fuzz_log words, word;
    bool in_word, quoted;
    size_t nwords;
};

static void ref_end_word(struct ref *r)
{
    if (r->in_word && (r->word.len || r->quoted)) {
        fuzz_log_fmt(&r->words, "%zu:", r->word.len);
        fuzz_log_add(&r->words, r->word.p, r->word.len);
        r->nwords++;
    }
    r->word.len = 0;
    r->in_word = r->quoted = false;
}

static bool name_char(char c, bool first)
{
    return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (!first && c >= '0' && c <= '9');
}

/* s[i] == '$' and s[i+1] == '{': appends the value, returns the index after '}'. */
static size_t ref_expand(struct ref *r, const char *s, size_t i, const char **err)
{
    size_t a = i + 2, b = a;
    while (s[b] && s[b] != '}')
        b++;
    if (!s[b]) {
        *err = "unterminated ${";
        return b;
    }
    bool ok = b > a;
    for (size_t k = a; k < b; k++)
        ok = ok && name_char(s[k], k == a);
    if (!ok) {
        *err = "bad substitution: ${...} takes a variable name";
        return b;
    }
    for (char **e = fake_env; *e; e++)
        if (strncmp(*e, s + a, b - a) == 0 && (*e)[b - a] == '=') {
            fuzz_log_str(&r->word, *e + (b - a) + 1);
            break;
        }
    return b + 1;
}

static const char *ref_split(struct ref *r, const char *s)
{
    const char *err = NULL;
    size_t i = 0;
    while (s[i] && !err) {
        char c = s[i];
        if (c == ' ' || c == '\t' || c == '\n') {
            ref_end_word(r);
            i++;
            continue;
        }
        if (c == '#' && !r->in_word) {
            while (s[i] && s[i] != '\n')
                i++;
            continue;
        }
        r->in_word = true;
        if (c == '\'') {
            size_t j = i + 1;
            while (s[j] && s[j] != '\'')
                j++;
            if (!s[j])
                return "unterminated single quote";
            fuzz_log_add(&r->word, s + i + 1, j - i - 1);
            r->quoted = true;
            i = j + 1;
        } else if (c == '"') {
            r->quoted = true;
            i++;
            for (;;) {
                if (!s[i])
                    return "unterminated double quote";
                if (s[i] == '"') {
                    i++;
                    break;
                }
                if (s[i] == '\\' && s[i + 1] && strchr("\\\"$`\n", s[i + 1])) {
                    if (s[i + 1] != '\n')
                        fuzz_log_add(&r->word, s + i + 1, 1);
                    i += 2;
                } else if (s[i] == '$' && s[i + 1] == '{') {
                    i = ref_expand(r, s, i, &err);
                    if (err)
                        return err;
                } else {
                    fuzz_log_add(&r->word, s + i, 1);
                    i++;
                }
            }
        } else if (c == '\\') {
            if (!s[i + 1])
                return "trailing backslash";
            if (s[i + 1] != '\n')
                fuzz_log_add(&r->word, s + i + 1, 1);
            i += 2;
        } else if (c == '$' && s[i + 1] == '{') {
            i = ref_expand(r, s, i, &err);
        } else {
            fuzz_log_add(&r->word, s + i, 1);
            i++;
        }
    }
    if (err)
        return err;
    ref_end_word(r);
    return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';

    struct ref r = {0};
    const char *want_err = ref_split(&r, s);

    struct words w = {0};
    const char *err = split_words(s, &w);
    struct fuzz_log got = {0};
    if (err) {
        FUZZ_CHECK(want_err && strcmp(err, want_err) == 0, "split_words: \"%s\", reference: \"%s\"", err,
                   want_err ? want_err : "(words)");
    } else {
        FUZZ_CHECK(!want_err, "split_words gave words, reference: \"%s\"", want_err);
        FUZZ_CHECK(w.v && w.v[w.n] == NULL, "the word vector is not NULL-terminated");
        for (size_t i = 0; i < w.n; i++) {
            fuzz_log_fmt(&got, "%zu:", strlen(w.v[i]));
            fuzz_log_str(&got, w.v[i]);
        }
        FUZZ_CHECK(w.n == r.nwords, "%zu words, reference %zu", w.n, r.nwords);
        fuzz_log_same(&r.words, &got, "split_words vs the reference");
        if (w.n)
            free(w.v[0]); /* the one block every word lives in */
        free(w.v);
    }
    fuzz_log_free(&got);
    fuzz_log_free(&r.words);
    fuzz_log_free(&r.word);
    free(s);
    return 0;
}
