/* Bootstrap mode: `ln -s /opt/lwrap bootstrap` in the function package, and move the
 * real bootstrap to bootstrap.real (or name it in LWRAP_BOOTSTRAP). */
#include "bootstrap.h"

#include "conf.h"
#include "diag.h"
#include "env.h"
#include "split.h"
#include "trust.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define REAL "bootstrap.real"

int bootstrap_mode(int argc, char **argv)
{
    if (argc < 1)
        return 0;
    const char *slash = strrchr(argv[0], '/');
    if (strcmp(slash ? slash + 1 : argv[0], "bootstrap") != 0)
        return 0;
    /* A managed runtime's bootstrap runs `"$AWS_LAMBDA_EXEC_WRAPPER" CMD...`: an exec
     * wrapper that happens to be named bootstrap, not a custom runtime's entry point. */
    const char *w = getenv("AWS_LAMBDA_EXEC_WRAPPER");
    return !(argc > 1 && w && strcmp(w, argv[0]) == 0);
}

/* dir/bootstrap.real when it exists, in an exactly sized string. */
static char *real_in(const char *dir)
{
    size_t n = strlen(dir);
    char *p = xmalloc(n + 1 + sizeof REAL);
    memcpy(p, dir, n);
    p[n] = '/';
    memcpy(p + n + 1, REAL, sizeof REAL);
    if (access(p, F_OK) == 0)
        return p;
    free(p);
    return NULL;
}

char **bootstrap_command(char **extra, size_t nextra, size_t *n)
{
    struct words w = {NULL, 0};
    struct setting s;
    if (conf_get("LWRAP_BOOTSTRAP", &s) && *s.value) {
        const char *err = split_words(s.value, &w);
        if (err)
            report_setting(&s, err, NULL);
        else if (w.n == 0)
            report_setting(&s, "no command in it", NULL);
    }
    static char *one[1];
    if (w.n == 0) {
        const char *root = env_get("LAMBDA_TASK_ROOT", 16);
        if (root && *root && !trust_absolute(root))
            report_item("LAMBDA_TASK_ROOT", root, ": not an absolute path; no bootstrap.real from it", NULL);
        else if (root && *root)
            one[0] = real_in(root);
        if (!one[0])
            one[0] = real_in("/opt");
        if (!one[0])
            die(127, "bootstrap: no real bootstrap: set LWRAP_BOOTSTRAP or add "
                "$LAMBDA_TASK_ROOT/" REAL " or /opt/" REAL, NULL);
        free(w.v); /* LWRAP_BOOTSTRAP's empty word list */
        w.v = one;
        w.n = 1;
    }
    char **v = xmalloc((w.n + nextra + 1) * sizeof *v);
    memcpy(v, w.v, w.n * sizeof *v);
    if (w.v != one)
        free(w.v); /* the words themselves stay: v points at them */
    if (nextra)
        memcpy(v + w.n, extra, nextra * sizeof *v);
    v[w.n + nextra] = NULL;
    *n = w.n + nextra;
    return v;
}
