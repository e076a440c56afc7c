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

const char *family_name(enum family f)
{
    static const char *const names[] = {"other", "python", "node", "java", "dotnet", "ruby"};
    return names[f];
}
