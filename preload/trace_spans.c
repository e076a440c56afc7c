/* The timeline's span store (see trace_spans.h). A slot is claimed with one atomic add,
 * filled, then published; a file's end and byte count are updated through a table
 * indexed by fd, as the fd table of the observer. No allocation, no lock: the hooks that
 * call in here run on every thread of the runtime, signal handlers included. */
#include "trace_spans.h"

#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "clock.h"
#include "hook.h"

#define SPAN_FDS 16384 /* files on higher fds are counted, not drawn to their close */

struct trace_span trace_spans[TRACE_SPANS_MAX];
static unsigned taken;
static uint64_t dropped;
static uint32_t fd_span[SPAN_FDS]; /* span index + 1 of the file open on fd; 0: none */
static uint64_t ready_ns;
static bool init_error;

static struct trace_invoke invokes[TRACE_INVOKES_MAX];
static unsigned invokes_started, invokes_ended;
static int invokes_lock;

/* Per thread: its id, and the file whose code it is presumably busy with (the last one
 * it opened or read) since when: the time until it turns to another file is that file's. */
static __thread struct {
    int tid;
    uint32_t span;
    uint64_t since;
} me __attribute__((tls_model("initial-exec")));

static int my_tid(void)
{
    if (!me.tid)
        me.tid = (int)syscall(SYS_gettid);
    return me.tid;
}

/* The store describes init: once it ended, the hooks' calls (SnapStart's after-restore
 * phase turns them on again, for its own counts) change nothing here. */
static inline bool frozen(void)
{
    return __atomic_load_n(&ready_ns, __ATOMIC_RELAXED) != 0;
}

unsigned trace_spans_count(void)
{
    unsigned n = __atomic_load_n(&taken, __ATOMIC_ACQUIRE);
    return n < TRACE_SPANS_MAX ? n : TRACE_SPANS_MAX;
}

uint64_t trace_spans_dropped(void)
{
    return __atomic_load_n(&dropped, __ATOMIC_RELAXED);
}

/* A new slot (its index), or -1 when the store is full. */
static int claim(void)
{
    unsigned i = __atomic_fetch_add(&taken, 1, __ATOMIC_ACQ_REL);
    if (i >= TRACE_SPANS_MAX) {
        __atomic_fetch_add(&dropped, 1, __ATOMIC_RELAXED);
        return -1;
    }
    return (int)i;
}

/* The end of a long name: the file name and the directories that name its package. */
static void keep_name(struct trace_span *s, const char *p, size_t n)
{
    if (n >= TRACE_SPAN_NAME)
        p += n - (TRACE_SPAN_NAME - 1), n = TRACE_SPAN_NAME - 1;
    memcpy(s->name, p, n);
    s->name[n] = 0;
}

static void turn_to(uint32_t span, uint64_t now)
{
    if (me.span == span)
        return;
    if (me.span)
        __atomic_fetch_add(&trace_spans[me.span - 1].attributed_ns, now - me.since, __ATOMIC_RELAXED);
    me.span = span;
    me.since = now;
}

void trace_spans_file_open(int fd, const char *path, uint64_t t0)
{
    if (frozen())
        return;
    if (!path)
        return;
    int i = claim();
    if (i < 0)
        return;
    struct trace_span *s = &trace_spans[i];
    uint64_t now = clock_mono_ns();
    s->start_ns = t0 ? t0 : now;
    s->tid = my_tid();
    s->kind = SPAN_FILE;
    keep_name(s, path, strlen(path));
    __atomic_store_n(&s->published, 1, __ATOMIC_RELEASE);
    /* A file already on this fd was closed unseen (libuv's raw close): not read since. */
    if ((unsigned)fd < SPAN_FDS)
        __atomic_store_n(&fd_span[fd], (uint32_t)i + 1, __ATOMIC_RELEASE);
    turn_to((uint32_t)i + 1, now);
}

void trace_spans_file_read(int fd, long n)
{
    if (frozen())
        return;
    if ((unsigned)fd >= SPAN_FDS)
        return;
    uint32_t k = __atomic_load_n(&fd_span[fd], __ATOMIC_ACQUIRE);
    if (!k)
        return;
    uint64_t now = clock_mono_ns();
    if (n > 0)
        __atomic_fetch_add(&trace_spans[k - 1].bytes, (uint64_t)n, __ATOMIC_RELAXED);
    __atomic_store_n(&trace_spans[k - 1].last_read_ns, now, __ATOMIC_RELAXED);
    turn_to(k, now);
}

void trace_spans_pause(void)
{
    if (frozen())
        return;
    if (me.span)
        turn_to(0, clock_mono_ns());
}

