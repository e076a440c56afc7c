"""1. (continued) Config size: lwrap's CPU time from start to exec with a large lwrap.conf
of LWRAP_SET_ lines (10,000 and 50,000 lines; 50,000 fits the 1 MiB limit). Lookups
are hashed, so this must grow linearly; the goal is far below Lambda's 10 s init limit.
"""
import os

from benchlib import NA, Row, compile_c, lambda_env, log, median, run_timed, stat_row

SIZES = (10000, 50000)
ROWS = ["1. config: %s-line lwrap.conf (LWRAP_SET_ lines), lwrap CPU to exec" % format(n, ",")
        for n in SIZES]
GOAL = "< 1,000 ms"


def conf_file(ctx, lines):
    path = ctx.path("conf", "lwrap-%d.conf" % lines)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        for i in range(lines):
            f.write("LWRAP_SET_A%d=x\n" % i)
    os.chmod(path, 0o644)
    return path


def run(ctx):
    ctx.need_lwrap()
    target = compile_c(ctx, "target.c", "target", static=True)
    rows = {}
    for label, lines in zip(ROWS, SIZES):
        env = lambda_env()
        env["LWRAP_CONFIG"] = conf_file(ctx, lines)
        cpu = []
        for k in range(ctx.n(5, 2)):
            log("config cost: %d lines, run %d" % (lines, k + 1))
            r = run_timed([ctx.lwrap, target], env)
            if r.status != 0:
                raise NA("lwrap with %d lines exited %d" % (lines, r.status))
            cpu.append(r.cpu * 1e3)
        rows[label] = stat_row(label, cpu, "ms", GOAL, median(cpu) < 1000)
    return rows


GOALS = {label: GOAL for label in ROWS}
