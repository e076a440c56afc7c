/* The one door through which the preload's own bytes reach the runtime's stdout, stderr
 * and telemetry fd: log records, frames, the startup trace, crash reports.
 *
 * - Whole units: everything written through here is whole lines or whole telemetry
 *   frames, and the destination's lock is held until a unit is completely written (a
 *   short write to a slow pipe is finished before anyone else writes to it), so records
 *   and frames of different threads never interleave. One lock per destination (stdout,
 *   stderr, the telemetry fd; stdout and stderr share one when they are one file): a
 *   stdout nobody reads does not hold up stderr.
 * - Between processes sharing a pipe or socket, units of up to PIPE_BUF bytes go out in
 *   writes of at most PIPE_BUF bytes, which the kernel keeps whole.
 * - Errors: a destination that fails (EPIPE, ENOSPC, EIO, ...) is remembered, and the
 *   log pipeline then steps aside for it (sink_broken), so the program's own next write
 *   reaches the kernel and gets the error, and SIGPIPE, exactly as without lwrap.
 * Owner: preload core (sink.c). */
#ifndef LWRAP_SINK_H
#define LWRAP_SINK_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/uio.h>

/* How the bytes divide into units. */
enum sink_units {
    SINK_LINES,  /* '\n'-terminated lines */
    SINK_FRAMES, /* telemetry frames: 16-byte header with the length at bytes 4-7 */
    SINK_ONE,    /* the whole write is one unit */
};

/* Write iov (whole units) to fd under the output lock. Returns 0, or -1 with errno when
 * the destination failed (then remembered: sink_broken(fd)). From a signal handler
 * (sink_in_signal) it never waits for a lock its own thread holds, and gives up after a
 * short bounded wait for another thread's. EAGAIN (a non-blocking pipe Node made) waits
 * for room: nothing is dropped. */
int sink_writev(int fd, const struct iovec *iov, int cnt, enum sink_units units);
int sink_write(int fd, const char *p, size_t n, enum sink_units units);

/* A piece of a runtime frame too big to hold, passed through as the runtime writes it;
 * until its last piece, other writers to fd wait (bounded), so nothing lands inside it. */
int sink_frame_part(int fd, const char *p, size_t n, bool last);

/* The error a write to fd has met (0: none). Checks the destination once, cheaply, on
 * the first call for each of stdout, stderr and the telemetry fd: a pipe without a reader,
 * /dev/full, a closed fd are then known before anything is held for them. */
int sink_broken(int fd);

/* fd now refers to something else (close, dup2): check it afresh. */
void sink_fd_changed(int fd);

/* This thread is in a fatal-signal handler (set by signals.c around its work). */
void sink_in_signal(bool on);

/* The output lock held by this thread? (A signal handler must not write then.) */
bool sink_held_by_me(void);

/* From the constructor. */
void sink_init(void);

/* In a forked child: the lock is free, nothing is known about the destinations. */
void sink_atfork_child(void);

#endif
