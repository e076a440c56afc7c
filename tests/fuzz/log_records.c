/* The log pipeline (preload/log_record.c and log_order.c: per-thread slots, line
 * assembly, continuation joining, batching, the order records of several threads leave
 * in; log_output.c, log_redact.c, log_parse.c, log_format_*.c: redaction, levels,
 * filter, text and JSON formatting) driven by arbitrary writes of four real threads to
 * stdout and stderr. Only its surroundings are stubbed: the sink (what would be written
 * is recorded per destination), the clock (a fake one: +1 us per reading, whole steps
 * when the input says time passes), the request id, the flusher thread (the input says
 * when it runs).
 *
 * Input: byte 0 = settings (bit 0 json/text, bit 1 telemetry frames/lines, bits 2-4 the
 * level threshold, bits 5-7 the piece size of the re-split run), then operations, each
 * an op byte (bits 0-1: which thread, 0 = the main one; bits 2-5: what) and its operands:
 * writes (short, long, one pattern repeated up to 1 MiB, a piece of a secret), an
 * invocation starting (a request id), an invocation ending (everything held is written),
 * 10 ms passing (the flusher's pass), a thread flushing its own records (before a child
 * starts), a thread ending, the deadline coming near (nothing held but a line whose end
 * could begin a credential).
 *
 * Asserted, for every input:
 * - each sink write is whole lines (stdout/stderr) or whole frames (telemetry fd), and
 *   nothing goes to stdout/stderr when there is a telemetry fd;
 * - with LWRAP_LOGS=json each line or frame is one valid JSON object (a strict RFC 8259
 *   validator written here, not the project's) with "timestamp" and "level", and no
 *   event is larger than Lambda's limit;
 * - the values of AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN and AWS_ACCESS_KEY_ID, any AWS
 *   access key id (AKIA/ASIA + 16) and any match of the LWRAP_REDACT pattern
 *   tok_[a-z0-9]{8} never appear in what is written (nor part of a credential value
 *   or key id written in several writes, unless a thread's end cut its line: not an
 *   invocation's end, not a flush before a child, not the deadline);
 * - the same writes cut into further pieces (never right after a newline: a write that
 *   begins a line is what decides joining, README "Records") give byte-identical output
 *   on every destination, apart from lwrap's own timestamps (the fake clock ticks once
 *   per piece), and drop the same number of records. Skipped when the input brings the
 *   deadline near, where an unfinished line is written as it is by design.
 * fuzz-options: -max_len=4096 -rss_limit_mb=4096 -detect_leaks=0
 * (no leak checks: the pipeline allocates nothing, and every thread the input starts would
 * trigger LeakSanitizer's scan of the whole heap) */
#include "fuzz.h"
#include "ref_json.h"

#include <pthread.h>
#include <regex.h>
#include <semaphore.h>

#include "config.h"
#include "lifecycle.h"
#include "log_slot.h"
#include "sink.h"

#define TFD 9
#define T0_US 4102444800000000ull /* 2100-01-01T00:00:00Z: lwrap's own timestamps stand out */
#define T0_TEXT "2100-01-01T00:"
#define REPEAT_MAX (136u * 1024) /* just past one record cut (128 KiB) */

static const char *const secrets[] = {
    "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",               /* AWS_SECRET_ACCESS_KEY */
    "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQ", /* AWS_SESSION_TOKEN */
    "ASIAQWERTYUIOPASDFGH",                                   /* AWS_ACCESS_KEY_ID */
    "AKIAABCDEFGHIJKLMNOP",                                   /* a key id in the text */
    "tok_abcd1234",                                           /* matches LWRAP_REDACT */
    "password=hunter2 ",                                      /* so does this */
};
#define N_ENV_SECRETS 3
static const char *const rids[] = {"", "8f7c2a1e-0b1d-4c4e-9f5a-3d2b1c0a9e8f", "rid-2", "undefined", "-"};

/* ---- the pipeline's surroundings ---- */
struct log_config log_cfg = {.tfd = -1};
volatile bool log_exiting;

static uint64_t clock_us;
static const char *current_rid = "";
static bool deadline_near;

uint64_t log_now_us(void)
{
    return __atomic_add_fetch(&clock_us, 1, __ATOMIC_RELAXED);
}

size_t lifecycle_request_id(char *buf, size_t size)
{
    size_t n = strlen(current_rid);
    if (n + 1 > size)
        return 0;
    memcpy(buf, current_rid, n + 1);
    return n;
}

