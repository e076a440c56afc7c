/* Alternate signal stacks for the runtime's threads (hooks_thread.c). */
#ifndef LWRAP_HOOKS_THREAD_H
#define LWRAP_HOOKS_THREAD_H

/* From signals_install: threads created from now on get one. */
void thread_altstacks_enable(void);

#endif
