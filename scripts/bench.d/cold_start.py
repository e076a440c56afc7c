"""2. Cold start of the real test runtimes through lambda-emu, to their first `next`.

The figure is the emulator's Init Duration (platform.report initDurationMs of the one
invoke), i.e. from the runtime's start to its first `next`. Each round runs every variant
once, in rotating order; overheads are ratios to `direct` within the same round. Beside
each overhead, the CPU time of the whole run (emulator + wrapper + runtime, one invoke)
compared the same way: steadier than wall time when the machine is shared.
The timeline file and the OTLP spans (Python and Node.js) are measured against
LWRAP_TRACE=json alone, in the same rounds: what they add to init.
"""
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from benchlib import NA, Budget, Row, reason, emu_check_success, emu_init_ms, emu_run, log, median, \
    rotate, script_copy, stat_row
import runtimes

LANGS = ["python", "node", "java"]
DIRECT, OFF, TRACE, BASH = "direct", "lwrap-off", "trace-json", "bash"
FILE, OTLP = "trace-file", "trace-otlp"
VARIANTS = [DIRECT, OFF, TRACE, BASH, FILE, OTLP]
LANG_VARIANTS = {"python": VARIANTS, "node": VARIANTS, "java": VARIANTS[:4]}
TITLES = {DIRECT: "direct, Init Duration",
          OFF: "lwrap, preload off, vs direct",
          TRACE: "lwrap + preload + LWRAP_TRACE=json, vs direct",
          BASH: "bash wrapper (exec \"$@\"), vs direct",
          FILE: "LWRAP_TRACE=json + LWRAP_TRACE_FILE, vs LWRAP_TRACE=json",
          OTLP: "LWRAP_TRACE=json + LWRAP_TRACE_OTLP, vs LWRAP_TRACE=json"}
BASE = {FILE: TRACE, OTLP: TRACE}  # the variant each is compared with (else direct)
GOAL_TRACE = "<= +3 %"
GOAL_TIMELINE = "<= +2 %"


def label(lang, variant):
    return "2. cold start %s: %s" % (lang, TITLES[variant])


ROWS = [label(lang, v) for lang in LANGS for v in LANG_VARIANTS[lang]]
GOALS = {label(lang, TRACE): GOAL_TRACE for lang in LANGS}
GOALS.update({label(lang, v): GOAL_TIMELINE for lang in LANGS for v in (FILE, OTLP)})
GOAL_PCT = {GOAL_TRACE: 3.0, GOAL_TIMELINE: 2.0}


class _Collector(BaseHTTPRequestHandler):
    """A collector that takes any POST (the spans leave after the first invoke)."""
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


class _CollectorServer(ThreadingHTTPServer):
    """Answers each sender on its own thread. A sender that gave up before the answer
    (the preload's OTLP timeout, on a loaded machine) is no error of the bench's."""
    daemon_threads = True

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


_collector = []


def collector_url():
    if not _collector:
        server = _CollectorServer(("127.0.0.1", 0), _Collector)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        _collector.append(server)
    return "http://127.0.0.1:%d" % _collector[0].server_address[1]


def variant_env(ctx, variant):
    if variant == DIRECT:
        return {}
    if variant == BASH:
        return {"AWS_LAMBDA_EXEC_WRAPPER": script_copy(ctx, "passthrough.bash")}
    ctx.need_lwrap()
    env = {"AWS_LAMBDA_EXEC_WRAPPER": ctx.lwrap, "LWRAP_PRELOAD_PATH": ctx.preload}
    if variant in (TRACE, FILE, OTLP):
        ctx.need_preload()
        env["LWRAP_TRACE"] = "json"
    if variant == FILE:
        env["LWRAP_TRACE_FILE"] = ctx.path("timeline-%p.json")
    if variant == OTLP:
        env["LWRAP_TRACE_OTLP"] = collector_url()
    return env


