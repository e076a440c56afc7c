/* lambda-emu: shared types and the functions each file offers the others.
 * The emulator is one thread around one poll() loop (main.c); every socket, pipe
 * and timer is non-blocking, so a slow or broken peer can never stall the others. */
#ifndef EMU_H
#define EMU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct pollfd;

#define EMU_MAX_EXTENSIONS 10
#define EMU_RESPONSE_LIMIT (6u * 1024 * 1024 + 100)  /* buffered response: Lambda's 6,291,556 bytes */
#define EMU_INVOKE_LIMIT (6u * 1024 * 1024)          /* an invoke's event (InvokeFunction) */
#define EMU_STREAM_LIMIT (20u * 1024 * 1024)         /* streamed response */
#define EMU_HEAD_LIMIT (64u * 1024)                  /* request line + headers */
#define EMU_LINE_LIMIT (256u * 1024)                 /* Lambda splits longer lines */
#define EMU_FRAME_LIMIT (16u * 1024 * 1024)          /* sanity bound on a telemetry frame */
#define EMU_ID_LEN 36
#define EMU_ACCOUNT_ID "012345678912" /* the account of the emulator's function ARN */

/* ---- util.c ---- */
struct buf {
    char *p;
    size_t len, cap;
};
void buf_add(struct buf *b, const void *data, size_t n);
void buf_adds(struct buf *b, const char *s);
void buf_addc(struct buf *b, char c);
void buf_addf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_consume(struct buf *b, size_t n);
void buf_reset(struct buf *b);
void buf_free(struct buf *b);
char *buf_cstr(struct buf *b); /* NUL-terminates (not counted in len) */
void buf_json_str(struct buf *b, const char *s, size_t n); /* quoted JSON string */
size_t utf8_seq(const unsigned char *s, size_t n); /* valid UTF-8 sequence's length, 0: none */

double now_mono_ms(void);
int64_t now_epoch_ms(void);
int64_t now_epoch_us(void);
void iso8601_ms(char out[32], int64_t epoch_ms);
void random_hex(char *out, size_t nhex);
void new_uuid(char out[EMU_ID_LEN + 1]);
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t m);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
void set_nonblock_cloexec(int fd);
bool json_get_string(const char *json, size_t len, const char *key, struct buf *out);
bool base64_decode(const char *in, size_t n, struct buf *out);
void buf_json_error(struct buf *b, const char *type, const char *msg);

/* ---- http.c: incremental HTTP/1.1 request parsing, response building ---- */
struct hdr {
    char *name, *value;
};
enum parse_state { PS_HEAD, PS_BODY, PS_CHUNK_SIZE, PS_CHUNK_DATA, PS_CHUNK_CRLF, PS_TRAILERS, PS_DONE };
struct http_req {
    char *method, *target; /* target without query string */
    int minor;
    struct hdr *hdrs;
    int nhdrs;
    struct hdr *trailers;
    int ntrailers;
    struct buf body;
    bool chunked, keepalive, expect_continue;
    size_t content_length, body_seen, chunk_left, limit;
    bool too_large;
};
/* parse as much of in as possible; returns 1 request complete, 0 need more,
 * -1 malformed (status/why set). consumed bytes are removed from in. */
int http_parse(struct http_req *r, enum parse_state *ps, struct buf *in, int *status, const char **why);
void http_req_free(struct http_req *r);
const char *http_header(const struct http_req *r, const char *name);
const char *http_trailer(const struct http_req *r, const char *name);
const char *http_reason(int status);

/* ---- conn.c: sockets, keep-alive, parking of long-poll requests ---- */
enum conn_kind { CONN_API, CONN_CLIENT };
enum park_kind { PARK_NONE, PARK_RUNTIME_NEXT, PARK_EXT_NEXT, PARK_INVOKE, PARK_RESTORE_NEXT };
struct conn {
    int fd;
    enum conn_kind kind;
    struct buf in, out;
    enum parse_state ps;
    struct http_req req;
    bool have_req;     /* req holds a complete request being handled/parked */
    bool sent_continue;
    bool close_after;  /* close once out is flushed */
    bool dead;         /* closed; freed at the end of the loop turn */
    bool send_failed;  /* a send() failed: the peer did not get (all of) the answer */
    bool resume;       /* answered while requests wait in `in`: the main loop goes on with them */
    enum park_kind park;
    void *park_ref;
    struct conn *next;
};
struct conn *conn_new(int fd, enum conn_kind kind);
void conn_close(struct conn *c);
/* complete the request in progress with a response (headers+body) */
void conn_respond(struct conn *c, int status, const char *extra_headers, const char *body, size_t n);
void conn_write(struct conn *c, const char *data, size_t n);
void conn_end_request(struct conn *c);
void conn_respond_json_error(struct conn *c, int status, const char *type, const char *msg);
void conn_on_readable(struct conn *c);
void conn_on_writable(struct conn *c);
void conn_reap_dead(void);
void conn_unpark(struct conn *c);
bool conn_peer_gone(struct conn *c);
bool conn_resume_pending(void);

