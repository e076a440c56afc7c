/* Rules for the values of settings, checked cheaply before exec: the preload's settings
 * get the preload's own rules (preload/config.c and the files it calls), so a bad value
 * is reported by lwrap, counts for LWRAP_STRICT, and means what it means to the preload. */
#ifndef LWRAP_VALUES_H
#define LWRAP_VALUES_H

struct setting;

enum value_kind { V_ANY, V_WORDS, V_FLAG, V_NUMBER, V_PATH, V_URL };
enum { VF_NOCASE = 1, VF_OFF = 2, VF_REGULAR = 4, VF_FILE_NAME = 8 };

struct value_rule {
    enum value_kind kind;
    unsigned flags;      /* VF_NOCASE: words in any case; VF_OFF: "off" is fine too;
                            VF_REGULAR: a path that exists must be a regular file;
                            VF_FILE_NAME: a file's path, not a directory's (no final '/') */
    const char *accept;  /* V_WORDS: the words taken, each followed by '|' */
    const char *noun;    /* V_WORDS: "unknown NOUN" */
    const char *want;    /* what the line asks for */
    const char *outcome; /* what the preload does instead: "ignored", "using off" */
    unsigned long min, max; /* V_NUMBER */
};

/* Whether the value of s (empty: unset) follows r; if not and report, one line says
 * why, worded as the preload words it. */
int value_ok(const struct setting *s, const struct value_rule *r, int report);
/* A flag the preload reads as on: 1, on or true. */
int value_flag_on(const char *v);

#endif
