/* The preload watches the runtime's own process: init ends for it at that process's first
 * `next`. A custom runtime shaped like AWS's tutorial (a bash loop that runs curl for
 * `next` and the response) never connects itself: its children do, with an environment
 * that no longer loads the preload. There is then no record, no timeline and no OTLP
 * spans; rather than that silence, one line, at the exec of a forked child whose
 * arguments name the Runtime API (curl http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/...)
 * while the runtime's init has not ended. Following the children instead would trace
 * curl's start, not the runtime's. Once for the whole process tree: the flag is in a page
 * shared across fork (each child's copy of our memory would say "not yet"). */
#include "trace_children.h"

#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "config.h"
#include "runtime_addr.h"
#include "trace_spans.h"

static int *said; /* shared with every forked child; NULL: not wanted */

void trace_children_init(void)
{
    if (!config_trace_spans())
        return;
    void *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    said = m == MAP_FAILED ? NULL : m;
}

static bool names_runtime_api(char *const argv[], const char *api)
{
    size_t n = strlen(api);
    for (size_t i = 0; argv && argv[i]; i++)
        for (const char *hit = strstr(argv[i], api); hit; hit = strstr(hit + 1, api))
            if (strncmp(hit + n, "/2018-06-01/runtime/", 20) == 0)
                return true;
    return false;
}

void trace_children_exec(char *const argv[])
{
    if (!said || (int)syscall(SYS_getpid) == config.pid || trace_spans_ready_ns())
        return;
    const char *api = runtime_addr_text();
    if (!api || !*api || !names_runtime_api(argv, api) || __atomic_exchange_n(said, 1, __ATOMIC_ACQ_REL))
        return;
    const char *prog = argv && argv[0] ? argv[0] : "?", *slash = strrchr(prog, '/');
    const char *setting = config.trace != TRACE_OFF ? "LWRAP_TRACE" : config.trace_file[0] ? "LWRAP_TRACE_FILE"
                                                                                          : "LWRAP_TRACE_OTLP";
    config_warn(setting, ": the Runtime API is called by a child process (", slash ? slash + 1 : prog,
                "), not by the runtime's own process: no trace record, timeline or OTLP spans for this runtime");
}