bool log_hold_off(uint64_t now_us)
{
    (void)now_us;
    return deadline_near;
}

uint64_t log_hold_off_at(void)
{
    return 0;
}

void log_flusher_kick(void)
{
}

bool log_flusher_missing(uint64_t now_us)
{
    (void)now_us;
    return false; /* the flusher's passes are the input's ticks */
}

bool log_importtime_line(const char *line, size_t n)
{
    (void)line, (void)n;
    return false;
}

bool log_fd_still(int fd, int kind) /* only for a vfork child, which this harness has not */
{
    fuzz_fail("log_fd_still(%d, %d)", fd, kind);
}

void config_warn(const char *a, const char *b, const char *c, const char *d)
{
    fprintf(stderr, "lwrap: %s%s%s%s\n", a, b ? b : "", c ? c : "", d ? d : "");
}

void config_out_of_memory(const char *what)
{
    config_warn("out of memory: ", what, NULL, NULL);
}

/* What reached each destination: 0 stdout, 1 stderr, 2 the telemetry fd. */
static struct fuzz_log *dest;

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int sink_write(int fd, const char *p, size_t n, enum sink_units units)
{
    FUZZ_CHECK(n > 0, "an empty sink write");
    if (log_cfg.tfd >= 0) {
        FUZZ_CHECK(fd == TFD && units == SINK_FRAMES, "fd %d units %d with a telemetry fd", fd, (int)units);
        const unsigned char *u = (const unsigned char *)p;
        for (size_t at = 0; at < n;) {
            FUZZ_CHECK(n - at >= 16, "a torn frame header");
            size_t len = be32(u + at + 4);
            FUZZ_CHECK(len <= n - at - 16, "a frame cut short (%zu of %zu bytes)", n - at - 16, len);
            at += 16 + len;
        }
        fuzz_log_add(&dest[2], p, n);
    } else {
        FUZZ_CHECK((fd == 1 || fd == 2) && units == SINK_LINES, "fd %d units %d", fd, (int)units);
        FUZZ_CHECK(p[n - 1] == '\n', "a sink write that does not end a line");
        fuzz_log_add(&dest[fd - 1], p, n);
    }
    return 0;
}

/* ---- operations ---- */
enum op_kind { OP_WRITE, OP_REPEAT, OP_INVOKE, OP_INVOKE_END, OP_TICK, OP_FLUSH_OWN, OP_EXIT, OP_DEADLINE };
struct op {
    enum op_kind kind;
    int thread, stream, arg;
    const char *data;
    size_t len;
    char *owned; /* a repeated pattern, freed after the input */
};

#define MAX_OPS 512
#define THREADS 4

/* Operations from the input; returns how many. */
static size_t parse_ops(const uint8_t *d, size_t n, struct op *ops, bool *uses_deadline)
{
    size_t k = 0, i = 0, repeated = 0;
    while (i < n && k < MAX_OPS) {
        uint8_t o = d[i++];
        struct op *op = &ops[k];
        memset(op, 0, sizeof *op);
        op->thread = o & 3;
        unsigned what = (o >> 2) & 15;
        size_t len;
        switch (what) {
        case 0: case 1: case 2: case 3: case 4: case 5: /* a short write */
            op->kind = OP_WRITE;
            op->stream = what & 1;
            len = i < n ? d[i++] : 0;
            op->len = len < n - i ? len : n - i;
            op->data = (const char *)d + i;
            i += op->len;
            break;
        case 6: /* a long write */
            op->kind = OP_WRITE;
            op->stream = i < n ? d[i] & 1 : 0;
            len = i + 2 < n ? (size_t)d[i + 1] | (size_t)d[i + 2] << 8 : 0;
            i += 3;
            if (i > n)
                i = n;
            op->len = len < n - i ? len : n - i;
            op->data = (const char *)d + i;
            i += op->len;
            break;
        case 7: { /* a pattern repeated in one write */
            if (i + 4 > n)
                return k;
            op->kind = OP_REPEAT;
            op->stream = d[i] & 1;
            size_t pat = 1 + d[i + 1] % 32, times = (size_t)d[i + 2] | (size_t)d[i + 3] << 8;
            i += 4;
            if (pat > n - i)
                pat = n - i;
            if (memchr(d + i, '\n', pat) && times > 64)
                times = 64; /* it is for long lines: many short records only cost time */
            if (pat == 0 || repeated + pat * times > REPEAT_MAX)
                return k;
            op->owned = malloc(pat * times + 1);
            if (!op->owned)
                abort();
            for (size_t t = 0; t < times; t++)
                memcpy(op->owned + t * pat, d + i, pat);
            op->data = op->owned;
            op->len = pat * times;
            repeated += op->len;
            i += pat;
            break;
        }
        case 8: { /* a secret, whole or its beginning or its end */
            if (i + 2 > n)
                return k;
            op->kind = OP_WRITE;
            const char *s = secrets[d[i] % (sizeof secrets / sizeof *secrets)];
            op->stream = d[i] >> 7;
            size_t sl = strlen(s), at = (size_t)(d[i + 1] >> 2) % sl;
            op->data = s;
            op->len = sl;
            if ((d[i + 1] & 3) == 1)
                op->len = at;
            else if ((d[i + 1] & 3) == 2)
                op->data = s + at, op->len = sl - at;
            i += 2;
            break;
        }
        case 9:
            op->kind = OP_INVOKE;
            op->arg = i < n ? d[i++] % (int)(sizeof rids / sizeof *rids) : 0;
            break;
        case 10:
            op->kind = OP_INVOKE_END;
            break;
        case 11:
            op->kind = OP_TICK;
            break;
        case 12:
            op->kind = OP_FLUSH_OWN;
            op->arg = i < n ? d[i++] & 1 : 0;
            break;
        case 13:
            op->kind = OP_EXIT;
            break;
        default:
            op->kind = OP_DEADLINE;
            *uses_deadline = true;
            break;
        }
        k++;
    }
    return k;
}

