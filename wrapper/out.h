/* Line output: each line is built in a static buffer and written with one write(2).
 * No stdio (keeps the static binary small) and no allocation. */
#ifndef LWRAP_OUT_H
#define LWRAP_OUT_H
#include <stddef.h>

void line_start(int fd);
void line_str(const char *s);
void line_mem(const char *s, size_t n);
/* Control bytes as \xNN and backslash doubled, so one value stays on one line. */
void line_escaped(const char *s, size_t n);
void line_uint(unsigned long long v);
/* v in decimal, written at the end of digits; returns where it starts. */
const char *decimal(char digits[24], unsigned long long v);
void line_end(void); /* appends '\n' and writes the line */

#endif
