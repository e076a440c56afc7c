"""Shared pieces of scripts/bench: the context, timed runs, statistics, the table rows.

Every measurement may find a component missing or broken (the bench is written while
the wrapper, preload and emulator are still landing): it raises NA with a reason and the
row prints "n/a: <reason>" instead of the bench stopping.
"""
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback


class NA(Exception):
    """A figure that cannot be measured here; the message is the reason shown in the table."""


class Row:
    """One line of the results table. `median` and `spread` are already formatted."""

    def __init__(self, label, median="n/a", spread="", goal="", met=""):
        self.label, self.median, self.spread, self.goal, self.met = label, median, spread, goal, met

    @classmethod
    def na(cls, label, reason, goal=""):
        reason = " ".join(str(reason).split())[:160] or "not measured"
        return cls(label, "n/a: " + reason, "", goal, "n/a" if goal else "")


def reason(exc):
    """The n/a text for an exception: NA's own words; anything else is a harness bug,
    shown with its traceback on stderr and as "bench error" in the row."""
    if isinstance(exc, NA):
        return str(exc)
    traceback.print_exception(type(exc), exc, exc.__traceback__)
    return "bench error: %s: %s" % (type(exc).__name__, exc)


def log(msg):
    print("bench: " + msg, file=sys.stderr, flush=True)


# Variables the caller's shell may carry that would change what is measured.
_FOREIGN = ("LWRAP_", "_LWRAP_", "AWS_", "LAMBDA_", "_LAMBDA_")
_FOREIGN_EXACT = {"_HANDLER", "_X_AMZN_TRACE_ID", "LD_PRELOAD", "NODE_OPTIONS",
                  "JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "RUBYOPT", "PYTHONPROFILEIMPORTTIME",
                  "PYTHONFAULTHANDLER", "PYTHONSTARTUP", "PYTHONPATH"}


def clean_env():
    return {k: v for k, v in os.environ.items()
            if not k.startswith(_FOREIGN) and k not in _FOREIGN_EXACT}


# What a Lambda function's process sees (values fake; the size and shape matter because
# lwrap and the preload scan the environment).
LAMBDA_ENV = {
    "AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9001",
    "_HANDLER": "echo.handler",
    "LAMBDA_TASK_ROOT": "/var/task",
    "LAMBDA_RUNTIME_DIR": "/var/runtime",
    "AWS_LAMBDA_FUNCTION_NAME": "bench-function",
    "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128",
    "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/bench-function",
    "AWS_LAMBDA_LOG_STREAM_NAME": "2026/11/27/[$LATEST]0123456789abcdef0123456789abcdef",
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_EXECUTION_ENV": "AWS_Lambda_python3.12",
    "AWS_ACCESS_KEY_ID": "ASIAQBENCHFAKEKEY000",
    "AWS_SECRET_ACCESS_KEY": "benchFakeSecretAccessKey0000000000000000",
    "AWS_SESSION_TOKEN": "IQoJb3JpZ2luX2VjEFAKEBENCHTOKEN" + "x" * 300,
    "AWS_XRAY_DAEMON_ADDRESS": "169.254.79.129:2000",
    "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
    "_AWS_XRAY_DAEMON_ADDRESS": "169.254.79.129",
    "_AWS_XRAY_DAEMON_PORT": "2000",
    "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
    "TZ": ":UTC",
    "LANG": "en_US.UTF-8",
    "LD_LIBRARY_PATH": "/var/lang/lib:/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:/var/task:/var/task/lib:/opt/lib",
}


def lambda_env():
    """Only what a Lambda function's process sees (not the caller's shell): the same
    environment on every machine, so lwrap's environment scan costs the same."""
    env = {"PATH": "/var/lang/bin:/usr/local/bin:/usr/bin/:/bin:/opt/bin"}
    env.update(LAMBDA_ENV)
    return env


class Ctx:
    """Where things are and how hard to try (quick mode shrinks every count)."""

    def __init__(self, repo, build, quick):
        self.repo, self.build, self.quick = repo, build, quick
        self.here = os.path.join(repo, "scripts", "bench.d")
        self.work = tempfile.mkdtemp(prefix="lwrap-bench.")
        self.lwrap = os.path.join(build, "lwrap")
        self.preload = os.path.join(build, "liblwrap.so")
        self.emu = os.path.join(build, "lambda-emu")
        # The system interpreter, never a pyenv shim (a bash script: it would add its own
        # start to every Python figure); pyenv's own build also starts ~3x slower here,
        # which would make every Python overhead look smaller than it is.
        self.python = "/usr/bin/python3" if os.access("/usr/bin/python3", os.X_OK) \
            else os.path.realpath(sys.executable)
        self.notes = []

    def n(self, full, quick):
        return quick if self.quick else full

    def path(self, *parts):
        return os.path.join(self.work, *parts)

    def cleanup(self):
        shutil.rmtree(self.work, ignore_errors=True)

    def need_lwrap(self):
        if not os.access(self.lwrap, os.X_OK):
            raise NA("no %s (run make first)" % self.lwrap)

    def need_preload(self):
        if not os.path.isfile(self.preload):
            raise NA("no %s" % self.preload)


