"""1. Wrapper cost: what one start through lwrap costs, beside the program alone, the
minimal static exec shim (the physical limit) and the scripts lwrap replaces.

Every variant execs the same trivial static program, named `python3` so lwrap's
python-importtime preset applies (it adds -X importtime; for the preload it reads the
program's ELF header, finds it static and says so instead of adding liblwrap.so): lwrap
does all of its real work, then the execve.
bench.d/altrun runs the variants interleaved run by run (A B C A B C ..., each cycle
starting one further on), a hundred cycles per round; figures are medians of per-round
medians and ratios are taken within each round. Beside wall time, each run's CPU time
(user + system, from wait4): what a start costs without the time spent waiting for a CPU
on a busy machine.
"""
import os
import re
import shutil
import subprocess

import config_cost
import fetch_cost
from benchlib import NA, Budget, Row, altrun, compile_c, fmt_num, lambda_env, log, median, \
    script_copy, stat_row

ALONE, SHIM, LWRAP, BASH, DASH, PYTHON = ("alone", "shim", "lwrap", "bash", "dash", "python")
VARIANTS = [ALONE, SHIM, LWRAP, BASH, DASH, PYTHON]
TITLES = {
    ALONE: "program alone",
    SHIM: "minimal static exec shim",
    LWRAP: "lwrap (preset + 2 env edits + LWRAP_ARGS)",
    BASH: "bash sample (-X importtime)",
    DASH: "dash sample (-X importtime)",
    PYTHON: "python sample (-X importtime)",
}

R_START = "1. start: %s, median wall" % TITLES[ALONE]
R_ADDED = {v: "1. added per start: " + TITLES[v] for v in VARIANTS[1:]}
R_RATIO_SHIM = "1. ratio lwrap / shim (whole start, wall)"
R_RATIO_SHIM_CPU = "1. ratio lwrap / shim (whole start, CPU time)"
R_RATIO_ADDED = "1. ratio lwrap / shim (added cost only, wall)"
R_RATIO_BASH = "1. ratio lwrap / bash sample (whole start, wall)"
R_INSN_LWRAP = "1. instructions (callgrind): lwrap up to its execve"
R_INSN_SHIM = "1. instructions (callgrind): shim up to its execve"

ROWS = [R_START] + [R_ADDED[v] for v in VARIANTS[1:]] + \
    [R_RATIO_SHIM, R_RATIO_SHIM_CPU, R_RATIO_ADDED, R_RATIO_BASH, R_INSN_LWRAP, R_INSN_SHIM] + \
    fetch_cost.ROWS + config_cost.ROWS

GOAL_SHIM = "<= 1.10"


def lwrap_env(ctx):
    """The realistic configuration: a preset, two environment edits, extra arguments."""
    env = lambda_env()
    env.update({
        "LWRAP_PRESETS": "python-importtime",
        "LWRAP_SET_BENCH_STAGE": "prod",
        "LWRAP_APPEND_PYTHONPATH": "/opt/bench/lib",
        "LWRAP_ARGS": "-W ignore::DeprecationWarning",
        "LWRAP_PRELOAD_PATH": ctx.preload,
    })
    return env


def programs(ctx):
    bindir = ctx.path("bin")
    os.makedirs(bindir, exist_ok=True)
    target = os.path.join(bindir, "python3")
    if not os.path.exists(target):
        os.link(compile_c(ctx, "target.c", "target", static=True), target)
    shim = compile_c(ctx, "shim.c", "shim", static=True)
    return target, shim


def commands(ctx, target, shim):
    """name -> command line, and name -> why a variant cannot run here."""
    # The runtime command Lambda hands a Python wrapper: interpreter, then bootstrap script.
    rt = "%s /var/runtime/bootstrap.py" % target
    cmds = {ALONE: rt, SHIM: "%s %s" % (shim, rt)}
    missing = {}
    if os.access(ctx.lwrap, os.X_OK):
        cmds[LWRAP] = "%s %s" % (ctx.lwrap, rt)
    else:
        missing[LWRAP] = "no %s (run make first)" % ctx.lwrap
    for name, shell, src in ((BASH, "/bin/bash", "wrapper-sample.bash"),
                             (DASH, "/bin/dash", "wrapper-sample.dash")):
        if os.access(shell, os.X_OK):
            cmds[name] = "%s %s" % (script_copy(ctx, src), rt)
        else:
            missing[name] = "%s is not installed" % shell
    cmds[PYTHON] = "%s %s" % (script_copy(ctx, "wrapper-sample.py", ctx.python), rt)
    return cmds, missing


def check(cmds, env, why):
    """Drop variants that do not run cleanly once; remember why."""
    for name, cmd in list(cmds.items()):
        p = subprocess.run(cmd.split(), env=env, capture_output=True, text=True)
        if p.returncode != 0:
            why[name] = "exit %d: %s" % (p.returncode, (p.stderr.strip().splitlines() or [""])[0])
            del cmds[name]


