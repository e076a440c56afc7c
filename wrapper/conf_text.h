/* The config file's text: KEY=value lines (the value read as sh would, split.h), #
 * comments, blank lines, a UTF-8 BOM and CRLF line ends tolerated (conf.c finds and reads the file; this part only parses). */
#ifndef LWRAP_CONF_TEXT_H
#define LWRAP_CONF_TEXT_H
#include <stddef.h>

#include "conf.h"

/* Parses text[0..size) (text[size] is NUL) in place: each bad line is reported against
 * path and skipped; returns the settings in file order (NULL when there are none) and
 * their number in *count. */
struct setting *conf_parse(char *text, size_t size, const char *path, size_t *count);

#endif