class Budget:
    """A time budget for one measurement loop, so the whole bench stays under its limit
    (10 min full, 2 min quick on 2 cores) even on a loaded machine: after `min_rounds`,
    a loop stops when its time is up, and the table's notes say so."""

    def __init__(self, ctx, what, full_s, quick_s):
        self.ctx, self.what = ctx, what
        self.end = time.monotonic() + ctx.n(full_s, quick_s)
        self.min_rounds = ctx.n(3, 1)

    def stop(self, done, planned):
        if done >= self.min_rounds and done < planned and time.monotonic() > self.end:
            self.ctx.notes.append("%s: %d of %d rounds (time budget)" % (self.what, done, planned))
            return True
        return False


# ---- building the helper programs -------------------------------------------------------

def compile_c(ctx, src, out, static):
    """Build scripts/bench.d/<src> into the work dir; static ones prefer musl (like lwrap)."""
    dst = ctx.path(out)
    if os.path.exists(dst):
        return dst
    source = os.path.join(ctx.here, src)
    tries = []
    if static:
        if shutil.which("musl-gcc"):
            tries.append(["musl-gcc", "-static", "-Os", "-s"])
        tries.append([os.environ.get("CC", "cc"), "-static", "-Os", "-s"])
    else:
        tries.append([os.environ.get("CC", "cc"), "-O2"])
    err = ""
    for cc in tries:
        p = subprocess.run(cc + ["-std=c11", "-D_GNU_SOURCE", "-Wall", "-Werror", "-o", dst, source],
                           capture_output=True, text=True)
        if p.returncode == 0:
            return dst
        err = (p.stderr.strip().splitlines() or ["exit %d" % p.returncode])[0]
    raise NA("cannot compile %s: %s" % (src, err))


def script_copy(ctx, src, interpreter=None):
    """A copy of a bench.d script, optionally with its #! line pointing at `interpreter`."""
    dst = ctx.path(os.path.basename(src))
    with open(os.path.join(ctx.here, src)) as f:
        text = f.read()
    if interpreter:
        text = "#!%s\n%s" % (interpreter, text.split("\n", 1)[1])
    with open(dst, "w") as f:
        f.write(text)
    os.chmod(dst, 0o755)
    return dst


# ---- running things ---------------------------------------------------------------------

class Result:
    def __init__(self, wall, cpu, status, out_path):
        self.wall, self.cpu, self.status, self.out_path = wall, cpu, status, out_path

    def text(self):
        with open(self.out_path, "rb") as f:
            return f.read().decode("utf-8", "replace")