/* ---- output.c: events to stdout, text or JSON ---- */
enum stream_kind { ST_STDOUT, ST_STDERR, ST_TELEMETRY, ST_SOCKET /* logsock.c */ };
struct frame_info {
    uint32_t type;
    int64_t ts_us;
};
void out_log(const char *ext_name, enum stream_kind st, const char *req_id, const char *msg, size_t n,
             const struct frame_info *fi);
void out_start(const char *id);
/* tel_status: the Telemetry API's word (success error timeout failure) */
void out_end(const char *id, const char *tel_status, const char *err_type);
/* init_ms / restore_ms: < 0 when the REPORT has no Init / Restore Duration; status/err_type:
 * a platform failure as CloudWatch's text REPORT shows it (NULL: none) */
void out_report(const char *id, double dur_ms, int mem_mb, int max_mem_mb, double init_ms, double restore_ms,
                const char *status, const char *err_type, const char *tel_status);
void out_init_report(double init_ms); /* a successful SnapStart init (the snapshot's) */
void out_restore_start(void);
void out_restore_report(double restore_ms, const char *err_type, const char *body, size_t n);
void out_response(const char *id, const char *status, const char *body, size_t n, const char *err_type,
                  bool streamed);
void out_init_error(const char *type, const char *body, size_t n, double init_ms);
void out_runtime_exit(const char *req_id, const char *msg);
void out_timeout(const char *id, double secs);
void out_extension(const char *name, bool sub_invoke, bool sub_shutdown, bool internal);
void out_ext_event(const char *type, const char *name, const char *what, const char *msg);
void out_emu(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void out_init_start(void);

/* ---- proc.c: the runtime and extension processes and their output pipes ---- */
struct stream {
    int fd;
    enum stream_kind kind;
    struct buf pending;
    int raw_fd;
    bool bad; /* telemetry stream out of sync */
    bool cut; /* an unterminated line was cut at an invoke's end: a '\n' right after ends it */
    struct proc *owner;
};
struct ext;
struct proc {
    pid_t pid;
    bool alive;
    int status;
    long max_rss_kb; /* from wait4, once it exited */
    struct stream s[3]; /* stdout, stderr, telemetry (fd -1 if none) */
    struct ext *ext;    /* NULL for the runtime */
    char name[256];
};
struct proc *proc_start_runtime(void);
struct proc *proc_start_extension(const char *path, const char *name);
/* stream_events.c: bytes read from a stream (any split) to events; the rest at its end */
void stream_events_feed(struct stream *s, const char *data, size_t n);
void stream_events_end(struct stream *s);
void stream_events_cut(struct stream *s);
void stream_on_readable(struct stream *s);
void stream_drain(struct stream *s);
void streams_drain_all(void);
struct invoke;
void streams_drain_for_invoke(const struct invoke *inv, bool extensions);
void proc_kill_groups(void);
void proc_reaped(struct proc *p, bool kill_leftovers);
void stream_close(struct stream *s);
bool proc_streams_open(const struct proc *p);
void proc_free(struct proc *p);
void proc_describe_exit(int status, char *out, size_t n);
int proc_max_rss_mb(pid_t pid);

/* ---- lifecycle.c: init, invokes, timeouts, shutdown ---- */
enum inv_state { INV_QUEUED, INV_RUNNING, INV_RESPONDED, INV_DONE };
struct invoke {
    char id[EMU_ID_LEN + 1];
    struct buf event;
    enum inv_state state;
    double t_dispatch, t_deadline;
    int64_t deadline_epoch_ms;
    char trace[128];
    const char *status; /* success error timeout crash */
    struct buf result;
    char *err_type;
    bool streamed;
    struct conn *client;     /* --listen: waiting caller */
    bool client_streaming;   /* --listen: chunked answer to the caller under way */
    size_t forwarded;        /* bytes of the streamed body passed on so far */
    char *client_context, *cognito;
    int requeued;            /* times a `next` connection failed before it got this event */
    double t_first_byte;     /* when the runtime's answer began to arrive (0: not yet) */
    struct invoke *next;
};
struct ext {
    bool used, registered, internal, sub_invoke, sub_shutdown, ready, shutdown_sent, gone;
    char name[256];
    char id[EMU_ID_LEN + 1];
    struct conn *parked;
    struct buf pending; /* one event waiting for the extension's next */
    bool has_pending;
    struct proc *proc;
};
/* ENV_RESTORE (--snapstart): after the snapshot point until the runtime's first `next`
 * after restore (snapshot pause, restore/next answered, after-restore hooks). */
enum env_state { ENV_DOWN, ENV_INIT, ENV_READY, ENV_SHUTDOWN, ENV_RESTORE };
struct invoke *invoke_find(const char *id);
bool invoke_id_known(const char *id);
void invoke_submit(const char *event, size_t n, struct conn *client);
void life_runtime_next(struct conn *c);
void life_body_progress(struct conn *c);
void life_response(struct conn *c, struct invoke *inv, const struct http_req *r);
void life_invoke_error(struct conn *c, struct invoke *inv, const struct http_req *r);
void life_init_error(const char *type, const char *body, size_t n);
void life_proc_exited(struct proc *p);
void life_ext_ready(struct ext *e);
void life_ext_error(struct ext *e, const char *type, const char *body, size_t n);
void life_pump(void);
double life_next_timer(void); /* ms from now until the next deadline, -1 none */
void life_timers(void);
void life_client_gone(struct invoke *inv);
const char *life_current_request_id(void);
bool life_registration_open(void);
bool life_finished(void);
int life_exit_code(void);
void life_request_stop(void);
void life_restore_failed(const char *type, const char *body, size_t n, bool kill_now);
bool life_runtime_called_next(void);
bool life_extensions_ready(void);
const char *life_init_type(void); /* AWS_LAMBDA_INITIALIZATION_TYPE */

/* ---- snapstart.c: --snapstart's snapshot point, pause and restore ---- */
void snap_restore_next(struct conn *c);
void snap_restore_error(struct conn *c);
void runtime_refuse_state(struct conn *c, const char *to); /* 403 InvalidStateTransition */
void snap_begin(double init_ms); /* init is done: the snapshot point */
void snap_progress(void);  /* ENV_RESTORE: resume after the pause, end the restore */
void snap_reset(void);     /* the environment goes away: let stopped processes run again */
double snap_next_timer(void); /* the mono ms of the next snapstart deadline, -1 none */
void snap_timers(void);
double snap_take_restore_ms(void); /* Restore Duration for the next REPORT, once; -1 none */
void snap_conn_gone(struct conn *c);
double snap_restore_elapsed(void); /* ms since the restore began (0 before) */
void snap_set_report(double restore_ms); /* the next REPORT carries this Restore Duration */

/* ---- invoke.c ---- */
void invoke_set_result(struct invoke *inv, const char *status, const char *body, size_t n, const char *err_type);
void invoke_responded(struct invoke *inv);
void invoke_finish(struct invoke *inv);
void invoke_free(struct invoke *inv);
void invoke_fail_running(const char *status, const char *type, const char *what);
void invoke_try_dispatch(void);
bool invoke_extensions_idle(void);
void invoke_drop_nexts(void);
void invoke_next_gone(struct conn *c); /* a parked next's connection closed */
int invoke_parked_nexts(void);
double life_take_init_ms(void);
void life_note_runtime_next(void);

/* ---- ext_api.c ---- */
void ext_api_handle(struct conn *c);
void ext_deliver(struct ext *e, const char *event, size_t n);
struct ext *ext_by_id(const char *id);
struct ext *ext_api_caller(struct conn *c); /* by its identifier header; NULL: answered 403 */
void ext_reset_all(void);

/* ---- runtime_api.c ---- */
void runtime_api_handle(struct conn *c);

/* ---- listen.c ---- */
void client_handle(struct conn *c);
void client_complete(struct invoke *inv);
void client_stream(struct invoke *inv, const struct http_req *r);

/* ---- json.c: validating and reading JSON text ---- */
bool json_valid(const char *p, size_t n, char first); /* first: '{', '[' or 0 for any value */
size_t json_error_offset(void); /* where the last json_valid() failed (SIZE_MAX: it did not) */
bool json_member(const char *obj, size_t n, const char *key, const char **val, size_t *vlen);
bool json_string(const char *v, size_t n, struct buf *out);
void json_unescape(const char *s, size_t n, struct buf *out); /* a string's inside, lenient */
bool json_int(const char *v, size_t n, long long *out);
bool json_array_next(const char *arr, size_t n, size_t *pos, const char **el, size_t *elen);

/* ---- the Telemetry API (2022-07-01) and the Logs API (2020-08-15) ---- */
enum tel_type { TEL_PLATFORM = 1, TEL_FUNCTION = 2, TEL_EXTENSION = 4 };
enum tel_api { TEL_API_TELEMETRY, TEL_API_LOGS };
struct tel_dest {
    bool tcp;
    int port;
    char path[512];
    char host[256];
};
/* telemetry_api.c: PUT /2022-07-01/telemetry and PUT /2020-08-15/logs */
void telemetry_api_handle(struct conn *c, enum tel_api api);
/* telemetry_records.c: each platform event, log line and subscription as records */
void tel_init_start(void);
void tel_init_done(const char *err_type, double init_ms);
void tel_start(const struct invoke *inv);
void tel_runtime_done(const struct invoke *inv);
void tel_report(const struct invoke *inv, double dur_ms, int mem_mb, int max_mem_mb, double init_ms,
                double restore_ms);
void tel_restore_start(void);
void tel_restore_done(const char *err_type, double restore_ms);
void tel_extension(const struct ext *e);
void tel_fault(const char *req_id, const char *msg);
void tel_log(const char *ext_name, const char *msg, size_t n, const struct frame_info *fi);
void tel_subscription_record(enum tel_api api, const char *name, unsigned types);
/* telemetry_deliver.c: per-subscription buffers, batching, delivery, retries, drops */
struct tel_sub_cfg {
    enum tel_api api;
    char schema[16];
    char name[256];
    unsigned types;
    int max_items, max_bytes, timeout_ms;
    struct tel_dest dest;
};
bool tel_subscribed(const char *name, enum tel_api *api);
void tel_subscribe(const struct tel_sub_cfg *cfg);
/* rec_tel / rec_logs: the record member for each API (NULL: not sent to that API) */
void tel_publish(enum tel_type type, const char *event_type, int64_t ts_ms, const char *rec_tel, size_t tn,
                 const char *rec_logs, size_t ln);
int tel_poll_fill(struct pollfd *pfd, void **ref, int max);
void tel_on_poll(void *ref, short revents);
double tel_next_timer(void); /* ms from now, -1 none */
void tel_timers(void);
void tel_flush_all(void);
bool tel_idle(void);
bool tel_any(void);
bool tel_active(void);
void tel_backlog(bool keep);
void tel_reset(void);

/* ---- logsock.c: --managed-instances' _LAMBDA_TELEMETRY_LOG_FD_PROVIDER_SOCKET ---- */
const char *logsock_path(void); /* listening on first use; NULL: unavailable */
int logsock_poll_need(void);
int logsock_poll_fill(struct pollfd *pfd, void **ref, int max);
void logsock_on_poll(void *ref, short revents);
void logsock_drain_all(void);
void logsock_close_all(void);

/* ---- sandbox.c: "sandbox" / "sandbox.localdomain" for the processes we start ---- */
void sandbox_prepare(void);
void sandbox_enter_child(void);

/* ---- global state ---- */
struct options {
    char **cmd;
    int ncmd;
    char **events;
    int nevents;
    char *listen;
    const char *handler, *task_root, *function_name, *ext_dir, *raw_dir;
    int memory;
    double timeout, init_timeout;
    double restore_timeout; /* --snapstart: the after-restore hooks' limit (--init-timeout, else 10 s) */
    double idle_timeout; /* 0: no idle guard */
    double max_wall;     /* 0: no limit; <0: the default (--event mode only) */
    int concurrency;
    bool snapstart;           /* --snapstart */
    double snapshot_pause_ms; /* --snapshot-pause MS: SIGSTOP..SIGCONT at the snapshot */
    int managed;              /* --managed-instances N (0: off) */
    char **env;
    int nenv;
    bool telemetry, json;
    const char *client_context, *cognito;
};
struct emu {
    struct options o;
    int api_fd, listen_fd, sig_fd;
    int api_port;
    char api_addr[64];
    struct conn *conns;
    struct proc *runtime;
    struct ext exts[EMU_MAX_EXTENSIONS];
    enum env_state env;
    struct invoke *invokes; /* queued + running + recently finished */
    int inflight;
    int raw_fd[3];
    bool stopping;
    bool idle_stop; /* the idle guard shut the emulator down: exit status 1 */
    int exit_code;
    int ready_envs; /* environments that became ready (init, and restore with --snapstart) */
};
extern struct emu E;

/* ---- option_values.c: values bound for headers and the environment ---- */
const char *options_check_values(const struct options *o); /* NULL: fine; else why not */

#endif
