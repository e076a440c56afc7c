/* The span store of the cold-start timeline: what the hooks saw during init (each file
 * from open to close with the bytes read, each dlopen of a path, each Python import when
 * python-importtime is on) and the first invokes. A fixed static array filled without
 * allocation or locks; past TRACE_SPANS_MAX spans only counts go on (initstats). */
#ifndef LWRAP_TRACE_SPANS_H
#define LWRAP_TRACE_SPANS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TRACE_SPANS_MAX 10000
#define TRACE_SPAN_NAME 200  /* the path's end is kept: it names the package and the file */
#define TRACE_INVOKES_MAX 3  /* the first invokes, `next` to response */
#define TRACE_TRACE_ID_SIZE 160

enum trace_span_kind { SPAN_FILE = 1, SPAN_DLOPEN, SPAN_IMPORT };

struct trace_span {
    uint64_t start_ns, end_ns; /* CLOCK_MONOTONIC; end 0: a file still open */
    uint64_t bytes;            /* files: bytes read; imports: self time in ns */
    uint64_t attributed_ns;    /* files: thread time from its open/read to another file's */
    uint64_t last_read_ns;     /* files: when its last read returned (its end if no close is seen) */
    int tid;
    uint8_t kind, depth;       /* depth: an import's nesting level */
    uint8_t published;         /* the fields above are complete (release/acquire) */
    char name[TRACE_SPAN_NAME];
};

struct trace_invoke {
    uint64_t start_ns, end_ns; /* end 0: still running */
    bool error;
    char id[48];
    char trace_id[TRACE_TRACE_ID_SIZE]; /* Lambda-Runtime-Trace-Id (X-Ray header) */
};

extern struct trace_span trace_spans[TRACE_SPANS_MAX];

/* How many slots are taken (some may not be published yet), and how many spans did
 * not fit. */
unsigned trace_spans_count(void);
uint64_t trace_spans_dropped(void);

/* Hooks (only while the gate's GATE_INIT_COUNT is set). t0: before the real open. */
void trace_spans_file_open(int fd, const char *path, uint64_t t0);
void trace_spans_file_read(int fd, long n);
void trace_spans_file_close(int fd);
/* fd is something else now (a socket): its file was closed unseen and ends at its last read. */
void trace_spans_file_forget(int fd);
/* The calling thread turns to something that is no file's work (a thread, a connection). */
void trace_spans_pause(void);
/* A file's end: its close, else its last read (libuv closes with a raw system call),
 * else its open; never after limit. */
uint64_t trace_span_end(const struct trace_span *s, uint64_t limit);
void trace_spans_dlopen(const char *path, uint64_t t0, uint64_t t1);
/* A python -X importtime line for module name (n bytes) at nesting depth, just written. */
void trace_spans_import(const char *name, size_t n, unsigned depth, uint64_t self_us, uint64_t cum_us);

/* Lifecycle: init ended (ready or init/error), invokes started and ended. */
void trace_spans_ready(bool init_error);
uint64_t trace_spans_ready_ns(void); /* 0 while init runs */
bool trace_spans_init_error(void);
void trace_spans_invoke_start(const char *id, const char *trace_id);
/* Returns how many of the first invokes have ended, counting this one (0: not one of them). */
unsigned trace_spans_invoke_end(const char *id, bool error);
/* The first invokes recorded so far (a copy: the thread writing them runs on). */
unsigned trace_spans_invokes(struct trace_invoke *out);

void trace_spans_atfork_child(void);

#endif
