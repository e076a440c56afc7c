/* Shell-like word splitting for LWRAP_ARGS and LWRAP_BOOTSTRAP. */
#ifndef LWRAP_SPLIT_H
#define LWRAP_SPLIT_H
#include <stddef.h>

struct words {
    char **v; /* NULL-terminated */
    size_t n;
};

/* Splits s: whitespace separates words; '...' is literal; "..." keeps \\ \" \$ \`
 * escapes and ${NAME}; outside quotes a backslash escapes the next byte. ${NAME} is
 * replaced by the variable's value in the edited environment (unset: empty) and not
 * split again. No other expansion, no command substitution. Returns NULL with *w
 * filled, or a message naming what is wrong. */
const char *split_words(const char *s, struct words *w);

#endif
