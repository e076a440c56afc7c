/* wrapper/conf_text.c, the config file parser, on arbitrary file contents. Asserted:
 * the settings (name, value, line) and the lines reported as errors are exactly those
 * of an independent reference parser written here from the README's rules (a UTF-8 BOM
 * skipped; lines end at '\n', one trailing '\r' dropped; leading blanks, blank lines and
 * '#' comments ignored; KEY=value with KEY a shell name starting with LWRAP_ but not
 * LWRAP_CONFIG; the value read as sh reads NAME=VALUE: blanks separate words, joined
 * again by one space; '...' literal; "..." with \\ \" \$ \` escapes; a backslash
 * outside quotes escapes the next byte; an unquoted '#' starting a word, but not the
 * value's first byte, starts a comment; ${NAME} kept as it is; an unterminated quote or
 * a trailing backslash makes the line an error); each
 * report is one line naming the file and the line. The diagnostics' line output
 * (wrapper/out.c, which writes to fd 2) is replaced here by a recorder.
 * fuzz-options: -max_len=2048 */
#include "fuzz.h"

#include "conf_text.h"
#include "out.h"

#define PATH "/var/task/lwrap.conf"

/* ---- out.h: the current line is recorded instead of written ---- */
static struct fuzz_log reports; /* every line reported, '\n'-terminated */
static struct fuzz_log cur;

void line_start(int fd)
{
    FUZZ_CHECK(fd == 2, "a diagnostic to fd %d", fd);
    cur.len = 0;
}

void line_mem(const char *s, size_t n)
{
    fuzz_log_add(&cur, s, n);
}

void line_str(const char *s)
{
    line_mem(s, strlen(s));
}

void line_escaped(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) /* the escaping is out.c's business: only mark bytes */
        line_mem((unsigned char)s[i] < 0x20 || s[i] == 0x7f ? "?" : s + i, 1);
}

const char *decimal(char digits[24], unsigned long long v)
{
    snprintf(digits, 24, "%llu", v);
    return digits;
}

void line_uint(unsigned long long v)
{
    char d[24];
    line_str(decimal(d, v));
}

void line_end(void)
{
    line_mem("\n", 1);
    FUZZ_CHECK(memchr(cur.p, '\n', cur.len) == cur.p + cur.len - 1, "a report of more than one line");
    fuzz_log_add(&reports, cur.p, cur.len);
}

/* ---- the reference parser ---- */
static bool shell_name(const char *s, size_t n)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        bool alpha = c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
        if (!alpha && !(i > 0 && c >= '0' && c <= '9'))
            return false;
    }
    return true;
}

/* One byte at v[i] into out, or when escaped the byte after the backslash (none for a
 * newline); returns the index after them. */
static size_t ref_byte(const char *v, size_t i, bool escaped, struct fuzz_log *out)
{
    if (escaped && v[i + 1] == '\n')
        return i + 2;
    fuzz_log_add(out, v + i + escaped, 1);
    return i + 1 + escaped;
}

/* The value v[0..n) as sh reads it, into out; false on a quoting error. */
static bool ref_value(const char *v, size_t n, struct fuzz_log *out)
{
    size_t i = 0, words = 0;
    while (i < n) {
        if (v[i] == ' ' || v[i] == '\t' || v[i] == '\n') {
            i++;
            continue;
        }
        if (v[i] == '#' && i > 0)
            break; /* a comment to the end of the line */
        size_t mark = out->len;
        if (words)
            fuzz_log_str(out, " ");
        size_t start = out->len;
        bool quoted = false;
        while (i < n && v[i] != ' ' && v[i] != '\t' && v[i] != '\n') {
            if (v[i] == '\'') {
                const char *q = memchr(v + i + 1, '\'', n - i - 1);
                if (!q)
                    return false;
                fuzz_log_add(out, v + i + 1, (size_t)(q - v - i - 1));
                i = (size_t)(q - v) + 1;
                quoted = true;
            } else if (v[i] == '"') {
                quoted = true;
                for (i++;; ) {
                    if (i >= n)
                        return false;
                    if (v[i] == '"') {
                        i++;
                        break;
                    }
                    i = ref_byte(v, i, v[i] == '\\' && i + 1 < n && strchr("\\\"$`\n", v[i + 1]), out);
                }
            } else if (v[i] == '\\' && i + 1 >= n) {
                return false;
            } else {
                i = ref_byte(v, i, v[i] == '\\', out);
            }
        }
        if (out->len == start && !quoted) {
            out->len = mark;
            continue;
        }
        words++;
    }
    return true;
}

