/* When the trace's outputs go (trace.h): at init's end the record and the timeline file,
 * from the runtime's own thread before its first `next` leaves; after each of the first
 * invokes the timeline again (now with the invoke) and, after the first, the OTLP spans,
 * both from a quiet thread of ours so the runtime never waits for them. A process that
 * ends before init did still leaves its timeline. */
#include <linux/futex.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "clock.h"
#include "config.h"
#include "debuglog.h"
#include "quiet_thread.h"
#include "trace.h"
#include "trace_otlp.h"
#include "trace_spans.h"
#include "trace_timeline.h"

static unsigned ended; /* how many of the first invokes ended: the thread's futex word */

/* The runtime's own process: a forked child (multiprocessing, a shell's subshell) has
 * neither our thread nor the runtime's init to report. */
static bool in_runtime_process(void)
{
    return (int)syscall(SYS_getpid) == config.pid && !hook_in_vfork_child();
}

/* Managed Instances: AWS's Python client forks one worker process per slot, and each asks
 * for work itself; the first of them to be ready reports init for the environment (one
 * record, not one per worker). A page shared by the runtime and every process forked
 * from it says whether one did. */
static int *init_reported;
static int reporter; /* the process that reports (its pid), 0: none yet */

void trace_lifecycle_init(void)
{
    if (!config.managed_instances || !config_trace_spans())
        return;
    void *p = mmap(NULL, (size_t)sysconf(_SC_PAGESIZE), PROT_READ | PROT_WRITE,
                   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p != MAP_FAILED)
        init_reported = p;
}

/* Whether this process reports init: the runtime's, or under Managed Instances the first
 * of the runtime and its forked workers to be ready. */
static bool claim_init(void)
{
    if (hook_in_vfork_child())
        return false;
    bool runtime = (int)syscall(SYS_getpid) == config.pid;
    if (!init_reported)
        return runtime;
    return !__atomic_exchange_n(init_reported, 1, __ATOMIC_ACQ_REL);
}

static bool is_reporter(void)
{
    return reporter && (int)syscall(SYS_getpid) == reporter && !hook_in_vfork_child();
}

static void *after_invokes(void *arg)
{
    (void)arg;
    bool sent = false;
    for (unsigned done = 0; done < TRACE_INVOKES_MAX;) {
        unsigned n;
        while ((n = __atomic_load_n(&ended, __ATOMIC_ACQUIRE)) == done)
            syscall(SYS_futex, &ended, FUTEX_WAIT_PRIVATE, done, NULL, NULL, 0);
        done = n;
        if (!sent && config.trace_otlp[0]) {
            sent = true;
            trace_otlp_send();
        }
        trace_timeline_write();
    }
    return NULL;
}

void trace_init_ended(bool init_error)
{
    if (!config_trace_spans() || !claim_init())
        return;
    reporter = (int)syscall(SYS_getpid);
    trace_spans_ready(init_error);
    uint64_t t0 = clock_mono_ns();
    trace_emit(init_error);
    uint64_t t1 = clock_mono_ns();
    trace_timeline_write();
    uint64_t t2 = clock_mono_ns();
    /* What the trace cost the runtime's init, in the debug channel. */
    struct debugline line;
    struct fmt *f = debuglog_begin(&line, "trace");
    if (f) {
        debuglog_kvi(f, "record_us", (long)((t1 - t0) / 1000));
        debuglog_kvi(f, "timeline_us", (long)((t2 - t1) / 1000));
        debuglog_kvi(f, "spans", (long)trace_spans_count());
        debuglog_end(f);
    }
    if (init_error || (!config.trace_file[0] && !config.trace_otlp[0]))
        return;
    trace_otlp_init();
    if (quiet_thread_start(after_invokes, 64 * 1024) != 0)
        config_out_of_memory("LWRAP_TRACE_FILE/LWRAP_TRACE_OTLP: the thread did not start; "
                             "no invokes in the timeline, no OTLP spans");
}

void trace_invoke_ended(unsigned nth)
{
    if (!nth || !is_reporter())
        return;
    __atomic_store_n(&ended, nth, __ATOMIC_RELEASE);
    syscall(SYS_futex, &ended, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

void trace_exit_before_ready(void)
{
    /* (Under Managed Instances a worker may have reported init: then the runtime's own
     * process, which never asked for work, has nothing to add.) */
    if (config.trace_file[0] && !trace_spans_ready_ns() && in_runtime_process() &&
        !(init_reported && __atomic_load_n(init_reported, __ATOMIC_ACQUIRE)))
        trace_timeline_write();
}

void trace_fatal_signal(int sig)
{
    if (config.trace_file[0] && !trace_spans_ready_ns() && in_runtime_process())
        trace_timeline_write_signal(sig);
}

__attribute__((destructor)) static void trace_at_exit(void)
{
    trace_exit_before_ready();
}
