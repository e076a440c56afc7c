"""4. Log throughput: a C program writes short lines (one write(2) each) and 64 KiB lines
to stdout, which is /dev/null (the preload's own cost, not a disk's or a reader's), in a
Lambda-shaped environment, with no preload and with the preload in each log mode.

The preload is put in LD_PRELOAD directly: through lwrap, LWRAP_LOGS=off would not load it
at all, and `off` here is meant to prove that a loaded preload costs nothing on writes.
Throughput is lines per CPU-second of the writer (= per core); `off` is compared with no
preload by CPU time (wall time beside it), paired within each round. A small calibration run into a file checks
that each mode did what it says (off: byte-identical; text/json: decorated).
"""
import filecmp

from benchlib import NA, Budget, Row, altrun, compile_c, lambda_env, first_line, log, median, \
    rotate, run_timed, stat_row

NONE, OFF, TEXT, JSON, REDACT = "none", "off", "text", "json", "redact"
VARIANTS = [NONE, OFF, TEXT, JSON, REDACT]
TITLES = {NONE: "no preload", OFF: "LWRAP_LOGS=off, vs no preload", TEXT: "LWRAP_LOGS=text",
          JSON: "LWRAP_LOGS=json", REDACT: "LWRAP_LOGS=text + LWRAP_REDACT"}
KINDS = [("short", "short lines"), ("big", "64 KiB lines")]
GOAL_OFF = "within 2 %"
GOAL_TEXT = ">= 1 M lines/s/core"


def label(kind, variant):
    return "4. %s to /dev/null: %s" % (dict(KINDS)[kind], TITLES[variant])


R_OWN = "4. short lines: CPU the preload adds per line, LWRAP_LOGS=text"
R_LOAD = "4. fixed cost of loading the preload (LWRAP_LOGS=off, no lines), CPU"
GOAL_OWN = "<= 1,000 ns (= 1 M lines/s/core)"
ROWS = [label("short", v) for v in VARIANTS] + [R_OWN] + [label("big", v) for v in VARIANTS] + \
    [R_LOAD]
GOALS = {label(k, OFF): GOAL_OFF for k, _ in KINDS}
GOALS[label("short", TEXT)] = GOAL_TEXT
GOALS[R_OWN] = GOAL_OWN


def variant_env(ctx, variant):
    env = lambda_env()
    if variant != NONE:
        env["LD_PRELOAD"] = ctx.preload
        env["LWRAP_LOGS"] = {OFF: "off", TEXT: "text", JSON: "json", REDACT: "text"}[variant]
    if variant == REDACT:
        env["LWRAP_REDACT"] = "hunter2"
    return env


def calibrate(ctx, prog, envs):
    """What each mode did to 1,000 short lines: a suffix for the row, or a reason for n/a."""
    notes = {}
    outs = {}
    for v, env in envs.items():
        path = ctx.path("calib-%s.out" % v)
        res = run_timed([prog, "short", "1000"], env, path, timeout=30)
        if res.status != 0:
            notes[v] = NA("exit %d: %s" % (res.status, first_line(path + ".err")))
        outs[v] = path
    for v in (OFF, TEXT, JSON, REDACT):
        if v in notes or v not in outs:
            continue
        same = filecmp.cmp(outs[NONE], outs[v], shallow=False)
        if v == OFF and not same:
            notes[v] = " (bytes CHANGED: off must be byte-exact)"
        elif v != OFF and same:
            notes[v] = " (output unchanged: mode not active?)"
        elif v == REDACT:
            with open(outs[v], "rb") as f:
                if b"hunter2" in f.read():
                    notes[v] = " (hunter2 still in output: pattern not applied)"
    return notes


def load_cost(ctx, prog):
    """What loading liblwrap.so costs a process once (dynamic loading, relocations, its
    constructor): an empty logspam run with and without it, interleaved by altrun. This
    fixed cost, not a per-write one, is what `off` adds to a short run."""
    env = "/usr/bin/env"
    cmds = {NONE: [env, prog, "short", "0"],
            OFF: [env, "LD_PRELOAD=" + ctx.preload, "LWRAP_LOGS=off", prog, "short", "0"]}
    cycles = ctx.n(300, 40)
    wall, cpu = altrun(ctx, cmds, cycles, 5, lambda_env())
    return ([(b - a) * 1e6 for a, b in zip(cpu[NONE], cpu[OFF])],
            median([(b - a) * 1e6 for a, b in zip(wall[NONE], wall[OFF])]))


