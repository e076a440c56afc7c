/* lwrap ends in execve, where no exit-time leak check runs: in sanitized builds
 * (-Wl,--wrap=execve, tests/sanitizer/sanitizer.mk) LeakSanitizer looks just before it. */
#include <sanitizer/lsan_interface.h>
#include <unistd.h>

int __real_execve(const char *path, char *const argv[], char *const envp[]);
int __wrap_execve(const char *path, char *const argv[], char *const envp[]);

int __wrap_execve(const char *path, char *const argv[], char *const envp[])
{
    __lsan_do_leak_check(); /* once per process; a report ends it (exitcode) */
    return __real_execve(path, argv, envp);
}