/* One write cut into pieces of `piece` bytes (0: whole), never right after a newline:
 * where a line begins decides what joins (README "Records"), so only those cuts keep the
 * records the same. */
static void do_write(int stream, const char *p, size_t n, size_t piece)
{
    if (!n)
        return;
    if (!piece) {
        log_feed(stream, p, n);
        return;
    }
    size_t start = 0;
    for (size_t at = piece; at < n; at += piece) {
        if (p[at - 1] == '\n')
            continue;
        log_feed(stream, p + start, at - start);
        start = at;
    }
    log_feed(stream, p + start, n - start);
}

static void run_op(const struct op *op, size_t piece)
{
    switch (op->kind) {
    case OP_WRITE:
        do_write(op->stream, op->data, op->len, piece);
        break;
    case OP_REPEAT: /* long: pieces of a KiB or more (the clock must not tick 10 ms away) */
        do_write(op->stream, op->data, op->len, piece ? piece * 1024 : 0);
        break;
    case OP_INVOKE:
        current_rid = rids[op->arg];
        deadline_near = false;
        break;
    case OP_INVOKE_END: /* logs_on_invoke_end, the last invocation in flight */
        deadline_near = false;
        log_flush_at_invoke_end(false);
        break;
    case OP_TICK: /* 10 ms pass: the flusher writes what was held that long */
        __atomic_add_fetch(&clock_us, 10000, __ATOMIC_RELAXED);
        log_flush_idle(__atomic_load_n(&clock_us, __ATOMIC_RELAXED));
        break;
    case OP_FLUSH_OWN: /* before fork/exec/spawn (all), before a stream switch */
        log_flush_own(op->arg ? LOG_OWN_ALL : LOG_OWN_COMPLETE);
        break;
    case OP_DEADLINE:
        deadline_near = true;
        break;
    case OP_EXIT: /* the worker's loop does it (on thread 0: nothing) */
        break;
    }
}

/* ---- threads: ops run one at a time, each on the thread the input names ---- */
struct worker {
    pthread_t th;
    sem_t go, done;
    const struct op *ops;
    size_t n, piece;
};
static struct worker workers[THREADS]; /* [0] unused: the main thread */

/* (libFuzzer's timeout alarm interrupts sem_wait, which is never restarted) */
static void wait_for(sem_t *s)
{
    while (sem_wait(s) != 0)
        ;
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    for (;;) {
        wait_for(&w->go);
        bool exit = false;
        for (size_t i = 0; i < w->n; i++) {
            run_op(&w->ops[i], w->piece);
            exit = exit || w->ops[i].kind == OP_EXIT;
        }
        if (exit) /* the thread's end: log_order.c's key destructor writes what it held */
            return NULL;
        sem_post(&w->done);
    }
}

static void worker_start(int t)
{
    sem_init(&workers[t].go, 0, 0);
    sem_init(&workers[t].done, 0, 0);
    if (pthread_create(&workers[t].th, NULL, worker_main, &workers[t]) != 0)
        abort();
}

