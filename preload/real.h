/* The real libc functions behind our hooks, resolved once with dlsym(RTLD_NEXT).
 * Code inside the preload that must not re-enter a hook (the log pipeline writing its
 * records, the observer's own sockets) calls these. Owner: preload core (real.c). */
#ifndef LWRAP_REAL_H
#define LWRAP_REAL_H

#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <wchar.h>

struct real_fns {
    ssize_t (*write)(int, const void *, size_t);
    ssize_t (*writev)(int, const struct iovec *, int);
    ssize_t (*read)(int, void *, size_t);
    ssize_t (*readv)(int, const struct iovec *, int);
    ssize_t (*send)(int, const void *, size_t, int);
    ssize_t (*sendto)(int, const void *, size_t, int, const struct sockaddr *, socklen_t);
    ssize_t (*sendmsg)(int, const struct msghdr *, int);
    ssize_t (*recv)(int, void *, size_t, int);
    ssize_t (*recvfrom)(int, void *, size_t, int, struct sockaddr *, socklen_t *);
    ssize_t (*recvmsg)(int, struct msghdr *, int);
    int (*connect)(int, const struct sockaddr *, socklen_t);
    int (*close)(int);
    /* The kernel's own copies (hooks_copy.c). */
    ssize_t (*sendfile)(int, int, off_t *, size_t);
    ssize_t (*splice)(int, loff_t *, int, loff_t *, size_t, unsigned);
    ssize_t (*copy_file_range)(int, loff_t *, int, loff_t *, size_t, unsigned); /* >= 2.27 */
    int (*fclose)(FILE *);
    int (*close_range)(unsigned, unsigned, int); /* glibc >= 2.34; else NULL */
    void (*closefrom)(int);                      /* glibc >= 2.34; else NULL */
    /* Fortified variants: glibc's own __read_chk calls read internally, not through us. */
    ssize_t (*read_chk)(int, void *, size_t, size_t);
    ssize_t (*recv_chk)(int, void *, size_t, size_t, int);
    ssize_t (*recvfrom_chk)(int, void *, size_t, size_t, int, struct sockaddr *, socklen_t *);
    int (*dup)(int);
    int (*dup2)(int, int);
    int (*dup3)(int, int, int);
    int (*fcntl)(int, int, ...); /* on LP64 also what fcntl64 (glibc >= 2.28) is */
    /* Counted during init by the startup trace. */
    int (*open)(const char *, int, ...);
    int (*open64)(const char *, int, ...);
    int (*openat)(int, const char *, int, ...);
    int (*openat64)(int, const char *, int, ...);
    int (*open_2)(const char *, int);
    int (*open64_2)(const char *, int);
    int (*openat_2)(int, const char *, int);
    int (*openat64_2)(int, const char *, int);
    FILE *(*fopen)(const char *, const char *);
    FILE *(*fopen64)(const char *, const char *);
    ssize_t (*pread)(int, void *, size_t, off_t);
    ssize_t (*pread64)(int, void *, size_t, off_t);
    /* Positioned writes (hooks_pwrite.c); NULL: the syscall. */
    ssize_t (*pwrite)(int, const void *, size_t, off_t);
    ssize_t (*pwrite64)(int, const void *, size_t, off_t);
    ssize_t (*pwritev)(int, const struct iovec *, int, off_t);
    ssize_t (*pwritev64)(int, const struct iovec *, int, off_t);
    ssize_t (*pwritev2)(int, const struct iovec *, int, off_t, int);
    ssize_t (*pwritev64v2)(int, const struct iovec *, int, off_t, int);
    void *(*dlopen)(const char *, int);
    /* Exec family: see child_env.c. */
    int (*execve)(const char *, char *const[], char *const[]);
    int (*execvpe)(const char *, char *const[], char *const[]);
    int (*fexecve)(int, char *const[], char *const[]);
    int (*execveat)(int, const char *, char *const[], char *const[], int); /* glibc >= 2.34 */
    /* Ways to start a child without fork's atfork handlers (hooks_exec.c). */
    int (*posix_spawn)(pid_t *, const char *, const posix_spawn_file_actions_t *,
                       const posix_spawnattr_t *, char *const[], char *const[]);
    int (*posix_spawnp)(pid_t *, const char *, const posix_spawn_file_actions_t *,
                        const posix_spawnattr_t *, char *const[], char *const[]);
    int (*system)(const char *);
    int (*pthread_create)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);
    int (*sigaction)(int, const struct sigaction *, struct sigaction *);
    /* What cookie streams cannot do (log_stdio_limits.c). */
    FILE *(*freopen)(const char *, const char *, FILE *);
    FILE *(*freopen64)(const char *, const char *, FILE *);
    int (*fwide)(FILE *, int);
    wint_t (*fputwc)(wchar_t, FILE *);
    wint_t (*fputwc_unlocked)(wchar_t, FILE *);
    int (*fputws)(const wchar_t *, FILE *);
    int (*fputws_unlocked)(const wchar_t *, FILE *);
    int (*vfwprintf)(FILE *, const wchar_t *, va_list);
    int (*vfwprintf_chk)(FILE *, int, const wchar_t *, va_list);
    FILE *(*popen)(const char *, const char *);
};

extern struct real_fns real;

/* Resolve every entry (idempotent, thread-safe); hooks call it before using `real`. */
void real_resolve(void);

/* real.FN, resolving the table first if this hook runs before the constructor (another
 * library's constructor called it). One load and one predictable branch; the resolving
 * call is out of line, so a hook's fast path needs no stack frame. NULL only when the
 * lookup itself re-entered this hook (a malloc hook writing from inside dlsym): callers
 * then use the raw system call. */
#define REAL(fn) \
    __extension__({ \
        __typeof__(real.fn) real_fn_ = __atomic_load_n(&real.fn, __ATOMIC_RELAXED); \
        __builtin_expect(real_fn_ != NULL, 1) \
            ? real_fn_ : (__typeof__(real.fn))real_resolve_slot(offsetof(struct real_fns, fn)); \
    })

/* real_resolve(), then the table entry at byte offset `offset`. */
void *real_resolve_slot(size_t offset) __attribute__((cold));

/* All of p[0..n) with the real write, short counts and EINTR retried (lwrap's own lines:
 * warnings, the debug channel, the crash report file). 0, or the errno that stopped it.
 * Async-signal-safe. */
int real_write_all(int fd, const void *p, size_t n);

/* glibc's fortified entry points, which we hook: its headers declare them only when the
 * including file is built with _FORTIFY_SOURCE (not at -O0, not in sanitizer builds). */
int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int __openat_2(int dir, const char *path, int flags);
int __openat64_2(int dir, const char *path, int flags);
ssize_t __read_chk(int fd, void *buf, size_t n, size_t buflen);
ssize_t __recv_chk(int fd, void *buf, size_t n, size_t buflen, int flags);
ssize_t __recvfrom_chk(int fd, void *buf, size_t n, size_t buflen, int flags,
                       struct sockaddr *from, socklen_t *fromlen);

#endif
