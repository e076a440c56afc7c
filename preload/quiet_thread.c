#include "quiet_thread.h"

#include <pthread.h>
#include <signal.h>

#include "real.h"

int quiet_thread_start(void *(*fn)(void *), size_t stack_size)
{
    /* The new thread inherits the creator's mask: block everything around the create. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, stack_size);
    pthread_t t;
    /* Not through our hook: these threads block every signal and need no signal stack. */
    int err = REAL(pthread_create)(&t, &attr, fn, NULL);
    pthread_attr_destroy(&attr);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return err;
}
