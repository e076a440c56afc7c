/* The sanitizer runtimes' defaults for every process of a sanitizer test run. ld.so loads
 * this library just ahead of the ASan runtime in each dynamic process (scripts/sanitizer-env
 * lists both in /etc/ld.so.preload), so the runtime finds these definitions first: they
 * hold whatever environment a test, lwrap or lambda-emu hands a process. Not instrumented
 * itself (tests/sanitizer/sanitizer.mk); BUILD_DIR is the sanitized build's absolute path. */
#include <fcntl.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "env.h"

#define REPORTS BUILD_DIR "/sanitizer-reports/"

/* A report fails the test it happened in: the harness looks for these files after each
 * test (tests/test_helper.bash), and the process stops with an exit status of its own. */
#define COMMON "exitcode=86:halt_on_error=1:print_stacktrace=1:"

/* The host program's signal handling stays its own (crash reports, the JVM's SIGSEGV use,
 * each thread's alternate stack); lwrap's code is checked by instrumentation, not by a
 * SIGSEGV handler. The runtime comes after LD_PRELOAD's entries (none of which defines
 * an allocator), so its "first in the library list" check is off. */
#define ASAN COMMON "log_path=" REPORTS "asan:verify_asan_link_order=0:handle_segv=0:" \
    "handle_sigbus=0:handle_sigfpe=0:handle_sigill=0:handle_abort=0:use_sigaltstack=0:"

const char *__asan_default_options(void);
const char *__ubsan_default_options(void);

int san_built_here(void)
{
    static int known; /* 0: not looked yet, 1: no, 2: yes (exec starts it over) */
    if (!known) {
        char exe[4096];
        long n = syscall(SYS_readlink, "/proc/self/exe", exe, sizeof exe - 1);
        size_t len = strlen(BUILD_DIR);
        known = n > (long)len && strncmp(exe, BUILD_DIR "/", len + 1) == 0 ? 2 : 1;
    }
    return known == 2;
}

/* LeakSanitizer stops the other threads with ptrace: it cannot work under strace -f. */
static int traced(void)
{
    char buf[4096];
    long fd = syscall(SYS_open, "/proc/self/status", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    long n = syscall(SYS_read, fd, buf, sizeof buf - 1);
    syscall(SYS_close, fd);
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    const char *t = strstr(buf, "\nTracerPid:\t");
    return t && t[sizeof "\nTracerPid:\t" - 1] != '0';
}

/* The runtime sets itself up at its first intercepted call when nothing did before; if
 * that call is another library's constructor's malloc inside newlocale (p11-kit's, in
 * curl), the runtime's own dlsym/dlerror takes glibc's locale lock that newlocale holds,
 * and the program hangs at its first setlocale. Linked with -z initfirst, this constructor
 * runs before every other one and sets the runtime up first, as an instrumented
 * program's preinit_array would. */
void __asan_init(void);

__attribute__((constructor)) static void runtime_first(void)
{
    __asan_init();
}

/* Leaks are looked for in the programs this build made, not in the interpreters and
 * tools around them, which free nothing at exit on purpose. */
const char *__asan_default_options(void)
{
    return san_built_here() && !traced() ? ASAN "detect_leaks=1" : ASAN "detect_leaks=0";
}

const char *__ubsan_default_options(void)
{
    return COMMON "log_path=" REPORTS "ubsan";
}