/* Run ops[0..n), all on thread t. */
static void on_thread(int t, const struct op *ops, size_t n, size_t piece)
{
    if (t == 0) {
        for (size_t i = 0; i < n; i++)
            run_op(&ops[i], piece);
        return;
    }
    struct worker *w = &workers[t];
    w->ops = ops, w->n = n, w->piece = piece;
    sem_post(&w->go);
    bool exit = false;
    for (size_t i = 0; i < n; i++)
        exit = exit || ops[i].kind == OP_EXIT;
    if (exit) {
        pthread_join(w->th, NULL);
        worker_start(t);
    } else {
        wait_for(&w->done);
    }
}

static void run_all(const struct op *ops, size_t n, size_t piece, struct fuzz_log out[3], uint64_t *dropped)
{
    dest = out;
    clock_us = T0_US;
    current_rid = "";
    deadline_near = false;
    log_dropped = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && ops[j].thread == ops[i].thread && ops[j - 1].kind != OP_EXIT)
            j++;
        on_thread(ops[i].thread, ops + i, j - i, piece);
        i = j;
    }
    log_exiting = true; /* the destructor's flush */
    log_flush_slots(true, true);
    log_exiting = false;
    *dropped = log_dropped;
    log_record_atfork_child(); /* every slot free again for the next run */
    dest = NULL;
    /* Speed only: ASan's regexec reads the record's buffer up to a NUL (REG_STARTEND or
     * not), so stale bytes after short records would cost a scan of up to 128 KiB each. */
    size_t written = 1;
    for (size_t i = 0; i < n; i++)
        written += ops[i].len;
    for (int i = 0; i < LOG_SLOTS; i++)
        if (log_slots[i].buf)
            memset(log_slots[i].buf, 0, written < LOG_RECORD_MAX ? written : LOG_RECORD_MAX);
}

/* ---- checks ---- */
static regex_t tok_re;

static bool key_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Occurrences taken left to right without overlap, as the masking takes them (a value
 * that ends the way it begins can seem to occur twice in "value" + "alue"). */
static size_t count(const char *p, size_t n, const char *what, size_t k)
{
    size_t c = 0;
    for (const char *q = p; q && (q = memmem(q, n - (size_t)(q - p), what, k)) != NULL; q += k)
        c++;
    return c;
}

/* Where an input line is cut by design (README "Records"): a thread's end. There a secret
 * written in parts is two records; everywhere else (invoke end, a flush before a child
 * starts, every write once the deadline is near, too) it must be masked whole. */
static struct fuzz_log lines_in[THREADS][2];

static void input_lines(const struct op *ops, size_t n)
{
    for (int t = 0; t < THREADS; t++)
        lines_in[t][0].len = lines_in[t][1].len = 0;
    for (size_t i = 0; i < n; i++) {
        const struct op *op = &ops[i];
        struct fuzz_log *mine = lines_in[op->thread];
        switch (op->kind) {
        case OP_WRITE:
        case OP_REPEAT:
            fuzz_log_add(&mine[op->stream], op->data, op->len);
            break;
        case OP_EXIT: /* (thread 0, the main thread, never ends: its exit does nothing) */
            if (op->thread != 0)
                fuzz_log_add(&mine[0], "\n", 1), fuzz_log_add(&mine[1], "\n", 1);
            break;
        case OP_INVOKE:
        case OP_INVOKE_END: /* (a line that could go on into a secret stays held there) */
        case OP_FLUSH_OWN:
        case OP_DEADLINE:
        case OP_TICK:
            break;
        }
    }
}

/* The output (texts: every line, or every frame's payload followed by a newline) holds no
 * credential value, not even in part where the input had it whole: the first and last 8
 * bytes of each appear no more often than the input has them outside whole values. Nor
 * any access key id, nor a match of the LWRAP_REDACT pattern. */
