/* stat, fstat, lstat and fstatat for glibc 2.26. Before glibc 2.33 these were inline
 * wrappers in the headers around __xstat/__fxstat/__lxstat/__fxstatat; 2.33 made them
 * real functions (stat@GLIBC_2.33, ...), which Amazon Linux 2 lacks, and they cannot be
 * pinned because there is no older version of them. So the preload gets its own copies,
 * hidden (-fvisibility=hidden: they never interpose on the process's stat), calling the
 * old entry points that every glibc from 2.17 to today still exports. */
#include <fcntl.h>
#include <sys/stat.h>

#if defined(__GLIBC__) && (defined(__x86_64__) || defined(__aarch64__))

/* The struct stat layout version the __*xstat functions are told to fill: x86_64 uses
 * _STAT_VER_LINUX (1), aarch64 the generic kernel layout (0). */
#if defined(__x86_64__)
#define LWRAP_STAT_VER 1
#else
#define LWRAP_STAT_VER 0
#endif

int __xstat(int ver, const char *path, struct stat *buf);
int __lxstat(int ver, const char *path, struct stat *buf);
int __fxstat(int ver, int fd, struct stat *buf);
int __fxstatat(int ver, int dirfd, const char *path, struct stat *buf, int flags);
LWRAP_PIN(__xstat);
LWRAP_PIN(__lxstat);
LWRAP_PIN(__fxstat);
LWRAP_PIN_V(__fxstatat, "GLIBC_2.4", "GLIBC_2.17");

int stat(const char *path, struct stat *buf)
{
    return __xstat(LWRAP_STAT_VER, path, buf);
}

int lstat(const char *path, struct stat *buf)
{
    return __lxstat(LWRAP_STAT_VER, path, buf);
}

int fstat(int fd, struct stat *buf)
{
    return __fxstat(LWRAP_STAT_VER, fd, buf);
}

int fstatat(int dirfd, const char *path, struct stat *buf, int flags)
{
    return __fxstatat(LWRAP_STAT_VER, dirfd, path, buf, flags);
}

#endif
