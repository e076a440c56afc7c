/* The environment the runtime will get: a copy of lwrap's pointer array, edited in
 * place. Unchanged entries keep pointing at the original strings. */
#ifndef LWRAP_ENV_H
#define LWRAP_ENV_H
#include <stddef.h>

/* extra: how many new names the edits can add at most. */
void env_init(char **envp, size_t extra);
const char *env_get(const char *name, size_t n);
/* Each change is announced through note_* with its source (src2 may be NULL). */
void env_set(const char *name, size_t n, const char *value, const char *src, const char *src2);
/* For lwrap's private markers: no note, not a user-visible change. */
void env_set_quiet(const char *name, size_t n, const char *value);
void env_unset(const char *name, size_t n, const char *src, const char *src2);
/* Adds each token of value not already present; ':' for names ending in PATH, else ' '. */
void env_add(const char *name, size_t n, const char *value, int prepend, const char *src,
             const char *src2);
char **env_vector(void);

#endif