static void no_secret(const char *p, size_t n, const char *where, bool pieces)
{
    for (size_t s = 0; s < N_ENV_SECRETS; s++) {
        size_t sl = strlen(secrets[s]);
        FUZZ_CHECK(!memmem(p, n, secrets[s], sl), "%s: the value of secret %zu is in the output", where, s);
        for (int end = 0; end < 2 && pieces; end++) {
            const char *piece = end ? secrets[s] + sl - 8 : secrets[s];
            size_t allowed = 0;
            for (int t = 0; t < THREADS; t++)
                for (int st = 0; st < 2; st++)
                    allowed += count(lines_in[t][st].p, lines_in[t][st].len, piece, 8) -
                               count(lines_in[t][st].p, lines_in[t][st].len, secrets[s], sl);
            FUZZ_CHECK(count(p, n, piece, 8) <= allowed, "%s: part of secret %zu (%.8s) is in the output", where, s,
                       piece);
        }
    }
    for (size_t i = 0; i + 20 <= n; i++) {
        if (p[i] != 'A' || !(p[i + 1] == 'K' || p[i + 1] == 'S') || p[i + 2] != 'I' || p[i + 3] != 'A')
            continue;
        if ((i > 0 && key_char(p[i - 1])) || (i + 20 < n && key_char(p[i + 20])))
            continue;
        size_t k = 4;
        while (k < 20 && key_char(p[i + k]))
            k++;
        FUZZ_CHECK(k < 20, "%s: an access key id in the output: %.20s", where, p + i);
    }
    char *z = malloc(n + 1); /* (ASan's regexec reads up to a NUL, REG_STARTEND or not) */
    if (!z)
        abort();
    memcpy(z, p, n);
    z[n] = '\0';
    regmatch_t m = {.rm_so = 0, .rm_eo = (regoff_t)n};
    FUZZ_CHECK(regexec(&tok_re, z, 1, &m, REG_STARTEND) != 0, "%s: an LWRAP_REDACT match in the output: %.*s",
               where, (int)(m.rm_eo - m.rm_so), z + m.rm_so);
    free(z);
}

/* One record as written (a line without its '\n', or a frame's payload). */
static void check_record(const char *p, size_t n, const char *where)
{
    FUZZ_CHECK(n <= LOG_EVENT_MAX, "%s: a %zu-byte event", where, n);
    if (log_cfg.mode == LOG_MODE_JSON) {
        struct ref_json_keys keys;
        FUZZ_CHECK(ref_json_valid((const unsigned char *)p, n, true, 0, &keys), "%s: not one JSON object: %.*s",
                   where, (int)(n < 300 ? n : 300), p);
        FUZZ_CHECK(keys.timestamp && keys.level, "%s: no timestamp or level: %.*s", where, (int)(n < 300 ? n : 300), p);
    }
}

/* no_secret on the text as its reader gets it: JSON records with their strings decoded
 * (an escaped tab before "ok_abcd1234" is no "tok_abcd1234"; an escaped byte inside a
 * secret still shows it). */
static void no_secret_read(const struct fuzz_log *l, const char *where, bool pieces)
{
    if (log_cfg.mode != LOG_MODE_JSON) {
        no_secret(l->p ? l->p : "", l->len, where, pieces);
        return;
    }
    char *text = malloc(l->len + 1);
    if (!text)
        abort();
    no_secret(text, ref_json_readable(l->p ? l->p : "", l->len, text), where, pieces);
    free(text);
}

static void check_output(struct fuzz_log out[3], bool pieces)
{
    if (log_cfg.tfd >= 0) {
        FUZZ_CHECK(!out[0].len && !out[1].len, "lines on stdout/stderr with a telemetry fd");
        struct fuzz_log texts = {0};
        const unsigned char *u = (const unsigned char *)out[2].p;
        for (size_t at = 0; at < out[2].len;) {
            uint32_t type = be32(u + at), len = be32(u + at + 4);
            uint32_t want = log_cfg.mode == LOG_MODE_JSON ? 0xA55A0002u : 0xA55A0003u;
            FUZZ_CHECK((type & ~0x1Cu) == want && ((type >> 2) & 7) <= LOG_LVL_FATAL, "frame type %08x", type);
            check_record(out[2].p + at + 16, len, "frame");
            fuzz_log_add(&texts, out[2].p + at + 16, len);
            fuzz_log_add(&texts, "\n", 1);
            at += 16 + len;
        }
        no_secret_read(&texts, "frames", pieces);
        fuzz_log_free(&texts);
        return;
    }
    for (int d = 0; d < 2; d++) {
        const char *where = d ? "stderr" : "stdout";
        no_secret_read(&out[d], where, pieces);
        for (size_t at = 0; at < out[d].len;) {
            const char *l = out[d].p + at, *nl = memchr(l, '\n', out[d].len - at);
            check_record(l, (size_t)(nl - l), where);
            at = (size_t)(nl - out[d].p) + 1;
        }
    }
}

/* lwrap's own timestamps (the fake clock's, in 2100) and frame times masked: the re-split
 * run read the clock more often. */
