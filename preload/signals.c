/* Deaths by signal. When the runtime is killed by a signal whose action is the default
 * (SIGTERM at shutdown, a segfault, abort(), ...), what the log pipeline holds, the
 * import-time summary and, with LWRAP_CRASH=1, the crash report are written first; then
 * the signal takes its default course, so the exit status is unchanged.
 *
 * That needs a handler where the program has none, which the program must not be able
 * to see: the sigaction and signal hooks keep, per signal, the action the program believes
 * is installed. Asking returns that action; installing SIG_DFL keeps (or puts back) our
 * handler; installing a handler or SIG_IGN replaces ours for real. So Python's
 * signal.getsignal() still says SIG_DFL, and faulthandler, which restores the "previous"
 * action (SIG_DFL) and re-raises after its report, reaches our handler: its report is
 * not lost. A handler the program had before our constructor (another preloaded
 * library's) is called after our work, as the program's own. */
#include "signals.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "config.h"
#include "crash.h"
#include "hook.h"
#include "hooks_thread.h"
#include "logs.h"
#include "real.h"
#include "sink.h"
#include "trace_timeline.h"
#include "user_mem.h"

/* Signals whose default action ends the process (SIGKILL and SIGSTOP cannot be caught;
 * SIGTRAP is left to debuggers). */
static const int deadly[] = {SIGHUP,  SIGINT,  SIGQUIT, SIGILL,    SIGABRT, SIGBUS,    SIGFPE,
                             SIGSEGV, SIGUSR1, SIGUSR2, SIGPIPE,   SIGALRM, SIGTERM,   SIGSTKFLT,
                             SIGXCPU, SIGXFSZ, SIGVTALRM, SIGPROF, SIGIO,   SIGPWR,    SIGSYS};

static struct {
    bool managed;            /* one of `deadly`, with a feature that wants it */
    bool ours;               /* our handler is the one installed */
    struct sigaction belief; /* what the program believes is installed */
} sig_state[NSIG];
static int table_lock;
static char altstack[64 * 1024];

static int raw_sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
    return REAL(sigaction)(sig, act, old);
}

static bool is_fault(int sig)
{
    return sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE || sig == SIGILL;
}

/* The crash report (LWRAP_CRASH=1), once, for the signals it covers. */
static void crash_once(int sig, siginfo_t *si)
{
    static int once;
    if (config.crash && (is_fault(sig) || sig == SIGABRT) &&
        !__atomic_exchange_n(&once, 1, __ATOMIC_ACQ_REL)) {
        sink_in_signal(true);
        crash_report(sig, si);
        sink_in_signal(false);
    }
}

/* The process is about to die of sig: write what is held, once. */
static void last_words(int sig, siginfo_t *si)
{
    static int once;
    crash_once(sig, si);
    if (__atomic_exchange_n(&once, 1, __ATOMIC_ACQ_REL))
        return;
    /* Our writes to a pipe whose reader is gone raise SIGPIPE: that must not become the
     * cause of death instead of sig. */
    sigset_t before, after;
    sigpending(&before);
    sink_in_signal(true);
    trace_fatal_signal(sig); /* first: the logs' last words may be many */
    logs_on_fatal_signal();
    sink_in_signal(false);
    sigpending(&after);
    if (sig != SIGPIPE && sigismember(&after, SIGPIPE) && !sigismember(&before, SIGPIPE)) {
        sigset_t pipe;
        sigemptyset(&pipe);
        sigaddset(&pipe, SIGPIPE);
        struct timespec now = {0, 0};
        sigtimedwait(&pipe, NULL, &now);
    }
}

static void on_signal(int sig, siginfo_t *si, void *uc)
{
    if (sig == SIGSEGV || sig == SIGBUS)
        user_mem_on_fault(si, uc); /* a probe of the program's buffer: does not return */
    int saved = errno;
    struct sigaction b = sig_state[sig].belief;
    if (b.sa_handler != SIG_DFL && b.sa_handler != SIG_IGN) {
        /* The program's handler, kept behind ours: one with SA_RESETHAND (Node's SIGINT
         * and SIGTERM handlers, which then raise the signal again) or one that was there
         * before our constructor. SA_RESETHAND: the next one meets SIG_DFL, as the kernel
         * would have done it. */
        if (b.sa_flags & SA_RESETHAND) {
            memset(&sig_state[sig].belief, 0, sizeof sig_state[sig].belief);
            sig_state[sig].belief.sa_handler = SIG_DFL;
        }
        crash_once(sig, si); /* the report comes before the program's own handler */
        errno = saved;
        if (b.sa_flags & SA_SIGINFO)
            b.sa_sigaction(sig, si, uc);
        else
            b.sa_handler(sig);
        return;
    }
    last_words(sig, si);
    /* The default action, for real now. A fault raised by the kernel happens again when
     * the faulting instruction re-executes; anything else is sent again, and arrives as
     * soon as this handler returns (the signal is blocked until then). */
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    raw_sigaction(sig, &dfl, NULL);
    sig_state[sig].ours = false;
    if (!(is_fault(sig) && si && si->si_code > 0))
        syscall(SYS_tgkill, (pid_t)syscall(SYS_getpid), (pid_t)syscall(SYS_gettid), sig);
    errno = saved;
}

