/* The Runtime API observer: reads the runtime's own HTTP traffic on the connections in
 * the fd table and turns it into lifecycle events (lifecycle_events.h). It only reads
 * the bytes the real calls already moved; it never changes, delays or drops any. */
#ifndef LWRAP_OBSERVER_H
#define LWRAP_OBSERVER_H

#include <stddef.h>
#include <sys/uio.h>

/* A fresh connection on fd took this slot (called by the fd table). */
void observer_conn_reset(int slot, int fd);
/* iov is about to be sent on a watched fd: when it starts a request whose effect must
 * precede its bytes (the first `next`, a response or error), announce it now (see
 * lifecycle_next_sending, lifecycle_invoke_ending). Preserves errno. */
void observer_before_send(int slot, const struct iovec *iov, int iovcnt);
/* n bytes of iov went out / came in on fd (n <= the iov total). Called inside the
 * hook's re-entry guard; preserves errno. */
void observer_sent(int slot, int fd, const struct iovec *iov, int iovcnt, size_t n);
void observer_received(int slot, int fd, const struct iovec *iov, int iovcnt, size_t n);
/* Something made the stream unreadable (e.g. recv with MSG_TRUNC): stop observing it. */
void observer_give_up(int slot, int fd, const char *why);

#endif
