/* Family detection: AWS passes /var/lang/bin/python3.12, node, java, dotnet, ruby;
 * venvs and custom runtimes use python3, python3.11, ruby3.2 and the like. */
#include "family.h"

#include <string.h>

/* name is prefix followed only by digits and dots ("python3.12"). */
static int versioned(const char *name, const char *prefix)
{
    size_t n = strlen(prefix);
    if (strncmp(name, prefix, n) != 0)
        return 0;
    for (name += n; *name; name++)
        if (!(*name == '.' || (*name >= '0' && *name <= '9')))
            return 0;
    return 1;
}

enum family family_detect(const char *argv0)
{
    const char *slash = strrchr(argv0, '/');
    const char *b = slash ? slash + 1 : argv0;
    if (versioned(b, "python"))
        return FAM_PYTHON;
    if (strcmp(b, "node") == 0 || strcmp(b, "nodejs") == 0)
        return FAM_NODE;
    if (strcmp(b, "java") == 0)
        return FAM_JAVA;
    if (strcmp(b, "dotnet") == 0)
        return FAM_DOTNET;
    if (versioned(b, "ruby"))
        return FAM_RUBY;
    return FAM_OTHER;
}

int java_takes_value(const char *a)
{
    static const char *const opts[] = {"-cp", "-classpath", "--class-path", "-p", "--module-path",
                                       "--upgrade-module-path", "--add-modules", "--limit-modules",
                                       "--add-reads", "--add-exports", "--add-opens",
                                       "--patch-module", "--source"};
    for (size_t i = 0; i < sizeof opts / sizeof *opts; i++)
        if (strcmp(a, opts[i]) == 0)
            return 1;
    return 0;
}

/* Node options that take their value as the next word (they accept --opt=value too). */
int node_takes_value(const char *w, size_t n)
{
    static const char *const opts[] = {
        "-r", "--require", "--import", "--loader", "--experimental-loader", "-C", "--conditions",
        "--inspect-port", "--debug-port", "--title", "--icu-data-dir", "--openssl-config",
        "--redirect-warnings", "--report-dir", "--report-directory", "--report-filename",
        "--report-signal", "--diagnostic-dir", "--heapsnapshot-signal", "--dns-result-order",
        "--tls-cipher-list", "--tls-keylog", "--unhandled-rejections", "--secure-heap",
        "--secure-heap-min", "--disable-warning", "--env-file", "--input-type",
        "--experimental-policy", "--policy-integrity", "--use-largepages",
        "--trace-event-categories", "--trace-event-file-pattern", "--max-http-header-size",
        "--cpu-prof-dir", "--heap-prof-dir", "--watch-path"};
    for (size_t i = 0; i < sizeof opts / sizeof *opts; i++)
        if (strlen(opts[i]) == n && memcmp(opts[i], w, n) == 0)
            return 1;
    return 0;
}

/* python [options] (-m module | -c code | script | -) [args]: what follows -m, -c or the
 * script belongs to the program (`python3 -m awslambdaric app.handler`, the runtime
 * interface client's command line, must not get options after its handler). */
static size_t python_program(char *const *rt, size_t nrt)
{
    for (size_t i = 1; i < nrt; i++) {
        const char *a = rt[i];
        if (strcmp(a, "--") == 0)
            return i + 1 < nrt ? i + 1 : nrt;
        if (a[0] != '-' || a[1] == '\0')
            return i; /* the script, or - (stdin) */
        if (a[1] == '-') { /* --check-hash-based-pycs MODE; --help and the like */
            if (strcmp(a, "--check-hash-based-pycs") == 0)
                i++;
            continue;
        }
        /* Flags in one word, as python's getopt reads them: -um is -u -m. */
        for (const char *c = a + 1; *c; c++) {
            if (*c == 'm' || *c == 'c')
                return i;
            if (*c == 'W' || *c == 'X') { /* the value: the rest of the word, else the next */
                if (!c[1])
                    i++;
                break;
            }
        }
    }
    return nrt;
}

/* node [options] (script | -e CODE | -p CODE | -) [args]: the script's own arguments
 * (`node index.js --inspect`) are not node's. */
static size_t node_program(char *const *rt, size_t nrt)
{
    for (size_t i = 1; i < nrt; i++) {
        const char *a = rt[i];
        if (strcmp(a, "--") == 0)
            return i + 1 < nrt ? i + 1 : nrt;
        if (a[0] != '-' || a[1] == '\0')
            return i;
        if (strcmp(a, "-e") == 0 || strcmp(a, "-p") == 0 || strcmp(a, "-pe") == 0 ||
            strncmp(a, "--eval", 6) == 0 || strncmp(a, "--print", 7) == 0)
            return i; /* the code: what follows it is process.argv */
        if (node_takes_value(a, strlen(a)))
            i++;
    }
    return nrt;
}

/* ruby [switches] [--] (programfile | -e CODE | -) [args], switches in one word as
 * ruby reads them: -ne is -n -e; -I, -r, -C and -E take the rest of the word or the
 * next one, -x, -i, -0, -W, -K, -T and -F only the rest of the word. */
static size_t ruby_program(char *const *rt, size_t nrt)
{
    static const char *const long_value[] = {"--enable", "--disable", "--encoding",
                                             "--external-encoding", "--internal-encoding", "--dump"};
    for (size_t i = 1; i < nrt; i++) {
        const char *a = rt[i];
        if (strcmp(a, "--") == 0)
            return i + 1 < nrt ? i + 1 : nrt;
        if (a[0] != '-' || a[1] == '\0')
            return i;
        if (a[1] == '-') {
            for (size_t k = 0; k < sizeof long_value / sizeof *long_value; k++)
                if (strcmp(a, long_value[k]) == 0)
                    i++;
            continue;
        }
        for (const char *c = a + 1; *c; c++) {
            if (*c == 'e')
                return i;
            if (strchr("IrCE", *c)) {
                if (!c[1])
                    i++;
                break;
            }
            if (strchr("xi0WKTF", *c))
                break;
        }
    }
    return nrt;
}

/* Scanning, not counting from the end: java8.al2 starts lambdainternal.AWSLambda with no
 * handler argument after it, where "second to last" would be the -classpath value. */
size_t family_program(enum family f, char *const *rt, size_t nrt)
{
    size_t i = 1;
    if (f == FAM_DOTNET && nrt > 1 && strcmp(rt[1], "exec") == 0) {
        /* every `dotnet exec` host option (--depsfile, --runtimeconfig, ...) takes a value */
        for (i = 2; i < nrt && strncmp(rt[i], "--", 2) == 0; i += 2)
            ;
        return i < nrt ? i : nrt;
    }
    if (f == FAM_PYTHON)
        return python_program(rt, nrt);
    if (f == FAM_NODE)
        return node_program(rt, nrt);
    if (f == FAM_RUBY)
        return ruby_program(rt, nrt);
    if (f != FAM_JAVA) /* unknown options: Lambda's runtime commands end with the program */
        return nrt > 1 ? nrt - 1 : nrt;
    for (; i < nrt; i++) {
        const char *a = rt[i];
        if (strcmp(a, "-jar") == 0 || strcmp(a, "-m") == 0 || strcmp(a, "--module") == 0 || a[0] != '-')
            return i;
        if (java_takes_value(a))
            i++;
    }
    return nrt;
}

const char *family_name(enum family f)
{
    static const char *const names[] = {"other", "python", "node", "java", "dotnet", "ruby"};
    return names[f];
}
