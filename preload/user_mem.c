/* Probing the program's buffers before the log pipeline copies them. The probe reads one
 * byte per page with a per-thread recovery point armed: our fault handler (installed
 * whenever the pipeline holds records, signals.c) sees the armed point and jumps back,
 * so a bad buffer costs one signal and a good one a few loads. Where that handler is not
 * in front (the program has its own SIGSEGV/SIGBUS handler, or no handler of ours was
 * needed), the kernel reads the pages for us instead (process_vm_readv on ourselves). */
#include "user_mem.h"

#include <errno.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include "hook.h"
#include "signals.h"

#define STEP 4096 /* the smallest page: stepping by it touches every page of any size */
/* A probe may fault on purpose: a sanitizer must not call that a bug (the copy the
 * pipeline then makes is checked as usual). */
#define PROBE __attribute__((no_sanitize("address", "thread", "undefined")))

/* GCC's own setjmp (frame, stack pointer, resume address): a handful of instructions
 * on every write, where sigsetjmp saves every register; the handler puts the signal
 * mask back itself. */
typedef void *recovery[5];
static __thread recovery *armed __attribute__((tls_model("initial-exec")));
static __thread const volatile char *volatile touching __attribute__((tls_model("initial-exec")));

/* Reads the first byte, then the first byte of every later page up to the last one.
 * False when the range wraps around the address space (the kernel says EFAULT). */
PROBE static inline __attribute__((always_inline)) bool touch(const void *base, size_t len)
{
    uintptr_t p = (uintptr_t)base, last = p + len - 1;
    if (!len)
        return true;
    if (last < p)
        return false;
    touching = (const volatile char *)p;
    (void)*touching;
    for (uintptr_t q = (p & ~(uintptr_t)(STEP - 1)) + STEP; q > p && q <= last; q += STEP) {
        touching = (const volatile char *)q;
        (void)*touching;
    }
    return true;
}

void user_mem_on_fault(const siginfo_t *si, void *uc)
{
    recovery *at = armed;
    /* A non-canonical address faults as SI_KERNEL with no address. */
    if (!at || !si || si->si_code <= 0 ||
        (si->si_addr != (void *)touching && si->si_code != SI_KERNEL))
        return;
    armed = NULL;
    /* The handler runs with every signal blocked; the program's mask comes back. */
    if (uc)
        pthread_sigmask(SIG_SETMASK, &((ucontext_t *)uc)->uc_sigmask, NULL);
    __builtin_longjmp(*at, 1);
}

/* The kernel's opinion, one syscall per 64 pages. EPERM/ENOSYS (a seccomp filter): no
 * opinion, the buffer is taken as readable, as before this check existed. */
enum { BATCH = 64 };

static bool kernel_reads(struct iovec *remote, int n)
{
    char sink[BATCH];
    struct iovec local = {sink, (size_t)n};
    long r = syscall(SYS_process_vm_readv, (pid_t)syscall(SYS_getpid), &local, 1UL, remote,
                     (unsigned long)n, 0UL);
    return r == n || (r < 0 && errno != EFAULT);
}

static bool kernel_range(const void *base, size_t len, struct iovec *batch, int *n)
{
    uintptr_t p = (uintptr_t)base, last = p + len - 1;
    if (!len)
        return true;
    if (last < p)
        return false;
    for (;;) {
        batch[(*n)++] = (struct iovec){(void *)p, 1};
        if (*n == BATCH) {
            if (!kernel_reads(batch, *n))
                return false;
            *n = 0;
        }
        if (last - p < STEP - (p % STEP))
            break;
        p += STEP - (p % STEP);
    }
    if (last != p)
        batch[(*n)++] = (struct iovec){(void *)last, 1};
    if (*n == BATCH) {
        if (!kernel_reads(batch, *n))
            return false;
        *n = 0;
    }
    return true;
}

static bool readable_by_kernel(const struct iovec *iov, int cnt)
{
    int saved = errno;
    struct iovec batch[BATCH];
    int n = 0;
    bool ok = kernel_range(iov, (size_t)cnt * sizeof *iov, batch, &n) && (n == 0 || kernel_reads(batch, n));
    n = 0;
    for (int i = 0; ok && i < cnt; i++)
        ok = kernel_range(iov[i].iov_base, iov[i].iov_len, batch, &n);
    ok = ok && (n == 0 || kernel_reads(batch, n));
    errno = saved;
    return ok;
}

PROBE bool user_mem_readable(const struct iovec *iov, int cnt)
{
    if (cnt <= 0)
        return true;
    if (!signals_faults_ours())
        return readable_by_kernel(iov, cnt);
    recovery here;
    recovery *outer = armed; /* a signal handler's write inside our own probe */
    if (__builtin_setjmp(here)) {
        armed = outer;
        return false;
    }
    armed = &here;
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    bool ok = touch(iov, (size_t)cnt * sizeof *iov);
    for (int i = 0; ok && i < cnt; i++)
        ok = touch(iov[i].iov_base, iov[i].iov_len);
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    armed = outer;
    return ok;
}