/* Settings as "line NAME=VALUE\n" (the value as the C string it becomes), errors as the
 * line numbers reported. */
static void reference(const char *text, size_t size, struct fuzz_log *settings, struct fuzz_log *errors)
{
    if (size >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        text += 3, size -= 3;
    unsigned line = 0;
    size_t at = 0;
    while (at < size) {
        line++;
        const char *l = text + at;
        const char *nl = memchr(l, '\n', size - at);
        size_t n = nl ? (size_t)(nl - l) : size - at;
        at += n + 1;
        if (n && l[n - 1] == '\r')
            n--;
        size_t b = 0;
        while (b < n && (l[b] == ' ' || l[b] == '\t'))
            b++;
        l += b, n -= b;
        if (n == 0 || l[0] == '#')
            continue;
        if (memchr(l, '\0', n)) { /* no environment variable can hold one */
            fuzz_log_fmt(errors, "%u\n", line);
            continue;
        }
        const char *eq = memchr(l, '=', n);
        size_t klen = eq ? (size_t)(eq - l) : 0;
        if (!eq || !shell_name(l, klen) || klen < 6 || memcmp(l, "LWRAP_", 6) != 0 ||
            (klen == 12 && memcmp(l, "LWRAP_CONFIG", 12) == 0)) {
            fuzz_log_fmt(errors, "%u\n", line);
            continue;
        }
        const char *v = eq + 1;
        size_t vlen = n - klen - 1;
        struct fuzz_log value = {0};
        if (!ref_value(v, vlen, &value)) {
            fuzz_log_fmt(errors, "%u\n", line);
        } else {
            fuzz_log_fmt(settings, "%u ", line);
            fuzz_log_add(settings, l, klen);
            fuzz_log_str(settings, "=");
            fuzz_log_add(settings, value.p, value.len);
            fuzz_log_str(settings, "\n");
        }
        fuzz_log_free(&value);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_log want = {0}, want_err = {0}, got = {0}, got_err = {0};
    reference((const char *)data, size, &want, &want_err);

    char *text = malloc(size + 1); /* read_file's buffer: the size read, then a NUL */
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    reports.len = 0;
    size_t n;
    struct setting *s = conf_parse(text, size, PATH, &n);
    FUZZ_CHECK((s == NULL) == (n == 0), "%zu settings at %p", n, (void *)s);
    for (size_t i = 0; i < n; i++) {
        FUZZ_CHECK(s[i].name[s[i].name_len] == '\0', "setting name not cut at '='");
        fuzz_log_fmt(&got, "%u ", s[i].line);
        fuzz_log_add(&got, s[i].name, s[i].name_len);
        fuzz_log_str(&got, "=");
        fuzz_log_str(&got, s[i].value);
        fuzz_log_str(&got, "\n");
    }
    /* "lwrap: PATH:LINE: ...; ignored" -> the line numbers */
    for (size_t at = 0; at < reports.len;) {
        const char *l = reports.p + at, *e = memchr(l, '\n', reports.len - at);
        size_t k = strlen("lwrap: " PATH ":");
        FUZZ_CHECK((size_t)(e - l) > k && memcmp(l, "lwrap: " PATH ":", k) == 0, "report: %.*s", (int)(e - l), l);
        FUZZ_CHECK(e - l >= 9 && memcmp(e - 9, "; ignored", 9) == 0, "report: %.*s", (int)(e - l), l);
        fuzz_log_fmt(&got_err, "%lu\n", strtoul(l + k, NULL, 10));
        at = (size_t)(e - reports.p) + 1;
    }
    fuzz_log_same(&want, &got, "settings vs the reference");
    fuzz_log_same(&want_err, &got_err, "reported lines vs the reference");
    free(s);
    free(text);
    fuzz_log_free(&want), fuzz_log_free(&want_err), fuzz_log_free(&got), fuzz_log_free(&got_err);
    return 0;
}
