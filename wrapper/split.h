/* Shell-like word splitting for LWRAP_ARGS and LWRAP_BOOTSTRAP. */
#ifndef LWRAP_SPLIT_H
#define LWRAP_SPLIT_H
#include <stddef.h>

struct words {
    char **v; /* NULL-terminated */
    size_t n;
};

/* Splits s: whitespace separates words; '...' is literal; "..." keeps \\ \" \$ \`
 * escapes and ${NAME}; outside quotes a backslash escapes the next byte; an unquoted '#'
 * starting a word starts a comment up to the next newline. ${NAME} is replaced by the
 * variable's value in the edited environment (unset: empty) and not split again. No
 * other expansion, no command substitution. Returns NULL with *w filled, or a message
 * naming what is wrong. */
const char *split_words(const char *s, struct words *w);
/* A config file's value by the same rules, as sh reads VALUE in NAME=VALUE: quotes
 * removed, comments and blanks around words dropped, the words joined by one space,
 * ${NAME} kept as it is (expanded where the setting is used), and a '#' right at the
 * start is no comment. fill 0: only checks; 1: rewrites s in place. Returns NULL or a
 * message naming what is wrong. */
const char *split_value(char *s, int fill);

#endif