def run(ctx):
    ctx.need_preload()
    prog = compile_c(ctx, "logspam.c", "logspam", static=False)
    envs = {v: variant_env(ctx, v) for v in VARIANTS}
    notes = calibrate(ctx, prog, envs)
    if isinstance(notes.get(NONE), NA):
        raise notes[NONE]
    live = [v for v in VARIANTS if not isinstance(notes.get(v), NA)]
    counts = {"short": ctx.n(1000000, 100000), "big": ctx.n(10000, 1000)}
    # 64 KiB runs are short (tens of ms): more rounds for the same confidence.
    rounds = {"short": ctx.n(5, 1), "big": ctx.n(15, 2)}
    wall = {(k, v): [] for k, _ in KINDS for v in live}
    cpu = {(k, v): [] for k, _ in KINDS for v in live}
    budgets = {"short": (60, 8), "big": (35, 5)}
    for kind, _ in KINDS:
        budget = Budget(ctx, "log throughput " + kind, *budgets[kind])
        for r in range(rounds[kind]):
            if budget.stop(r, rounds[kind]):
                break
            log("log throughput %s: round %d/%d" % (kind, r + 1, rounds[kind]))
            for v in rotate(live, r):
                res = run_timed([prog, kind, str(counts[kind])], envs[v], timeout=120)
                if res.status != 0:
                    raise NA("logspam %s under %s: exit %d" % (kind, v, res.status))
                wall[kind, v].append(res.wall)
                cpu[kind, v].append(res.cpu)
    rows = {}
    try:
        per_run, wall_us = load_cost(ctx, prog)
        rows[R_LOAD] = stat_row(R_LOAD, per_run, "µs", digits=0, sign=True,
                                suffix=" (wall %+d µs)" % round(wall_us))
    except NA as e:
        rows[R_LOAD] = Row.na(R_LOAD, e)
    if TEXT not in live:
        rows[R_OWN] = Row.na(R_OWN, notes[TEXT], GOAL_OWN)
    for kind, _ in KINDS:
        n = counts[kind]
        for v in VARIANTS:
            lab = label(kind, v)
            goal = GOALS.get(lab, "")
            if v not in live:
                rows[lab] = Row.na(lab, notes[v], goal)
                continue
            suffix = notes.get(v, "")
            if v == OFF:
                # Judged on CPU time: the writer is CPU-bound (its stdout is /dev/null), so
                # CPU is its real cost, and unlike wall time it ignores other jobs' preemption.
                pct = [(b / a - 1) * 100 for a, b in zip(cpu[kind, NONE], cpu[kind, OFF])]
                wpct = [(b / a - 1) * 100 for a, b in zip(wall[kind, NONE], wall[kind, OFF])]
                rows[lab] = stat_row(lab, pct, "%", goal, abs(median(pct)) <= 2.0, digits=1,
                                     sign=True, suffix=" CPU (wall %+.1f %%)%s" % (median(wpct), suffix))
                continue
            rate = [n / max(c, 1e-9) for c in cpu[kind, v]]
            # The preload's own CPU per line: what it adds to the writer's write(2) calls.
            own_ns = [(b - a) / n * 1e9 for a, b in zip(cpu[kind, NONE], cpu[kind, v])]
            if v != NONE:
                suffix = " (%s ns/line CPU)%s" % (format(round(median(own_ns)), "+,"), suffix)
            met = None
            if goal:
                met = median(rate) >= 1e6 and not notes.get(v)
            if kind == "short":
                rows[lab] = stat_row(lab, [x / 1e6 for x in rate], "M lines/s/core", goal, met,
                                     digits=2, suffix=suffix)
            else:
                rows[lab] = stat_row(lab, [x / 1e3 for x in rate], "k lines/s/core", goal, met,
                                     digits=1, suffix=suffix)
            if kind == "short" and v == TEXT:
                ok = median(own_ns) <= 1000 and not notes.get(v)
                rows[R_OWN] = stat_row(R_OWN, own_ns, "ns/line", GOAL_OWN, ok, digits=0)
    return rows
