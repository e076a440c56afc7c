"""5. Memory and size: extra resident memory of the runtime with the preload, read from
/proc/self/status by a handler on the first invoke (right after the first `next`), and the
sizes of what the layer ships.

Both variants start through lwrap; `preload` adds LWRAP_TRACE=json and LWRAP_LOGS=text
(the preload with its observer, trace and log pipeline all working). Deltas are paired
per round; VmHWM is the peak so far, VmRSS the moment of the read.
"""
import json
import os

from benchlib import NA, Budget, Row, reason, compile_c, emu_check_success, emu_run, log, median, rotate, \
    stat_row
import runtimes

LANGS = ["python", "node"]
FIELDS = ["VmRSS", "VmHWM"]
GOAL = "< 256 KiB"
R_SIZE_LWRAP = "5. size of lwrap (static)"
R_SIZE_PRELOAD = "5. size of liblwrap.so"
R_SIZE_SHIM = "5. size of the minimal static exec shim (reference)"


def label(lang, field):
    return "5. memory %s: %s added by the preload at first next" % (lang, field)


ROWS = [label(lang, f) for lang in LANGS for f in FIELDS] + \
    [R_SIZE_LWRAP, R_SIZE_PRELOAD, R_SIZE_SHIM]
GOALS = {label(lang, f): GOAL for lang in LANGS for f in FIELDS}


def size_row(lab, path):
    try:
        return Row(lab, "{:,} bytes".format(os.path.getsize(path)), "exact")
    except OSError:
        return Row.na(lab, "no %s" % path)


def status_kib(ctx, rt, env, tag):
    _, evs = emu_run(ctx, rt.cmd, [ctx.path("mem-event.json")], rt.handler, rt.task_root, env,
                     tag, timeout=ctx.n(30, 15))
    emu_check_success(evs, 1)
    body = next(e["body"] for e in evs if e.get("type") == "response")
    try:
        got = json.loads(body)
        return {f: int(got[f]) for f in FIELDS}
    except (ValueError, KeyError, TypeError):
        raise NA("memstat handler answered %r" % body[:60])


def run_lang(ctx, lang, rounds):
    rt = runtimes.get(ctx, lang, handler="memstat.handler")
    rt.check()
    rt.task_root = os.path.join(ctx.here, "handlers", lang)
    ctx.need_lwrap()
    ctx.need_preload()
    envs = {"base": {"AWS_LAMBDA_EXEC_WRAPPER": ctx.lwrap},
            "preload": {"AWS_LAMBDA_EXEC_WRAPPER": ctx.lwrap, "LWRAP_PRELOAD_PATH": ctx.preload,
                        "LWRAP_TRACE": "json", "LWRAP_LOGS": "text"}}
    got = {v: [] for v in envs}
    budget = Budget(ctx, "memory " + lang, 20, 4)
    for k in range(rounds):
        if budget.stop(k, rounds):
            break
        log("memory %s: round %d/%d" % (lang, k + 1, rounds))
        for v in rotate(list(envs), k):
            got[v].append(status_kib(ctx, rt, envs[v], "mem-%s-%s" % (lang, v)))
    rows = {}
    for f in FIELDS:
        delta = [b[f] - a[f] for a, b in zip(got["base"], got["preload"])]
        base = median([a[f] for a in got["base"]])
        rows[label(lang, f)] = stat_row(label(lang, f), delta, "KiB", GOAL, median(delta) < 256,
                                        digits=0, sign=True, suffix=" (of %s KiB)" % format(int(base), ","))
    return rows


def run(ctx):
    with open(ctx.path("mem-event.json"), "w") as f:
        f.write('{"bench": "memory"}\n')
    rows = {R_SIZE_LWRAP: size_row(R_SIZE_LWRAP, ctx.lwrap),
            R_SIZE_PRELOAD: size_row(R_SIZE_PRELOAD, ctx.preload)}
    try:
        rows[R_SIZE_SHIM] = size_row(R_SIZE_SHIM, compile_c(ctx, "shim.c", "shim", static=True))
    except NA as e:
        rows[R_SIZE_SHIM] = Row.na(R_SIZE_SHIM, e)
    for lang in LANGS:
        try:
            rows.update(run_lang(ctx, lang, ctx.n(7, 2)))
        except Exception as e:  # noqa: BLE001 (one runtime's failure must not hide the others)
            e = reason(e)
            for f in FIELDS:
                rows[label(lang, f)] = Row.na(label(lang, f), e, GOAL)
    return rows
