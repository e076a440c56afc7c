"""1. (continued) What fetching values before the exec adds to a start: lwrap with 1 and
with 10 LWRAP_SSM_ settings, against lwrap without any, each value answered at once by
bench.d/fetch_standin (a C stand-in for the Parameters and Secrets extension on
127.0.0.1), so the figure is lwrap's side of a fetch: sockets, the request, the poll
loop, decoding, the environment edit. A real extension answers from its cache in about
the same time, and its first, uncached answer costs an SSM round trip on top.

All three run as `env [LWRAP_SSM_...=...] lwrap target` (the settings must differ per
variant, the environment altrun hands them is one): the `env` exec is the same in each and
drops out of the differences. Interleaved by bench.d/altrun like the rows above.
"""
import socket
import subprocess

from benchlib import NA, Budget, Row, altrun, compile_c, lambda_env, log, median, stat_row

BASE, ONE, TEN = "base", "one", "ten"
R_ONE = "1. added per start: fetching 1 SSM value (local stand-in), vs lwrap without"
R_TEN = "1. added per start: fetching 10 SSM values at once (local stand-in), vs lwrap without"
ROWS = [R_ONE, R_TEN]


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def run(ctx, target):
    ctx.need_lwrap()
    standin = compile_c(ctx, "fetch_standin.c", "fetch_standin", static=False)
    port = free_port()
    server = subprocess.Popen([standin, str(port)], stdout=subprocess.PIPE, text=True)
    try:
        if server.stdout.readline().strip() != "ready":
            raise NA("fetch_standin did not start")
        env = lambda_env()
        env["PARAMETERS_SECRETS_EXTENSION_HTTP_PORT"] = str(port)
        rt = [target, "/var/runtime/bootstrap.py"]
        cmds = {BASE: ["/usr/bin/env", ctx.lwrap] + rt,
                ONE: ["/usr/bin/env", "LWRAP_SSM_BENCH_VALUE=/bench/value", ctx.lwrap] + rt,
                TEN: ["/usr/bin/env"] + ["LWRAP_SSM_BENCH_VALUE_%d=/bench/value" % i
                                         for i in range(10)] + [ctx.lwrap] + rt}
        for name, argv in cmds.items():
            p = subprocess.run(argv + [], env=dict(env, LWRAP_STRICT="1"), capture_output=True,
                               text=True)
            if p.returncode != 0:
                raise NA("%s: exit %d: %s" % (name, p.returncode,
                                              (p.stderr.strip().splitlines() or [""])[0]))
        rounds = ctx.n(10, 2)
        per = {v: [] for v in cmds}
        cpu = {v: [] for v in cmds}
        budget = Budget(ctx, "fetch cost", 30, 8)
        for k in range(rounds):
            if budget.stop(k, rounds):
                break
            log("fetch cost: round %d/%d" % (k + 1, rounds))
            wall, c = altrun(ctx, cmds, ctx.n(100, 20), ctx.n(5, 2), env)
            for v in cmds:
                per[v].append(median(wall[v]) * 1e6)
                cpu[v].append(median(c[v]) * 1e6)
        rows = {}
        for label, v in ((R_ONE, ONE), (R_TEN, TEN)):
            added = [b - a for a, b in zip(per[BASE], per[v])]
            added_cpu = median([b - a for a, b in zip(cpu[BASE], cpu[v])])
            rows[label] = stat_row(label, added, "µs", sign=True,
                                   suffix=" (CPU %s µs)" % format(round(added_cpu), "+,"))
        return rows
    finally:
        server.kill()
        server.wait()


def rows_or_na(ctx, target):
    try:
        return run(ctx, target)
    except NA as e:
        return {r: Row.na(r, e) for r in ROWS}
