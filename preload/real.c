/* Hook foundation: the real functions, found once with dlsym(RTLD_NEXT) under
 * pthread_once, from the constructor or lazily from the first hook that runs (hooks can
 * run before our constructor when another library's constructor does I/O). */

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "real.h"

struct real_fns real;

static pthread_once_t resolve_once = PTHREAD_ONCE_INIT;
/* Set while this thread runs the lookup: a hook re-entered from inside dlsym must not
 * wait on the once-guard its own thread holds. volatile: nothing in this file reads it
 * between the two stores, so without it the compiler drops the first one (it cannot
 * know that dlsym calls back into our hooks), and such a hook deadlocked. */
static __thread volatile bool resolving __attribute__((tls_model("initial-exec")));

/* Without the real function a hook cannot do its job, and calling our own hook back
 * would recurse until the stack overflows: one line, then abort(). */
static void die(const char *name, const char *why)
{
    const char *parts[] = {"lwrap: dlsym(RTLD_NEXT, \"", name, "\") ", why, "; aborting\n"};
    char line[256];
    size_t n = 0;
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        size_t k = strlen(parts[i]);
        k = k < sizeof line - n ? k : sizeof line - n;
        memcpy(line + n, parts[i], k);
        n += k;
    }
    /* Raw system call, one write: write() is one of our own hooks. */
    syscall(SYS_write, 2, line, n);
    abort();
}

/* Our own image, from the ELF header to the end of .bss (symbols the linker defines;
 * hidden, so they name ours and not the executable's). Cheaper than dladdr per lookup. */
extern const char __ehdr_start[] __attribute__((visibility("hidden")));
extern const char _end[] __attribute__((visibility("hidden")));

static void lookup(void *slot, const char *name, bool required)
{
    void *fn = dlsym(RTLD_NEXT, name);
    /* Our own hook back (a broken link order): calling it would recurse forever. */
    if (fn && (const char *)fn >= __ehdr_start && (const char *)fn < _end)
        die(name, "returned liblwrap's own hook (a library loaded before liblwrap.so wraps dlsym?)");
    if (!fn && required)
        die(name, "found nothing");
    __atomic_store_n((void **)slot, fn, __ATOMIC_RELEASE);
}

static void resolve_all(void)
{
    resolving = true;
#define R(field, name) lookup(&real.field, name, true)
    R(write, "write");
    R(writev, "writev");
    R(read, "read");
    R(readv, "readv");
    R(send, "send");
    R(sendto, "sendto");
    R(sendmsg, "sendmsg");
    R(recv, "recv");
    R(recvfrom, "recvfrom");
    R(recvmsg, "recvmsg");
    R(connect, "connect");
    R(close, "close");
    R(sendfile, "sendfile64");
    R(splice, "splice");
    lookup(&real.copy_file_range, "copy_file_range", false);
    R(fclose, "fclose");
    R(read_chk, "__read_chk");
    R(recv_chk, "__recv_chk");
    R(recvfrom_chk, "__recvfrom_chk");
    R(dup, "dup");
    R(dup2, "dup2");
    R(dup3, "dup3");
    R(fcntl, "fcntl");
    R(open, "open");
    R(open64, "open64");
    R(openat, "openat");
    R(openat64, "openat64");
    R(open_2, "__open_2");
    R(open64_2, "__open64_2");
    R(openat_2, "__openat_2");
    R(openat64_2, "__openat64_2");
    R(fopen, "fopen");
    R(fopen64, "fopen64");
    R(pread, "pread");
    R(pread64, "pread64");
    lookup(&real.pwrite, "pwrite", false);
    lookup(&real.pwrite64, "pwrite64", false);
    lookup(&real.pwritev, "pwritev", false);
    lookup(&real.pwritev64, "pwritev64", false);
    lookup(&real.pwritev2, "pwritev2", false);
    lookup(&real.pwritev64v2, "pwritev64v2", false);
    R(dlopen, "dlopen");
    R(execve, "execve");
    R(execvpe, "execvpe");
    R(fexecve, "fexecve");
    lookup(&real.execveat, "execveat", false);
    lookup(&real.close_range, "close_range", false);
    lookup(&real.closefrom, "closefrom", false);
    R(posix_spawn, "posix_spawn");
    R(posix_spawnp, "posix_spawnp");
    R(system, "system");
    R(pthread_create, "pthread_create");
    R(sigaction, "sigaction");
    R(freopen, "freopen");
    R(freopen64, "freopen64");
    R(fwide, "fwide");
    R(fputwc, "fputwc");
    R(fputwc_unlocked, "fputwc_unlocked");
    R(fputws, "fputws");
    R(fputws_unlocked, "fputws_unlocked");
    R(vfwprintf, "vfwprintf");
    R(vfwprintf_chk, "__vfwprintf_chk");
    R(popen, "popen");
#undef R
    resolving = false;
}

void real_resolve(void)
{
    if (resolving)
        return;
    pthread_once(&resolve_once, resolve_all);
}

void *real_resolve_slot(size_t offset)
{
    real_resolve();
    void *fn;
    memcpy(&fn, (char *)&real + offset, sizeof fn);
    return fn;
}

int real_write_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n) {
        ssize_t w = REAL(write)(fd, c, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return w < 0 ? errno : EIO;
        c += w;
        n -= (size_t)w;
    }
    return 0;
}

#include "hook.h"

uint8_t hook_gate;
int hook_pid;

bool hook_in_vfork_child(void)
{
    return hook_pid && (int)syscall(SYS_getpid) != hook_pid;
}
__thread uint8_t hook_busy;
