/* Crash report: on a fatal signal, one record (signal, fault address, the request id in
 * flight, a native backtrace) to stderr and to /tmp/lwrap-crash-<request-id>.txt, then
 * the signal goes on as if we had not been there, so the exit status is unchanged.
 *
 * Installed once, from the constructor, and never again: a runtime that installs its own
 * handler later (the JVM, Node) replaces ours, and that is its right. A handler that was
 * there before us is restored and gets the signal after our report.
 *
 * Everything in the handler is async-signal-safe: static buffers, raw fds, backtrace()
 * (libgcc_s is loaded in the constructor, not in the handler). The backtrace goes to
 * the file first and is read back, so stderr gets the whole record in one write. */
#include <execinfo.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "crash.h"
#include "fmt.h"
#include "lifecycle.h"
#include "logs.h"
#include "real.h"

static const int fatal[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
#define NFATAL (sizeof fatal / sizeof fatal[0])
static struct sigaction previous[NFATAL];
static char altstack[64 * 1024];
static char record[64 * 1024];
static void *frames[64];

static const char *signame(int sig)
{
    switch (sig) {
    case SIGSEGV: return "SIGSEGV";
    case SIGBUS: return "SIGBUS";
    case SIGFPE: return "SIGFPE";
    case SIGILL: return "SIGILL";
    case SIGABRT: return "SIGABRT";
    default: return "?";
    }
}

static int index_of(int sig)
{
    for (unsigned i = 0; i < NFATAL; i++)
        if (fatal[i] == sig)
            return (int)i;
    return -1;
}

/* A request id may only put safe characters into a file name. */
static void file_name(struct fmt *f, const char *id, size_t n)
{
    fmt_str(f, "/tmp/lwrap-crash-");
    if (n == 0) {
        fmt_str(f, "init-");
        fmt_u64(f, (uint64_t)getpid());
    }
    for (size_t i = 0; i < n; i++) {
        char c = id[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_' || c == '.';
        fmt_mem(f, ok ? &c : "_", 1);
    }
    fmt_str(f, ".txt");
}

static void report(int sig, const siginfo_t *si)
{
    char id[LWRAP_REQUEST_ID_SIZE];
    size_t idlen = lifecycle_request_id(id, sizeof id);

    char path[256];
    struct fmt pf = fmt_on(path, sizeof path - 1);
    file_name(&pf, id, idlen);
    path[pf.len] = 0;

    struct fmt f = fmt_on(record, sizeof record);
    fmt_str(&f, "LWRAP CRASH signal=");
    fmt_str(&f, signame(sig));
    fmt_str(&f, " (");
    fmt_u64(&f, (uint64_t)sig);
    fmt_str(&f, ") code=");
    fmt_i64(&f, si ? si->si_code : 0);
    fmt_str(&f, " address=");
    fmt_hex(&f, si ? (uint64_t)(uintptr_t)si->si_addr : 0);
    fmt_str(&f, " requestId=");
    fmt_mem(&f, idlen ? id : "-", idlen ? idlen : 1);
    fmt_str(&f, " pid=");
    fmt_u64(&f, (uint64_t)getpid());
    fmt_str(&f, " tid=");
    fmt_u64(&f, (uint64_t)syscall(SYS_gettid));
    fmt_str(&f, " report=");
    fmt_str(&f, path);
    fmt_str(&f, "\nbacktrace:\n");

    int depth = backtrace(frames, (int)(sizeof frames / sizeof frames[0]));
    int fd = REAL(open)(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd >= 0) {
        REAL(write)(fd, record, f.len);
        backtrace_symbols_fd(frames, depth, fd);
        off_t end = lseek(fd, 0, SEEK_CUR);
        if (end > 0 && lseek(fd, 0, SEEK_SET) == 0) {
            ssize_t n = REAL(read)(fd, record, end < (off_t)sizeof record ? (size_t)end : sizeof record);
            if (n > 0)
                REAL(write)(2, record, (size_t)n);
        }
        REAL(close)(fd);
    } else { /* no /tmp: the same record, in a few writes */
        REAL(write)(2, record, f.len);
        backtrace_symbols_fd(frames, depth, 2);
    }
}

static void on_fatal(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    static int busy;
    int i = index_of(sig);
    /* A second fatal signal (another thread, or inside the report) skips the report. */
    if (!__atomic_exchange_n(&busy, 1, __ATOMIC_ACQ_REL)) {
        report(sig, si);
        logs_flush_all();
    }
    /* Put back what was there before us and let the signal happen again: a fault
     * re-executes the faulting instruction, a sent signal (abort, kill) is raised anew. */
    sigaction(sig, i >= 0 ? &previous[i] : NULL, NULL);
    if (si == NULL || si->si_code <= 0)
        raise(sig);
}

void crash_install(void)
{
    /* backtrace() loads libgcc_s on first use: do it now, not inside the handler. */
    backtrace(frames, 1);
    stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0};
    stack_t old;
    /* Keep a runtime's own alternate stack if it already has one. */
    if (sigaltstack(NULL, &old) == 0 && (old.ss_flags & SS_DISABLE))
        sigaltstack(&ss, NULL);
    for (unsigned i = 0; i < NFATAL; i++) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_sigaction = on_fatal;
        sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
        sigemptyset(&sa.sa_mask);
        sigaction(fatal[i], &sa, &previous[i]);
    }
}