static void normalize(struct fuzz_log *l, bool frames)
{
    char *p = l->p;
    if (frames)
        for (size_t at = 0; at + 16 <= l->len; at += 16 + be32((unsigned char *)p + at + 4))
            memset(p + at + 8, 0, 8);
    size_t k = strlen(T0_TEXT);
    for (char *q = p; q && (q = memmem(q, l->len - (size_t)(q - p), T0_TEXT, k)) != NULL; q += k)
        if ((size_t)(q - p) + k + 10 <= l->len && q[k + 9] == 'Z')
            memset(q + k, 'x', 9);
}

/* FUZZ_DEBUG=1: what the input does and what came out, to understand a failure. */
static bool debug;

static void dump(const char *what, const char *p, size_t n)
{
    fprintf(stderr, "%s (%zu bytes): \"", what, n);
    for (size_t i = 0; i < n && i < 2000; i++)
        fprintf(stderr, p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\' ? "%c" : "\\x%02x", (unsigned char)p[i]);
    fprintf(stderr, "%s\"\n", n > 2000 ? "..." : "");
}

static void dump_ops(const struct op *ops, size_t n)
{
    static const char *const names[] = {"write", "repeat", "invoke", "invoke-end", "tick", "flush-own", "exit", "deadline"};
    fprintf(stderr, "mode %s%s threshold %d\n", log_cfg.mode == LOG_MODE_JSON ? "json" : "text",
            log_cfg.tfd >= 0 ? " frames" : "", log_cfg.threshold);
    for (size_t i = 0; i < n; i++) {
        char what[64];
        snprintf(what, sizeof what, "thread %d %s stream %d arg %d", ops[i].thread, names[ops[i].kind], ops[i].stream,
                 ops[i].arg);
        dump(what, ops[i].data ? ops[i].data : "", ops[i].len);
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    debug = getenv("FUZZ_DEBUG") != NULL;
    setenv("AWS_SECRET_ACCESS_KEY", secrets[0], 1);
    setenv("AWS_SESSION_TOKEN", secrets[1], 1);
    setenv("AWS_ACCESS_KEY_ID", secrets[2], 1);
    setenv("LWRAP_REDACT", "tok_[a-z0-9]{8};;password=([^ ]+)", 1);
    log_redact_init();
    log_order_init();
    if (regcomp(&tok_re, "tok_[a-z0-9]{8}", REG_EXTENDED | REG_NEWLINE) != 0)
        abort();
    for (int t = 1; t < THREADS; t++)
        worker_start(t);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    static struct op ops[MAX_OPS];
    uint8_t set = data[0];
    log_cfg.mode = set & 1 ? LOG_MODE_JSON : LOG_MODE_TEXT;
    log_cfg.streams = true;
    log_cfg.tfd = set & 2 ? TFD : -1;
    log_cfg.threshold = (set >> 2) & 7;
    if (log_cfg.threshold > LOG_LVL_FATAL)
        log_cfg.threshold = LOG_LVL_NONE;
    size_t piece = 1 + (size_t)(set >> 5) * 5;
    bool uses_deadline = false;
    size_t n = parse_ops(data + 1, size - 1, ops, &uses_deadline);

    struct fuzz_log once[3] = {{0}}, cut[3] = {{0}};
    uint64_t dropped_once, dropped_cut;
    input_lines(ops, n);
    if (debug)
        dump_ops(ops, n);
    run_all(ops, n, 0, once, &dropped_once);
    if (debug)
        for (int d = 0; d < 3; d++)
            dump(d == 0 ? "stdout" : d == 1 ? "stderr" : "frames", once[d].p ? once[d].p : "", once[d].len);
    check_output(once, true);
    run_all(ops, n, piece, cut, &dropped_cut);
    check_output(cut, !uses_deadline); /* (near the deadline every piece is a record) */
    if (!uses_deadline) {
        for (int d = 0; d < 3; d++) {
            normalize(&once[d], d == 2);
            normalize(&cut[d], d == 2);
            fuzz_log_same(&once[d], &cut[d], d == 0 ? "stdout, whole vs re-split writes"
                                             : d == 1 ? "stderr, whole vs re-split writes"
                                                      : "frames, whole vs re-split writes");
        }
        FUZZ_CHECK(dropped_once == dropped_cut, "%llu vs %llu records dropped", (unsigned long long)dropped_once,
                   (unsigned long long)dropped_cut);
    }
    for (int d = 0; d < 3; d++)
        fuzz_log_free(&once[d]), fuzz_log_free(&cut[d]);
    for (size_t i = 0; i < n; i++)
        free(ops[i].owned);
    return 0;
}
