/* wrapper/names.c built into the preload too: one rule for which variable names hold
 * secrets, so lwrap's lines and the preload's mask the same values. */
#include "../wrapper/names.c"
