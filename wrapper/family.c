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
    if (f != FAM_JAVA)
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
