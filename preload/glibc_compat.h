/* Pins liblwrap.so's glibc symbol versions to what Amazon Linux 2 (glibc 2.26) provides.
 * preload.mk force-includes this file (-include) into every preload object, so it comes
 * before any other header; it includes <features.h> itself first, because a .symver
 * placed before <features.h> is skipped by any guard on __GLIBC__.
 *
 * Why: glibc 2.34 moved libdl and libpthread into libc and gave their functions new
 * default versions (dlsym@GLIBC_2.34, pthread_create@GLIBC_2.34, ...). A library linked
 * here (glibc 2.36) asks for those and fails to load on 2.26 ("version `GLIBC_2.34' not
 * found"). The old versions are still in libc.so.6 as compat symbols, so referencing them
 * explicitly works on old and new glibc alike; preload.mk links libdl.so.2 and
 * libpthread.so.0 by file name so that old glibc loads the libraries that define them.
 *
 * Only symbols that have an old version can be pinned. Functions that exist only in a
 * newer glibc (closefrom, gettid, memfd_create, close_range, pidfd_*, arc4random, the
 * pthread clock* calls, C11 threads, statx, ...) must not be used at all; the stat
 * family (stat@GLIBC_2.33) is provided by glibc_compat.c. scripts/check-glibc fails the build of
 * the layer if anything newer than 2.26 is still required. Not pinned on purpose: librt,
 * libanl, libutil and libresolv functions (mq_*, timer_*, shm_*, aio_*, getaddrinfo_a,
 * openpty, ns_*): on old glibc they live in libraries we do not link. */
#ifndef LWRAP_GLIBC_COMPAT_H
#define LWRAP_GLIBC_COMPAT_H

#include <features.h>

#if defined(__GLIBC__) && !defined(__ASSEMBLER__)

#if defined(__x86_64__)
#define LWRAP_GLIBC_V(x86_64, aarch64) x86_64
#elif defined(__aarch64__)
#define LWRAP_GLIBC_V(x86_64, aarch64) aarch64
#endif

#ifdef LWRAP_GLIBC_V
/* The oldest version each architecture has (its glibc baseline). */
#define LWRAP_GLIBC_BASE LWRAP_GLIBC_V("GLIBC_2.2.5", "GLIBC_2.17")

/* References to `sym` in this object become references to target@version. A pin for a
 * symbol the object never uses emits nothing. */
#define LWRAP_PIN_AS(sym, target, version) __asm__(".symver " #sym "," #target "@" version)
#define LWRAP_PIN(sym) LWRAP_PIN_AS(sym, sym, LWRAP_GLIBC_BASE)
#define LWRAP_PIN_V(sym, x86_64, aarch64) LWRAP_PIN_AS(sym, sym, LWRAP_GLIBC_V(x86_64, aarch64))

/* A symbol the preload defines (a hook) must not be pinned: .symver on a definition
 * makes a versioned definition, which the link rejects ("version node not found for
 * symbol dlopen@GLIBC_2.2.5"). preload.mk passes -DLWRAP_HOOKS_<name> for each `EXPORT`
 * function in the preload sources; the preload's own calls then bind to the hook or go
 * through REAL(). The guards cover the functions a preload may plausibly hook. */

/* libdl (2.34 moved it into libc) */
#ifndef LWRAP_HOOKS_dlopen
LWRAP_PIN(dlopen);
#endif
#ifndef LWRAP_HOOKS_dlclose
LWRAP_PIN(dlclose);
#endif
#ifndef LWRAP_HOOKS_dlsym
LWRAP_PIN(dlsym);
#endif
#ifndef LWRAP_HOOKS_dlvsym
LWRAP_PIN(dlvsym);
#endif
#ifndef LWRAP_HOOKS_dlmopen
LWRAP_PIN_V(dlmopen, "GLIBC_2.3.4", "GLIBC_2.17");
#endif
LWRAP_PIN(dlerror);
LWRAP_PIN(dladdr);
LWRAP_PIN_V(dladdr1, "GLIBC_2.3.3", "GLIBC_2.17");
LWRAP_PIN_V(dlinfo, "GLIBC_2.3.3", "GLIBC_2.17");

/* libpthread (2.34 moved it into libc; pthread_mutex_lock/unlock, pthread_self,
 * pthread_equal and pthread_cond_* were always in libc and need no pin). */
