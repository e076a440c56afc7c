/* The runtime family, from the basename of the runtime command. */
#ifndef LWRAP_FAMILY_H
#define LWRAP_FAMILY_H

enum family { FAM_OTHER, FAM_PYTHON, FAM_NODE, FAM_JAVA, FAM_DOTNET, FAM_RUBY };

enum family family_detect(const char *argv0);
const char *family_name(enum family f);

#endif
