/* The internal extension (LWRAP_EXTENSION=1). */
#ifndef LWRAP_EXTENSION_H
#define LWRAP_EXTENSION_H

/* From the connect hook, before the process's first connection to the Runtime API goes
 * out (so before the runtime's first `next`), once: register as `lwrap` for INVOKE
 * (synchronously, with short timeouts), then serve event/next on a thread. Not from the
 * constructor: a wrapper script chained before the runtime loads us too, and an
 * extension registered from a process that then execs would never call `next`, which
 * stalls init. Failures are reported, never waited out. */
void extension_before_runtime_connect(void);

#endif