#ifndef LWRAP_HOOKS_pthread_create
LWRAP_PIN(pthread_create);
#endif
#ifndef LWRAP_HOOKS_pthread_join
LWRAP_PIN(pthread_join);
#endif
LWRAP_PIN_V(pthread_tryjoin_np, "GLIBC_2.3.3", "GLIBC_2.17");
LWRAP_PIN_V(pthread_timedjoin_np, "GLIBC_2.3.3", "GLIBC_2.17");
#ifndef LWRAP_HOOKS_pthread_detach
LWRAP_PIN(pthread_detach);
#endif
#ifndef LWRAP_HOOKS_pthread_cancel
LWRAP_PIN(pthread_cancel);
#endif
LWRAP_PIN(pthread_testcancel);
#ifndef LWRAP_HOOKS_pthread_kill
LWRAP_PIN(pthread_kill);
#endif
LWRAP_PIN_V(pthread_sigqueue, "GLIBC_2.11", "GLIBC_2.17");
#ifndef LWRAP_HOOKS_pthread_sigmask
LWRAP_PIN(pthread_sigmask);
#endif
LWRAP_PIN(pthread_once);
LWRAP_PIN(pthread_key_create);
LWRAP_PIN(__pthread_key_create);
LWRAP_PIN(pthread_key_delete);
LWRAP_PIN(pthread_getspecific);
LWRAP_PIN(pthread_setspecific);
LWRAP_PIN(pthread_getattr_np);
LWRAP_PIN_V(pthread_getattr_default_np, "GLIBC_2.18", "GLIBC_2.18");
LWRAP_PIN_V(pthread_setattr_default_np, "GLIBC_2.18", "GLIBC_2.18");
LWRAP_PIN_V(pthread_getname_np, "GLIBC_2.12", "GLIBC_2.17");
LWRAP_PIN_V(pthread_setname_np, "GLIBC_2.12", "GLIBC_2.17");
LWRAP_PIN(pthread_getconcurrency);
LWRAP_PIN(pthread_setconcurrency);
LWRAP_PIN(pthread_getcpuclockid);
LWRAP_PIN_V(pthread_setschedprio, "GLIBC_2.3.4", "GLIBC_2.17");
LWRAP_PIN_V(pthread_getaffinity_np, "GLIBC_2.3.4", "GLIBC_2.17");
LWRAP_PIN_V(pthread_setaffinity_np, "GLIBC_2.3.4", "GLIBC_2.17");
LWRAP_PIN_V(pthread_attr_getaffinity_np, "GLIBC_2.3.4", "GLIBC_2.17");
LWRAP_PIN_V(pthread_attr_setaffinity_np, "GLIBC_2.3.4", "GLIBC_2.17");
LWRAP_PIN(pthread_attr_getguardsize);
LWRAP_PIN(pthread_attr_setguardsize);
LWRAP_PIN(pthread_attr_getstack);
LWRAP_PIN(pthread_attr_setstack);
LWRAP_PIN(pthread_attr_getstackaddr);
LWRAP_PIN(pthread_attr_setstackaddr);
LWRAP_PIN(pthread_attr_getstacksize);
LWRAP_PIN(pthread_attr_setstacksize);
LWRAP_PIN(pthread_mutex_trylock);
LWRAP_PIN(pthread_mutex_timedlock);
LWRAP_PIN_V(pthread_mutex_consistent, "GLIBC_2.12", "GLIBC_2.17");
LWRAP_PIN_V(pthread_mutex_getprioceiling, "GLIBC_2.4", "GLIBC_2.17");
LWRAP_PIN_V(pthread_mutex_setprioceiling, "GLIBC_2.4", "GLIBC_2.17");
LWRAP_PIN(pthread_mutexattr_init);
LWRAP_PIN(pthread_mutexattr_destroy);
LWRAP_PIN(pthread_mutexattr_gettype);
LWRAP_PIN(pthread_mutexattr_settype);
LWRAP_PIN(pthread_mutexattr_getpshared);
LWRAP_PIN(pthread_mutexattr_setpshared);
LWRAP_PIN_V(pthread_mutexattr_getrobust, "GLIBC_2.12", "GLIBC_2.17");
LWRAP_PIN_V(pthread_mutexattr_setrobust, "GLIBC_2.12", "GLIBC_2.17");
LWRAP_PIN_V(pthread_mutexattr_getprotocol, "GLIBC_2.4", "GLIBC_2.17");
LWRAP_PIN_V(pthread_mutexattr_setprotocol, "GLIBC_2.4", "GLIBC_2.17");
LWRAP_PIN_V(pthread_mutexattr_getprioceiling, "GLIBC_2.4", "GLIBC_2.17");
LWRAP_PIN_V(pthread_mutexattr_setprioceiling, "GLIBC_2.4", "GLIBC_2.17");
LWRAP_PIN(pthread_rwlock_init);
LWRAP_PIN(pthread_rwlock_destroy);
LWRAP_PIN(pthread_rwlock_rdlock);
LWRAP_PIN(pthread_rwlock_wrlock);
LWRAP_PIN(pthread_rwlock_tryrdlock);
LWRAP_PIN(pthread_rwlock_trywrlock);
LWRAP_PIN(pthread_rwlock_timedrdlock);
LWRAP_PIN(pthread_rwlock_timedwrlock);
LWRAP_PIN(pthread_rwlock_unlock);
LWRAP_PIN(pthread_rwlockattr_init);
LWRAP_PIN(pthread_rwlockattr_destroy);
LWRAP_PIN(pthread_rwlockattr_getkind_np);
LWRAP_PIN(pthread_rwlockattr_setkind_np);
LWRAP_PIN(pthread_rwlockattr_getpshared);
LWRAP_PIN(pthread_rwlockattr_setpshared);
LWRAP_PIN_V(pthread_condattr_getclock, "GLIBC_2.3.3", "GLIBC_2.17");
LWRAP_PIN_V(pthread_condattr_setclock, "GLIBC_2.3.3", "GLIBC_2.17");
LWRAP_PIN(pthread_condattr_getpshared);
LWRAP_PIN(pthread_condattr_setpshared);
LWRAP_PIN(pthread_spin_init);
LWRAP_PIN(pthread_spin_destroy);
LWRAP_PIN(pthread_spin_lock);
LWRAP_PIN(pthread_spin_trylock);
LWRAP_PIN(pthread_spin_unlock);
LWRAP_PIN(pthread_barrier_init);
LWRAP_PIN(pthread_barrier_destroy);
LWRAP_PIN(pthread_barrier_wait);
LWRAP_PIN(pthread_barrierattr_init);
LWRAP_PIN(pthread_barrierattr_destroy);
LWRAP_PIN_V(pthread_barrierattr_getpshared, "GLIBC_2.3.3", "GLIBC_2.17");
LWRAP_PIN(pthread_barrierattr_setpshared);
/* what pthread_cleanup_push/pop expand to */
LWRAP_PIN(_pthread_cleanup_push);
LWRAP_PIN(_pthread_cleanup_pop);
LWRAP_PIN_V(__pthread_register_cancel, "GLIBC_2.3.3", "GLIBC_2.17");
LWRAP_PIN_V(__pthread_register_cancel_defer, "GLIBC_2.3.3", "GLIBC_2.17");
LWRAP_PIN_V(__pthread_unregister_cancel, "GLIBC_2.3.3", "GLIBC_2.17");
LWRAP_PIN_V(__pthread_unregister_cancel_restore, "GLIBC_2.3.3", "GLIBC_2.17");
LWRAP_PIN_V(__pthread_unwind_next, "GLIBC_2.3.3", "GLIBC_2.17");
LWRAP_PIN_V(__pthread_cleanup_routine, "GLIBC_2.3.3", "GLIBC_2.17");
/* semaphores (libpthread before 2.34) */
LWRAP_PIN(sem_init);
LWRAP_PIN(sem_destroy);
LWRAP_PIN(sem_open);
LWRAP_PIN(sem_close);
LWRAP_PIN(sem_unlink);
LWRAP_PIN(sem_wait);
LWRAP_PIN(sem_trywait);
LWRAP_PIN(sem_timedwait);
LWRAP_PIN(sem_post);
LWRAP_PIN(sem_getvalue);

/* libc functions that got a new version after 2.26 */
LWRAP_PIN(glob);   /* 2.27 */
LWRAP_PIN(glob64); /* 2.27 */
/* 2.28 added fcntl64, which the headers pick with _FILE_OFFSET_BITS=64; same call on LP64
 * (hooks_fd.c hooks it: then the preload's own calls bind to the hook) */
#ifndef LWRAP_HOOKS_fcntl64
LWRAP_PIN_AS(fcntl64, fcntl, LWRAP_GLIBC_BASE);
#endif

#endif /* LWRAP_GLIBC_V */
#endif /* __GLIBC__ */
#endif