def event_file(ctx):
    path = ctx.path("event.json")
    with open(path, "w") as f:
        f.write('{"bench": 1}\n')
    return path


def one(ctx, rt, variant, env, event):
    res, evs = emu_run(ctx, rt.cmd, [event], rt.handler, rt.task_root, env,
                       "cold-%s-%s" % (rt.name, variant), timeout=ctx.n(30, 15))
    emu_check_success(evs, 1)
    init = emu_init_ms(evs)
    if init is None:
        raise NA("lambda-emu reported no initDurationMs")
    return init, res.cpu


def run_lang(ctx, lang, rounds, event, budget_s):
    rows = {}
    rt = runtimes.get(ctx, lang)
    rt.check()
    envs, why = {}, {}
    variants = LANG_VARIANTS[lang]
    for v in variants:
        try:
            envs[v] = variant_env(ctx, v)
            if not ctx.quick:  # warm-up: page cache, JIT caches, CDS archive
                one(ctx, rt, v, envs[v], event)
        except NA as e:
            why[v] = str(e)
            envs.pop(v, None)
    if DIRECT not in envs:
        raise NA(why[DIRECT])
    times = {v: [] for v in envs}
    budget = Budget(ctx, "cold start " + lang, *budget_s)
    for k in range(rounds):
        if budget.stop(k, rounds):
            break
        log("cold start %s: round %d/%d" % (lang, k + 1, rounds))
        for v in rotate(list(envs), k):
            if v in why:  # failed once already: do not wait for it to time out again
                times[v].append(None)
                continue
            try:
                times[v].append(one(ctx, rt, v, envs[v], event))
            except NA as e:  # one bad run makes the variant's row n/a, not the section
                if v == DIRECT:
                    raise
                why[v] = str(e)
                times[v].append(None)
    good = [k for k in range(len(times[DIRECT])) if times[DIRECT][k] is not None]
    if not good:
        raise NA(why.get(DIRECT, "no run of the runtime succeeded"))
    rows[label(lang, DIRECT)] = stat_row(label(lang, DIRECT), [times[DIRECT][k][0] for k in good],
                                         "ms")
    for v in variants[1:]:
        lab = label(lang, v)
        goal = GOALS.get(lab, "")
        base = BASE.get(v, DIRECT)
        if base not in times:
            rows[lab] = Row.na(lab, why.get(base, "no " + base), goal)
            continue
        pairs = [(times[base][k], times[v][k]) for k in good
                 if v in times and times[v][k] is not None and times[base][k] is not None]
        if not pairs or (v in why and len(pairs) < len(good)):
            rows[lab] = Row.na(lab, why.get(v, "no run succeeded"), goal)
            continue
        pct = [(b[0] / a[0] - 1) * 100 for a, b in pairs]
        cpu_pct = median([(b[1] / a[1] - 1) * 100 for a, b in pairs])
        abs_ms = median([b[0] for _, b in pairs])
        rows[lab] = stat_row(lab, pct, "%", goal, median(pct) <= GOAL_PCT[goal] if goal else None,
                             digits=1, sign=True,
                             suffix=" (%.1f ms; CPU %+.1f %%)" % (abs_ms, cpu_pct))
    return rows


def run(ctx):
    rows = {}
    event = event_file(ctx)
    rounds = {"python": ctx.n(15, 2), "node": ctx.n(15, 2), "java": ctx.n(8, 2)}
    budgets = {"python": (35, 6), "node": (40, 8), "java": (60, 12)}
    for lang in LANGS:
        try:
            rows.update(run_lang(ctx, lang, rounds[lang], event, budgets[lang]))
        except Exception as e:  # noqa: BLE001 (one runtime's failure must not hide the others)
            e = reason(e)
            for v in LANG_VARIANTS[lang]:
                rows[label(lang, v)] = Row.na(label(lang, v), e, GOALS.get(label(lang, v), ""))
    return rows
