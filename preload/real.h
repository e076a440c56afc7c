/* The real libc functions behind our hooks, resolved once with dlsym(RTLD_NEXT).
 * Code inside the preload that must not re-enter a hook (the log pipeline writing its
 * records, the observer's own sockets) calls these. Owner: preload core (real.c). */
#ifndef LWRAP_REAL_H
#define LWRAP_REAL_H

#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>

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
};

extern struct real_fns real;

/* Resolve every entry (idempotent, thread-safe); hooks call it before using `real`. */
void real_resolve(void);

#endif
