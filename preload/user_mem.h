/* Whether the program's buffers can be read: the log pipeline copies bytes the kernel
 * would have read, and where the kernel answers EFAULT (or a short write) the program
 * must get that answer, not our SIGSEGV. Owner: preload core (user_mem.c). */
#ifndef LWRAP_USER_MEM_H
#define LWRAP_USER_MEM_H

#include <signal.h>
#include <stdbool.h>
#include <sys/uio.h>

/* True when the iovec array and every byte it points to can be read now. One read per
 * page, no syscall while our fault handler is in front (signals.c); when the program
 * installed its own SIGSEGV/SIGBUS handler, one process_vm_readv per 64 pages. */
bool user_mem_readable(const struct iovec *iov, int cnt);

/* From our SIGSEGV/SIGBUS handler: when the fault is this thread's probe, return into
 * user_mem_readable (which answers false) and do not come back. */
void user_mem_on_fault(const siginfo_t *si, void *uc);

#endif