def run_timed(argv, env, stdout_path=os.devnull, timeout=120.0, cwd=None):
    """Spawn argv and wait for it: wall seconds, CPU seconds (user+sys of it and its
    children), exit status. Python's own fork overhead is in `wall`; use this only for
    runs of tens of milliseconds or more (hyperfine does the microsecond ones)."""
    fd_out = os.open(stdout_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    fd_err = os.open(stdout_path + ".err" if stdout_path != os.devnull else os.devnull,
                     os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        actions = [(os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
                   (os.POSIX_SPAWN_DUP2, fd_out, 1), (os.POSIX_SPAWN_DUP2, fd_err, 2)]
        old = os.getcwd()
        if cwd:
            os.chdir(cwd)
        try:
            t0 = time.perf_counter()
            pid = os.posix_spawnp(argv[0], argv, env, file_actions=actions, setpgroup=0)
        finally:
            os.chdir(old)
    finally:
        os.close(fd_out)
        os.close(fd_err)
    fired = []
    timer = threading.Timer(timeout, lambda: (fired.append(1), _kill_group(pid)))
    timer.start()
    try:
        _, status, usage = os.wait4(pid, 0)
        wall = time.perf_counter() - t0
    finally:
        timer.cancel()
    code = os.waitstatus_to_exitcode(status)
    if fired:
        raise NA("%s: timed out after %.0f s" % (os.path.basename(argv[0]), timeout))
    return Result(wall, usage.ru_utime + usage.ru_stime, code, stdout_path)


def _kill_group(pid):
    """SIGTERM first: lambda-emu then shuts its runtime down (a SIGKILLed emulator could
    leave a spinning runtime behind, in its own process group); SIGKILL 3 s later."""
    for sig, wait in ((signal.SIGTERM, 3.0), (signal.SIGKILL, 0)):
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.05)


def first_line(path, default=""):
    try:
        with open(path, errors="replace") as f:
            for line in f:
                if line.strip():
                    return line.strip()
    except OSError:
        pass
    return default


def altrun(ctx, commands, cycles, warmup, env):
    """Interleaved whole-process timings (bench.d/altrun.c): name -> argv in; out, two
    dicts name -> list of seconds per run: wall times and CPU times."""
    prog = compile_c(ctx, "altrun.c", "altrun", static=False)
    names = list(commands)
    argv = [prog, str(cycles), str(warmup)]
    for i, name in enumerate(names):
        argv += (["::"] if i else []) + commands[name]
    p = subprocess.run(argv, env=env, capture_output=True, text=True)
    if p.returncode != 0:
        raise NA("altrun: " + (p.stderr.strip().splitlines() or ["exit %d" % p.returncode])[-1])
    lines = p.stdout.splitlines()
    k = len(names)
    wall = {name: [int(t) / 1e9 for t in lines[i].split()] for i, name in enumerate(names)}
    cpu = {name: [int(t) / 1e9 for t in lines[k + i].split()] for i, name in enumerate(names)}
    return wall, cpu


def rotate(items, k):
    """Order of variants in round k: each starts first once, so drift hits all alike."""
    k %= len(items)
    return items[k:] + items[:k]


# ---- emulator runs ----------------------------------------------------------------------

def emu_json_events(text):
    events = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("{"):
            try:
                events.append(json.loads(line))
            except ValueError:
                pass
    return events


def emu_run(ctx, runtime_cmd, events, handler, task_root, extra_env, tag, timeout=120.0):
    """One lambda-emu run with the given event files; returns (Result, json events).
    Raises NA with the emulator's own words when it could not run the function."""
    if not os.access(ctx.emu, os.X_OK):
        raise NA("no %s" % ctx.emu)
    argv = [ctx.emu, "--log-format", "json", "--handler", handler, "--task-root", task_root]
    for ev in events:
        argv += ["--event", ev]
    for k, v in extra_env.items():
        argv += ["-e", "%s=%s" % (k, v)]
    argv += ["--"] + runtime_cmd
    out = ctx.path("emu-%s.out" % tag)
    res = run_timed(argv, clean_env(), out, timeout=timeout, cwd=task_root)
    evs = emu_json_events(res.text())
    if res.status != 0 or not evs:
        why = [e.get("message") or e.get("errorType") for e in evs
               if e.get("type") in ("platform.initError", "platform.runtimeExit", "emu")]
        why = [w for w in why if w]
        raise NA("lambda-emu exit %d: %s" % (res.status, why[0] if why else
                                             first_line(out + ".err", first_line(out, "no output"))))
    return res, evs


def emu_check_success(evs, count):
    ok = sum(1 for e in evs if e.get("type") == "response" and e.get("status") == "success")
    if ok != count:
        bad = [e for e in evs if e.get("type") in ("response", "platform.initError",
                                                  "platform.runtimeExit")
               and e.get("status") != "success"]
        detail = bad[0].get("body") or bad[0].get("message") if bad else "no response events"
        raise NA("%d of %d invokes succeeded: %s" % (ok, count, detail))


def emu_init_ms(evs):
    for e in evs:
        if e.get("type") == "platform.report" and e.get("initDurationMs") is not None:
            return float(e["initDurationMs"])
    return None


# ---- statistics and formatting ----------------------------------------------------------

def median(xs):
    return statistics.median(xs)


def half_iqr(xs):
    """Spread: half the interquartile range (robust to the odd outlier of a shared machine)."""
    if len(xs) < 2:
        return 0.0
    if len(xs) < 4:
        return (max(xs) - min(xs)) / 2
    q = statistics.quantiles(xs, n=4, method="inclusive")
    return (q[2] - q[0]) / 2


def fmt_num(x, digits=None):
    if digits is None:
        digits = 0 if abs(x) >= 100 else (1 if abs(x) >= 10 else 2)
    return "{:,.{}f}".format(x, digits)


def stat_row(label, xs, unit, goal="", met=None, digits=None, sign=False, prefix="", suffix=""):
    m = median(xs)
    s = half_iqr(xs)
    num = fmt_num(m, digits)
    if sign and m >= 0:
        num = "+" + num
    unit = " " + unit if unit else ""
    return Row(label, "%s%s%s%s" % (prefix, num, unit, suffix),
               "±%s%s" % (fmt_num(s, digits), unit), goal, _met(met, goal))


def _met(met, goal):
    if not goal:
        return ""
    if met is None:
        return "n/a"
    return "yes" if met else "**NO**"
