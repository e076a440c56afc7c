/* The marker is a hash of the edited runtime command: a wrapper in the chain passes it
 * on as its "$@" (after the wrappers still to come), so an lwrap started on any suffix of
 * it was started by the chain itself. A program the runtime starts through lwrap runs
 * another command and is served normally. */
#include "reentry.h"

#include "diag.h"
#include "env.h"
#include "launch.h"
#include "out.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MARK "_LWRAP_RUN"

extern char **environ;

/* FNV-1a over the words and their NULs, last word first, so every suffix's hash comes
 * out of one pass from the end. */
static unsigned long long add_word(unsigned long long h, const char *w)
{
    do
        h = (h ^ (unsigned char)*w) * 1099511628211ull;
    while (*w++);
    return h;
}

static void hex(char out[17], unsigned long long h)
{
    for (int i = 15; i >= 0; i--, h >>= 4)
        out[i] = "0123456789abcdef"[h & 15];
    out[16] = '\0';
}

void reentry_mark(char *const *cmd, size_t n)
{
    unsigned long long h = 14695981039346656037ull;
    while (n--)
        h = add_word(h, cmd[n]);
    char m[17];
    hex(m, h);
    env_set_quiet(MARK, sizeof MARK - 1, m);
}

void reentry_check(char **argv, size_t n)
{
    const char *m = getenv(MARK);
    if (!m)
        return;
    unsigned long long h = 14695981039346656037ull;
    char got[17];
    size_t k = n;
    while (k-- > 0) {
        h = add_word(h, argv[k]);
        hex(got, h);
        if (strcmp(got, m) == 0)
            break;
    }
    if (k == (size_t)-1)
        return;
    line_start(2);
    line_str("lwrap: ");
    line_str(argv[0]);
    line_str(": lwrap's settings were applied to this command already (an LWRAP_NEXT wrapper "
             "ran lwrap again without exec); running it as it is");
    line_end();
    /* This process is the runtime now: the preload that the first lwrap added must
     * recognise it (see lwrap.c's _LWRAP_PID). */
    env_init(environ, 1);
    if (env_get("_LWRAP_PID", 10)) {
        char pid[24];
        env_set_quiet("_LWRAP_PID", 10, decimal(pid, (unsigned long long)getpid()));
    }
    launch(argv, env_vector(), argv, env_vector());
}
