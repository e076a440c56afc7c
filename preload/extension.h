/* The internal extension (LWRAP_EXTENSION=1). */
#ifndef LWRAP_EXTENSION_H
#define LWRAP_EXTENSION_H

/* From the constructor: register as `lwrap` for INVOKE (synchronously, with short
 * timeouts, before the runtime can call its first `next`), then serve event/next on a
 * thread. Failures are reported, never waited out. */
void extension_start(void);

#endif
