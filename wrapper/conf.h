/* Settings: LWRAP_* from the environment, else from the config file
 * (LWRAP_CONFIG, else $LAMBDA_TASK_ROOT/lwrap.conf, else /opt/lwrap.conf). */
#ifndef LWRAP_CONF_H
#define LWRAP_CONF_H
#include <stddef.h>

struct setting {
    const char *name; /* not NUL-terminated when it points into the environment */
    size_t name_len;
    const char *value;
    unsigned line; /* 0: from the environment; else the config file line */
};

extern const char *conf_path; /* the config file read, or NULL */

/* Reads the config file; envp is the environment lwrap was started with. */
void conf_load(char **envp);
int conf_get(const char *name, struct setting *out);
/* Value of a setting, or NULL when it is not set anywhere. */
const char *conf_value(const char *name);
/* Each setting whose name starts with prefix, environment first, each name once. */
void conf_each(const char *prefix, void (*fn)(const struct setting *, void *), void *arg);
/* Each setting that came from the file (and is not overridden by the environment). */
void conf_each_file(void (*fn)(const struct setting *, void *), void *arg);
/* A 1-or-0 setting (LWRAP_STRICT, LWRAP_DEBUG, ...): unset and empty are 0; anything
 * else is reported and counts as 0. */
int conf_flag(const char *name);
/* Each comma-separated item of list (blanks around it trimmed, empty items skipped). */
void conf_items(const char *list, void (*fn)(const char *item, size_t n, void *), void *arg);
/* How many settings there are (environment and file): a bound for new variables. */
size_t conf_count(void);

#endif
