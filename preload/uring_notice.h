/* io_uring: what a runtime writes through a ring makes no call a hook can see. */
#ifndef LWRAP_URING_NOTICE_H
#define LWRAP_URING_NOTICE_H

/* Look for an io_uring among the process's fds and, the first time one is found, say so
 * once: the debug channel's `io-uring` event and, when the log pipeline is on, one
 * stderr line. Called when init ends and after the first invocation; no allocation. */
void uring_notice_check(void);

#endif