uint64_t trace_span_end(const struct trace_span *s, uint64_t limit)
{
    uint64_t end = __atomic_load_n(&s->end_ns, __ATOMIC_ACQUIRE);
    if (!end && s->kind == SPAN_FILE)
        end = __atomic_load_n(&s->last_read_ns, __ATOMIC_RELAXED);
    if (end < s->start_ns)
        end = s->start_ns;
    return end < limit ? end : limit;
}

void trace_spans_file_close(int fd)
{
    if (frozen())
        return;
    if ((unsigned)fd >= SPAN_FDS)
        return;
    uint32_t k = __atomic_exchange_n(&fd_span[fd], 0, __ATOMIC_ACQ_REL);
    if (k)
        __atomic_store_n(&trace_spans[k - 1].end_ns, clock_mono_ns(), __ATOMIC_RELEASE);
}

void trace_spans_file_forget(int fd)
{
    if (frozen())
        return;
    if ((unsigned)fd < SPAN_FDS)
        __atomic_store_n(&fd_span[fd], 0, __ATOMIC_RELEASE);
}

void trace_spans_dlopen(const char *path, uint64_t t0, uint64_t t1)
{
    if (frozen())
        return;
    int i = claim();
    if (i < 0)
        return;
    struct trace_span *s = &trace_spans[i];
    s->start_ns = t0;
    s->end_ns = t1;
    s->tid = my_tid();
    s->kind = SPAN_DLOPEN;
    keep_name(s, path, strlen(path));
    __atomic_store_n(&s->published, 1, __ATOMIC_RELEASE);
}

/* Python prints an import's line as it ends: it began cum_us before. */
void trace_spans_import(const char *name, size_t n, unsigned depth, uint64_t self_us, uint64_t cum_us)
{
    if (frozen())
        return;
    int i = claim();
    if (i < 0)
        return;
    struct trace_span *s = &trace_spans[i];
    uint64_t now = clock_mono_ns();
    s->end_ns = now;
    s->start_ns = now > cum_us * 1000 ? now - cum_us * 1000 : 0;
    s->bytes = self_us * 1000;
    s->tid = my_tid();
    s->kind = SPAN_IMPORT;
    s->depth = depth > 255 ? 255 : (uint8_t)depth;
    keep_name(s, name, n);
    __atomic_store_n(&s->published, 1, __ATOMIC_RELEASE);
}

void trace_spans_ready(bool error)
{
    init_error = error;
    __atomic_store_n(&ready_ns, clock_mono_ns(), __ATOMIC_RELEASE);
}

uint64_t trace_spans_ready_ns(void)
{
    return __atomic_load_n(&ready_ns, __ATOMIC_ACQUIRE);
}

bool trace_spans_init_error(void)
{
    return init_error;
}

static void lock_invokes(void)
{
    while (__atomic_exchange_n(&invokes_lock, 1, __ATOMIC_ACQUIRE))
        syscall(SYS_sched_yield);
}

static void unlock_invokes(void)
{
    __atomic_store_n(&invokes_lock, 0, __ATOMIC_RELEASE);
}

static void copy_str(char *dst, size_t size, const char *src)
{
    size_t n = strnlen(src, size - 1);
    memcpy(dst, src, n);
    dst[n] = 0;
}

void trace_spans_invoke_start(const char *id, const char *trace_id)
{
    if (__atomic_load_n(&invokes_started, __ATOMIC_RELAXED) >= TRACE_INVOKES_MAX)
        return;
    lock_invokes();
    unsigned n = invokes_started;
    if (n < TRACE_INVOKES_MAX) {
        /* (read without the lock by the check above: atomic) */
        __atomic_store_n(&invokes_started, n + 1, __ATOMIC_RELAXED);
        struct trace_invoke *v = &invokes[n];
        v->start_ns = clock_mono_ns();
        copy_str(v->id, sizeof v->id, id);
        copy_str(v->trace_id, sizeof v->trace_id, trace_id);
    }
    unlock_invokes();
}

unsigned trace_spans_invoke_end(const char *id, bool error)
{
    if (__atomic_load_n(&invokes_ended, __ATOMIC_RELAXED) >= TRACE_INVOKES_MAX)
        return 0;
    unsigned nth = 0;
    lock_invokes();
    for (unsigned i = 0; i < invokes_started; i++) {
        if (!invokes[i].end_ns && strcmp(invokes[i].id, id) == 0) {
            invokes[i].end_ns = clock_mono_ns();
            invokes[i].error = error;
            nth = invokes_ended + 1;
            __atomic_store_n(&invokes_ended, nth, __ATOMIC_RELAXED);
            break;
        }
    }
    unlock_invokes();
    return nth;
}

unsigned trace_spans_invokes(struct trace_invoke *out)
{
    lock_invokes();
    unsigned n = invokes_started;
    memcpy(out, invokes, n * sizeof *out);
    unlock_invokes();
    return n;
}

void trace_spans_atfork_child(void)
{
    me.tid = 0;
    invokes_lock = 0;
}
