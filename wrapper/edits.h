/* LWRAP_UNSET, LWRAP_SET_, LWRAP_DEFAULT_, LWRAP_PREPEND_, LWRAP_APPEND_. */
#ifndef LWRAP_EDITS_H
#define LWRAP_EDITS_H

/* Applies them in that order (so SET then APPEND builds on the set value). */
void edits_apply(void);

#endif
