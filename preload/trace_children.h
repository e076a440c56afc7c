/* A runtime whose Runtime API calls are made by its child processes (see
 * trace_children.c): one line instead of silence. */
#ifndef LWRAP_TRACE_CHILDREN_H
#define LWRAP_TRACE_CHILDREN_H

/* From the constructor of the runtime's own process, when the trace is on. */
void trace_children_init(void);

/* From the exec hooks, before the exec. No allocation (a vfork child may run it). */
void trace_children_exec(char *const argv[]);

#endif
