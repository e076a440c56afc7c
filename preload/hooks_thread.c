/* An alternate signal stack for every thread the runtime starts, so that a stack
 * overflow in any thread reaches the fatal-signal handler (crash report, held records)
 * instead of killing the process on the spot: the kernel cannot push a signal frame
 * onto a stack that is full. The main thread's comes from signals.c.
 *
 * One mapping per thread, made by the creating thread (pthread_create is no hot path):
 * a page holding the start routine and its argument, a guard page, then the stack. The
 * new thread installs it before running the start routine (unless it somehow has one
 * already) and a thread-specific key's destructor, which runs at the very end of the
 * thread however it ends (return, pthread_exit, cancellation), on its own stack,
 * removes it. Only while our handler is installed (signals_install).
 *
 * Starting a thread is also an ordering point for the log pipeline: what the creating
 * thread holds goes out first (logs_before_thread). */
#include "hooks_thread.h"

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hook.h"
#include "logs.h"
#include "real.h"
#include "trace_spans.h"

#define ALT_STACK (64 * 1024) /* as the main thread's */

struct start {
    void *(*fn)(void *);
    void *arg;
    size_t page;
};

static bool wanted;
static pthread_key_t key;

static char *alt_base(struct start *s)
{
    return (char *)s + 2 * s->page;
}

static void release(void *p)
{
    struct start *s = p;
    stack_t cur;
    if (sigaltstack(NULL, &cur) == 0) {
        if (cur.ss_flags & SS_ONSTACK)
            return; /* still running on it (cannot be, but never unmap the stack in use) */
        if (!(cur.ss_flags & SS_DISABLE) && cur.ss_sp == alt_base(s)) {
            stack_t off = {.ss_flags = SS_DISABLE};
            sigaltstack(&off, NULL);
        }
    }
    munmap(s, 2 * s->page + ALT_STACK);
}

static void *trampoline(void *p)
{
    struct start *s = p;
    void *(*fn)(void *) = s->fn;
    void *arg = s->arg;
    stack_t cur, ss = {.ss_sp = alt_base(s), .ss_size = ALT_STACK};
    if (sigaltstack(NULL, &cur) == 0 && (cur.ss_flags & SS_DISABLE))
        sigaltstack(&ss, NULL);
    pthread_setspecific(key, s);
    return fn(arg);
}

void thread_altstacks_enable(void)
{
    if (pthread_key_create(&key, release) == 0)
        __atomic_store_n(&wanted, true, __ATOMIC_RELEASE);
}

EXPORT int pthread_create(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *), void *arg)
{
    int (*real_create)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *) =
        REAL(pthread_create);
    if (UNLIKELY(gate() & GATE_INIT_COUNT))
        trace_spans_pause(); /* starting a thread is the runtime's work, not a file's */
    if (gate() & GATE_LOGS)
        logs_before_thread();
    if (!__atomic_load_n(&wanted, __ATOMIC_ACQUIRE) || hook_in_vfork_child())
        return real_create(t, attr, fn, arg);
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    struct start *s = mmap(NULL, 2 * page + ALT_STACK, PROT_READ | PROT_WRITE,
                           MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (s == MAP_FAILED) /* the thread starts as it would have without us */
        return real_create(t, attr, fn, arg);
    mprotect((char *)s + page, page, PROT_NONE); /* our handler's overflow stops here */
    s->fn = fn;
    s->arg = arg;
    s->page = page;
    int r = real_create(t, attr, trampoline, s);
    if (r != 0)
        munmap(s, 2 * page + ALT_STACK);
    return r;
}