def callgrind(ctx, env, prog):
    """Instructions a launcher executes before its execve. Callgrind cannot dump when the
    process image is replaced, so the launcher is pointed at a `python3` that the kernel
    refuses (ENOEXEC): it does all its work, the execve fails, it exits and callgrind dumps."""
    if not shutil.which("valgrind"):
        raise NA("valgrind is not installed")
    bad = ctx.path("cg", "python3")
    os.makedirs(os.path.dirname(bad), exist_ok=True)
    with open(bad, "wb") as f:
        f.write(b"\x00\x00not an executable image\n")
    os.chmod(bad, 0o755)
    out = ctx.path("cg", "out.%s" % os.path.basename(prog))
    p = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out,
                        prog, bad, "/var/runtime/bootstrap.py"],
                       env=env, capture_output=True, text=True)
    try:
        with open(out) as f:
            m = re.search(r"^totals:\s*(\d+)", f.read(), re.M)
    except OSError:
        m = None
    if not m:
        raise NA("callgrind wrote no totals (valgrind exit %d)" % p.returncode)
    return int(m.group(1))


def run(ctx):
    rows = {}
    target, shim = programs(ctx)
    env = lwrap_env(ctx)
    cmds, why = commands(ctx, target, shim)
    check(cmds, env, why)
    if ALONE not in cmds:
        raise NA("the trivial target does not run: " + why.get(ALONE, ""))
    rounds = ctx.n(10, 2)
    per_round = {v: [] for v in cmds}
    cpu_round = {v: [] for v in cmds}
    fast = [v for v in cmds if v != PYTHON]
    budget = Budget(ctx, "wrapper cost", 60, 15)
    for k in range(rounds):
        if budget.stop(k, rounds):
            break
        log("wrapper cost: round %d/%d" % (k + 1, rounds))
        # The Python sample takes ~100x longer: its own pass (with the program alone as
        # its partner) and fewer cycles keep the bench in its time budget.
        passes = [(fast, ctx.n(100, 20), ctx.n(5, 2))]
        if PYTHON in cmds:
            passes.append(([ALONE, PYTHON], ctx.n(10, 3), 1))
        alone, alone_cpu = [], []
        for names, cycles, warm in passes:
            wall, cpu = altrun(ctx, {v: cmds[v].split() for v in names}, cycles, warm, env)
            for v in names:
                if v == ALONE:
                    alone += wall[v]
                    alone_cpu += cpu[v]
                else:
                    per_round[v].append(median(wall[v]) * 1e6)
                    cpu_round[v].append(median(cpu[v]) * 1e6)
        per_round[ALONE].append(median(alone) * 1e6)
        cpu_round[ALONE].append(median(alone_cpu) * 1e6)

    alone = per_round[ALONE]
    rows[R_START] = stat_row(R_START, alone, "µs",
                             suffix=" (CPU %s µs)" % fmt_num(median(cpu_round[ALONE])))
    for v in VARIANTS[1:]:
        if v not in per_round:
            rows[R_ADDED[v]] = Row.na(R_ADDED[v], why.get(v, "not measured"))
            continue
        added = [b - a for a, b in zip(alone, per_round[v])]
        added_cpu = median([b - a for a, b in zip(cpu_round[ALONE], cpu_round[v])])
        rows[R_ADDED[v]] = stat_row(R_ADDED[v], added, "µs", sign=True,
                                    suffix=" (CPU %s µs)" % format(round(added_cpu), "+,"))

    if LWRAP in per_round and SHIM in per_round:
        ratio = [a / b for a, b in zip(per_round[LWRAP], per_round[SHIM])]
        rows[R_RATIO_SHIM] = stat_row(R_RATIO_SHIM, ratio, "", GOAL_SHIM, median(ratio) <= 1.10,
                                      digits=3)
        ratio = [a / b for a, b in zip(cpu_round[LWRAP], cpu_round[SHIM])]
        rows[R_RATIO_SHIM_CPU] = stat_row(R_RATIO_SHIM_CPU, ratio, "", GOAL_SHIM,
                                          median(ratio) <= 1.10, digits=3)
        # The stricter reading: lwrap's own extra cost against one bare execve.
        ratio = [(a - z) / (b - z) for a, b, z in zip(per_round[LWRAP], per_round[SHIM], alone)]
        rows[R_RATIO_ADDED] = stat_row(R_RATIO_ADDED, ratio, "", digits=2)
    else:
        for lab in (R_RATIO_SHIM, R_RATIO_SHIM_CPU, R_RATIO_ADDED):
            rows[lab] = Row.na(lab, "lwrap: " + why.get(LWRAP, "?"), GOALS.get(lab, ""))
    if LWRAP in per_round and BASH in per_round:
        ratio = [a / b for a, b in zip(per_round[LWRAP], per_round[BASH])]
        rows[R_RATIO_BASH] = stat_row(R_RATIO_BASH, ratio, "", digits=3)
    else:
        rows[R_RATIO_BASH] = Row.na(R_RATIO_BASH, why.get(LWRAP) or why.get(BASH) or "?")

    for label, prog, need in ((R_INSN_LWRAP, ctx.lwrap, LWRAP), (R_INSN_SHIM, shim, SHIM)):
        try:
            if need not in cmds:
                raise NA(why.get(need, "not available"))
            n = callgrind(ctx, env, prog)
            rows[label] = Row(label, "{:,}".format(n), "± 0 (deterministic)")
        except NA as e:
            rows[label] = Row.na(label, e)
    rows.update(fetch_cost.rows_or_na(ctx, target))
    try:
        rows.update(config_cost.run(ctx))
    except NA as e:
        rows.update({label: Row.na(label, e, config_cost.GOAL) for label in config_cost.ROWS})
    return rows


GOALS = {R_RATIO_SHIM: GOAL_SHIM, R_RATIO_SHIM_CPU: GOAL_SHIM, **config_cost.GOALS}