static void install(int sig)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_signal;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART;
    sigfillset(&sa.sa_mask); /* no other handler runs inside ours */
    if (raw_sigaction(sig, &sa, NULL) == 0)
        sig_state[sig].ours = true;
}

bool signals_faults_ours(void)
{
    return __atomic_load_n(&sig_state[SIGSEGV].ours, __ATOMIC_RELAXED) &&
           __atomic_load_n(&sig_state[SIGBUS].ours, __ATOMIC_RELAXED);
}

static void table_enter(void)
{
    while (__atomic_exchange_n(&table_lock, 1, __ATOMIC_ACQUIRE))
        syscall(SYS_sched_yield);
}

static void table_leave(void)
{
    __atomic_store_n(&table_lock, 0, __ATOMIC_RELEASE);
}

void signals_atfork_child(void)
{
    table_lock = 0;
}

void signals_install(bool all, bool faults)
{
    if (config.crash)
        crash_prepare();
    /* Room for our handler when the main thread's stack overflowed; a runtime's own
     * alternate stack is kept. Threads started from now on get theirs in hooks_thread.c. */
    stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0}, old;
    if (sigaltstack(NULL, &old) == 0 && (old.ss_flags & SS_DISABLE))
        sigaltstack(&ss, NULL);
    thread_altstacks_enable();
    table_enter();
    for (size_t i = 0; i < sizeof deadly / sizeof deadly[0]; i++) {
        int sig = deadly[i];
        bool crash_sig = is_fault(sig) || sig == SIGABRT;
        if (!all && !(faults && crash_sig))
            continue;
        struct sigaction cur;
        if (raw_sigaction(sig, NULL, &cur) != 0)
            continue;
        sig_state[sig].managed = true;
        sig_state[sig].belief = cur;
        if (cur.sa_handler != SIG_IGN || (cur.sa_flags & SA_SIGINFO))
            install(sig);
    }
    table_leave();
}

static bool is_default(const struct sigaction *a)
{
    return !(a->sa_flags & SA_SIGINFO) && a->sa_handler == SIG_DFL;
}

/* Our handler stays in front: for SIG_DFL, and for a one-shot handler (SA_RESETHAND),
 * after which the kernel would reset the action to SIG_DFL behind our back. */
static bool keeps_ours(const struct sigaction *a)
{
    return is_default(a) || ((a->sa_flags & SA_RESETHAND) && a->sa_handler != SIG_IGN);
}

EXPORT int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
    /* A vfork child (Python's subprocess restoring SIGPIPE before exec) shares our memory
     * but not our signal actions: it must not change the table. */
    if (sig <= 0 || sig >= NSIG || !__atomic_load_n(&sig_state[sig].managed, __ATOMIC_RELAXED) ||
        hook_in_vfork_child())
        return raw_sigaction(sig, act, old);
    table_enter();
    int r = 0;
    if (sig_state[sig].ours) {
        struct sigaction belief = sig_state[sig].belief;
        if (act && !keeps_ours(act)) {
            r = raw_sigaction(sig, act, NULL);
            if (r == 0)
                sig_state[sig].ours = false;
        }
        if (r == 0 && act)
            sig_state[sig].belief = *act;
        if (r == 0 && old)
            *old = belief;
    } else {
        r = raw_sigaction(sig, act, old);
        if (r == 0 && act) {
            sig_state[sig].belief = *act;
            if (keeps_ours(act))
                install(sig);
        }
    }
    table_leave();
    return r;
}

/* glibc's signal() installs through its internal sigaction, not through our hook. Same
 * semantics as glibc's: BSD (SA_RESTART, the signal blocked in its handler). */
EXPORT sighandler_t signal(int sig, sighandler_t handler)
{
    struct sigaction act, old;
    memset(&act, 0, sizeof act);
    act.sa_handler = handler;
    sigemptyset(&act.sa_mask);
    if (sig > 0 && sig < NSIG)
        sigaddset(&act.sa_mask, sig);
    act.sa_flags = SA_RESTART;
    if (sigaction(sig, &act, &old) != 0)
        return SIG_ERR;
    return old.sa_handler;
}
