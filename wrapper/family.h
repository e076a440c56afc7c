/* The runtime family, from the basename of the runtime command, and where in the
 * command the program the interpreter runs starts. */
#ifndef LWRAP_FAMILY_H
#define LWRAP_FAMILY_H
#include <stddef.h>

enum family { FAM_OTHER, FAM_PYTHON, FAM_NODE, FAM_JAVA, FAM_DOTNET, FAM_RUBY };

enum family family_detect(const char *argv0);
const char *family_name(enum family f);
/* Index in rt[0..nrt) of the program the interpreter runs: python's, node's and ruby's
 * script (or -m, -c, -e: the code), java's main class (or -jar, -m), the .dll of
 * `dotnet exec`; for another family, which lwrap cannot parse, the last argument. nrt when there is none
 * (`java -version`). Everything before it is the interpreter's own options. */
size_t family_program(enum family f, char *const *rt, size_t nrt);
/* JVM launcher options whose value is the next argument (JDK 9+ long forms included). */
int java_takes_value(const char *a);
/* Node options whose value can be the next word (w[0..n)). */
int node_takes_value(const char *w, size_t n);

#endif
