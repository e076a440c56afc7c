#!/usr/bin/env bats
# With logs decorated, what the program's output means never changes: records of
# threads never tear or reorder, a program's last lines survive its death by signal,
# output keeps the order it was written in across streams and child processes, C stdio
# follows fd 1 wherever the program points it, and write errors reach the program.
load test_helper

MEANING=$LOGS_FIXTURES/meaning

# py_preloaded MODE ARGS...: python3 with the preload and LWRAP_LOGS=MODE.
py_preloaded() {
    local mode=$1
    shift
    env LD_PRELOAD="$LIBLWRAP" LWRAP_LOGS="$mode" "$EMU_PY" "$@"
}

# meaning_emu EVENT_JSON... [-- EMU_OPTION...]: a handler of tests/fixtures/logs/meaning
# ($HANDLER, default handlers.handler) under lambda-emu through lwrap.
meaning_emu() {
    emu_event_files "$@"
    shift "$EMU_EVENTS_USED"
    run --separate-stderr timeout -k 5 120 "$EMU" --log-format json --init-timeout 30 \
        -e "AWS_LAMBDA_EXEC_WRAPPER=$LWRAP" "$@" "${EMU_EVENT_ARGS[@]}" \
        --handler "${HANDLER:-handlers.handler}" --task-root "$MEANING" -- "$EMU_PY" "$RUNTIMES/python/bootstrap.py"
}

# --- threads: whole records, per-thread order, nothing lost -------------------------

@test "threads: 8 threads x 4,000 lines through a pipe read 0.5 s late: whole, once, in order" {
    local mode
    for mode in text json; do
        run -0 bash -c "LD_PRELOAD='$LIBLWRAP' LWRAP_LOGS=$mode '$EMU_PY' '$MEANING/threads.py' 8 4000 |
            (sleep 0.5; cat) | '$EMU_PY' '$MEANING/check_threads.py' 8 4000"
        [ "${lines[0]}" = "lines 32000" ]
    done
}

@test "processes: 6 forked processes x 5,000 lines on one slow pipe: whole, once, in order" {
    run -0 bash -c "LD_PRELOAD='$LIBLWRAP' LWRAP_LOGS=text '$EMU_PY' '$MEANING/processes.py' 6 5000 |
        (sleep 0.5; cat) | '$EMU_PY' '$MEANING/check_threads.py' 6 5000"
    [ "${lines[0]}" = "lines 30000" ]
}

@test "threads: 8 threads x 4,000 lines as telemetry frames under lambda-emu: no torn frame" {
    local mode
    for mode in text json; do
        HANDLER=threads.handler meaning_emu '{"threads":8,"lines":4000}' -- -e LWRAP_LOGS=$mode
        [ "$status" -eq 0 ]
        [[ $stderr != *"bad frame"* ]] || { echo "$stderr"; return 1; }
        run "$EMU_PY" "$MEANING/check_threads.py" 8 4000 --emu <<<"$output"
        [ "$status" -eq 0 ] || { echo "$mode: $output"; return 1; }
    done
}

# --- last words ---------------------------------------------------------------------

@test "signals: a line printed just before SIGTERM to self survives, exit status unchanged" {
    local mode
    for mode in text json; do
        run -143 py_preloaded $mode -c 'import os,signal; print("last words",flush=True); os.kill(os.getpid(),signal.SIGTERM)'
        [[ $output == *"last words"* ]]
    done
}

@test "signals: abort() and a segfault without LWRAP_CRASH: the lines before survive" {
    run -134 py_preloaded text -c 'import os; print("before abort",flush=True); os.abort()'
    [[ $output == *"before abort"* ]]
    run -139 py_preloaded text -c 'import ctypes; print("before segv",flush=True); ctypes.string_at(0)'
    [[ $output == *"before segv"* ]]
}

@test "signals: python -X faulthandler's report of a segfault is written" {
    run -139 --separate-stderr py_preloaded text -X faulthandler -c 'import ctypes; ctypes.string_at(0)'
    [[ $stderr == *"Fatal Python error: Segmentation fault"* ]]
    [[ $stderr == *'File "<string>", line 1'* ]]
}

@test "signals: the program still sees SIG_DFL, and its own handlers still run" {
    # What the program sees is what it sees without us (a harness started under nohup
    # hands SIGHUP down ignored: that must stay so too).
    local see='import signal; print(signal.getsignal(signal.SIGTERM) == signal.SIG_DFL, signal.getsignal(signal.SIGHUP) == signal.SIG_DFL)'
    run -0 "$EMU_PY" -c "$see"
    local without=$output
    [[ $without == "True "* ]]
    run -0 py_preloaded text -c "$see"
    [[ $output == *"	INFO	$without" ]]
    run -0 env -u LD_PRELOAD "$EMU_PY" -c 'import signal, subprocess, sys; signal.signal(signal.SIGHUP, signal.SIG_DFL); sys.exit(subprocess.call(sys.argv[1:]))' \
        env LD_PRELOAD="$LIBLWRAP" LWRAP_LOGS=text "$EMU_PY" -c "$see"
    [[ $output == *"	INFO	True True" ]]
    run -7 py_preloaded text -c '
import os, signal, sys
def h(s, f):
    print("caught", s, flush=True)
    sys.exit(7)
signal.signal(signal.SIGTERM, h)
os.kill(os.getpid(), signal.SIGTERM)'
    [[ $output == *"caught 15" ]]
}

@test "signals: Node's own one-shot SIGTERM handler does not lose what Node wrote" {
    # node installs SIGINT/SIGTERM handlers with SA_RESETHAND that raise the signal again
    LD_PRELOAD="$LIBLWRAP" LWRAP_LOGS=text node -e '
        const fs = require("fs");
        console.log("complete line");
        process.stdout.write("unfinished line");
        fs.writeFileSync("ready", "");
        setInterval(() => {}, 1000);' >out 2>&1 &
    local pid=$! i
    for ((i = 0; i < 300; i++)); do [[ -e ready ]] && break; sleep 0.1; done
    kill -TERM "$pid"
    local status=0
    wait "$pid" || status=$?
    [ "$status" -eq 143 ]
    grep -q 'complete line' out
    grep -q 'unfinished line' out
}

@test "signals: multiprocessing workers terminated by the pool keep what they printed" {
    run -0 py_preloaded text -c '
import multiprocessing as mp, time
def work(args):
    i, ev = args
    print("worker", i, "started", flush=True)
    ev.set()
    time.sleep(30)
if __name__ == "__main__":
    m = mp.Manager()
    evs = [m.Event() for _ in range(3)]
    pool = mp.Pool(3)
    pool.map_async(work, [(i, evs[i]) for i in range(3)], chunksize=1)
    for e in evs: e.wait(20)
    pool.terminate(); pool.join()
    print("parent done", flush=True)'
    local i
    for i in 0 1 2; do [[ $output == *"worker $i started"* ]] || { echo "$output"; return 1; }; done
}

@test "signals: near the invoke's deadline nothing is held, not even an unfinished line" {
    meaning_emu '{"do":"partial-at-deadline"}' -- -e LWRAP_LOGS=text --timeout 1.5 --no-telemetry-fd
    [[ $(emu_stream stdout) == *"last partial line"* ]] || { echo "$output"; return 1; }
}

@test "signals: an unfinished line written long before a timeout is out before the SIGKILL" {
    meaning_emu '{"do":"partial-then-hang"}' -- -e LWRAP_LOGS=text --timeout 1.5
    [[ $output == *"progress: step 1 of 3"* ]] || { echo "$output"; return 1; }
}

@test "init error: the trace record is out before Lambda has the error" {
    HANDLER=bad_import.handler meaning_emu '{}' -- -e LWRAP_LOGS=json -e LWRAP_TRACE=json
    run -0 jq -r -R 'fromjson? | if .type == "platform.initError" then "initError"
        elif .type == "function" and (.message | test("initError|init_error|\"init\"")) then "trace" else empty end' <<<"$output"
    [ "${lines[0]}" = trace ] || { echo "$output"; return 1; }
}

@test "signals: a line printed before a hang that ends in a timeout's SIGKILL is out" {
    meaning_emu '{"do":"print-then-hang"}' -- -e LWRAP_LOGS=text --timeout 1
    [[ $(emu_stream telemetry) == *"what I was doing"* ]] || { echo "$output"; return 1; }
}

@test "signals: a steady logger killed by SIGKILL loses at most its last few lines" {
    local fd
    for fd in "" --no-telemetry-fd; do
        meaning_emu '{"do":"steady-then-sigkill"}' -- -e LWRAP_LOGS=text --timeout 10 $fd
        local n
        n=$(grep -c 'progress [0-9]' <<<"$output" || true)
        # a record leaves at most 10 ms after it began (a line every 5 ms): on a loaded
        # machine a few more may be in flight, never most of them
        ((n >= 150)) || { echo "only $n of 200 lines arrived ($fd)"; return 1; }
    done
}

@test "invoke end: a line printed just before a streamed response's last chunk is its invocation's" {
    emu_event_files '{}' '{}' '{}'
    run --separate-stderr timeout -k 5 120 "$EMU" --log-format json -e "AWS_LAMBDA_EXEC_WRAPPER=$LWRAP" \
        -e LWRAP_LOGS=text "${EMU_EVENT_ARGS[@]}" -- "$EMU_PY" "$MEANING/stream_runtime.py"
    [ "$status" -eq 0 ]
    # each invocation's lines carry its request id and come before its platform.end
    run -0 jq -R -n -r '
        [inputs | fromjson?] | to_entries as $e
        | [$e[] | select(.value.type=="platform.start") | .value.requestId] as $ids
        | ($e | map(select(.value.type=="platform.end")) | map({key: .value.requestId, value: .key}) | from_entries) as $ends
        | [$e[] | select(.value.type=="function") | .key as $i | .value
           | (.message | capture("\t(?<k>t[0-9]+) ")?) as $m | select($m != null)
           | $ids[($m.k[1:] | tonumber) - 1] as $want
           | if (.message | contains($want)) and $i < ($ends[$want] // -1) then "ok" else "BAD \(.message)" end]
        | (map(select(startswith("BAD"))) | .[]), "lines \(length)"' <<<"$output"
    [ "$output" = "lines 6" ]
}

# --- order --------------------------------------------------------------------------

@test "order: a parent's lines come before its children's (subprocess, os.system)" {
    local mode
    for mode in text json; do
        meaning_emu '{"do":"spawn"}' -- -e LWRAP_LOGS=$mode --no-telemetry-fd
        [ "$status" -eq 0 ]
        run -0 jq -r -R 'fromjson? | select(.type=="function") | .message' <<<"$output"
        run -0 grep -o -E 'step [0-9]|child via [a-z]+' <<<"$output"
        [ "$output" = "step 1
child via subprocess
step 2
child via system
step 3" ]
    done
}

@test "order: one thread's stdout and stderr lines keep their order on one pipe (no telemetry fd)" {
    run -0 bash -c "LD_PRELOAD='$LIBLWRAP' LWRAP_LOGS=text '$EMU_PY' -c '
import sys
for i in range(5):
    print(\"out\", i, flush=True)
    print(\"err\", i, file=sys.stderr, flush=True)' 2>&1 | grep -o -E '(out|err) [0-9]'"
    [ "$output" = "$(for i in 0 1 2 3 4; do echo "out $i"; echo "err $i"; done)" ]
}

@test "order: a traceback after an earlier invoke's print is still one event" {
    meaning_emu '{"do":"print"}' '{"do":"traceback"}' -- -e LWRAP_LOGS=text
    [ "$status" -eq 0 ]
    run -0 emu_select '.type=="function" and (.message | test("Traceback|File|ValueError"))'
    [ "${#lines[@]}" -eq 1 ]
    [[ ${lines[0]} == *Traceback*File*ValueError:\ boom* ]]
}

# --- C stdio follows fd 1 -------------------------------------------------------------

@test "stdio: printf after dup2(file, 1) and after close(1)+open goes to the file" {
    gcc -O1 -o stdio_fds "$MEANING/stdio_fds.c"
    run -0 env LD_PRELOAD="$LIBLWRAP" LWRAP_LOGS=text ./stdio_fds dup2.out reopen.out
    [ "$(cat dup2.out)" = "into dup2 file" ]
    [ "$(cat reopen.out)" = "into reopened fd 1" ]
    [[ $output == *"INFO	to stdout 1"*"INFO	to stdout 2" ]]
}

@test "fds: after os.closerange (close_range) a reused fd 1 is a plain file again" {
    local mode
    for mode in text json; do
        run -0 env LD_PRELOAD="$LIBLWRAP" LWRAP_LOGS=$mode "$EMU_PY" -c '
import os
print("status: starting export", flush=True)
os.closerange(1, 2)
fd = os.open("export.csv", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
assert fd == 1
os.write(1, b"id,name\n1,alice\n")'
        [ "$(cat export.csv)" = "id,name
1,alice" ]
        [[ $output == *"status: starting export"* ]]
    done
}

@test "stdio: freopen of stderr and stdout works as without lwrap" {
    gcc -O1 -o freopen_prog "$MEANING/freopen.c"
    local mode
    for mode in text json; do
        run -0 --separate-stderr env LD_PRELOAD="$LIBLWRAP" LWRAP_LOGS=$mode ./freopen_prog
        [[ $output == *before* ]]
        [ -z "$stderr" ]
        [ "$(cat out.txt)" = "to file" ]
    done
}

@test "stdio: bash as the runtime: echo > f fills f, \$(echo) captures the bare text" {
    run -0 env LD_PRELOAD="$LIBLWRAP" LWRAP_LOGS=text bash -c 'echo hi > f; x=$(echo inner); printf "[%s]\n" "$x"; cat f; true'
    [[ ${lines[0]} == *"INFO	[inner]" ]]
    [[ ${lines[1]} == hi ]]
    [ "$(cat f)" = hi ]
}

# --- write errors ---------------------------------------------------------------------

@test "errors: stdout on /dev/full fails the program as it would without lwrap" {
    run -1 bash -c "'$EMU_PY' -c 'print(\"x\")' >/dev/full"
    local mode
    for mode in text json; do
        run -1 bash -c "LD_PRELOAD='$LIBLWRAP' LWRAP_LOGS=$mode '$EMU_PY' -c 'print(\"x\")' >/dev/full"
        [[ $output == *"No space left on device"* ]]
    done
}

@test "errors: a reader that goes away: BrokenPipeError as without lwrap" {
    local mode
    for mode in text json; do
        run -0 bash -c "LD_PRELOAD='$LIBLWRAP' LWRAP_LOGS=$mode '$EMU_PY' -c '
import time
print(\"first\", flush=True)
time.sleep(0.5)
for i in range(1000): print(\"line\", i, flush=True)' 2>err | head -1; echo \"status \${PIPESTATUS[0]}\""
        [[ ${lines[0]} == *first* ]]
        [ "${lines[1]}" = "status 1" ]
        grep -q BrokenPipeError err
    done
}

@test "errors: a reader that goes away after the first line: the program's last print fails" {
    local mode
    for mode in text json; do
        run -0 bash -c "LD_PRELOAD='$LIBLWRAP' LWRAP_LOGS=$mode '$EMU_PY' -c '
import time
print(\"first\", flush=True)
time.sleep(0.5)
print(\"late\", flush=True)' 2>err | head -1; echo \"status \${PIPESTATUS[0]}\""
        [ "${lines[1]}" = "status 1" ]
        grep -q BrokenPipeError err
    done
}

@test "errors: SIGPIPE kills a program that keeps the default action, as without lwrap" {
    run -0 bash -c "yes | head -1 >/dev/null; echo \${PIPESTATUS[0]}"
    local plain=$output
    run -0 bash -c "LD_PRELOAD='$LIBLWRAP' LWRAP_LOGS=text yes | (sleep 0.3; head -1) >/dev/null; echo \${PIPESTATUS[0]}"
    [ "$output" = "$plain" ]
    [ "$output" = 141 ]
}

# --- a line written in parts is one record ---------------------------------------------

@test "redaction: a secret written in two parts 0.4 s apart is still masked" {
    local mode
    for mode in text json; do
        run -0 env AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE LD_PRELOAD="$LIBLWRAP" LWRAP_LOGS=$mode "$EMU_PY" -c '
import os, time
os.write(1, b"key=AKIAIOSFO"); time.sleep(0.4); os.write(1, b"DNN7EXAMPLE done\n")'
        [[ $output != *IOSFO* && $output != *DNN7EXAMPLE* ]] || { echo "$output"; return 1; }
        [[ $output == *"key=AKIA"*"done"* ]]
        [ "${#lines[@]}" -eq 1 ]
    done
}

@test "stdio: wide-character output (fwide, fputws, putwchar, wprintf) works as without lwrap" {
    gcc -O1 -o wide "$MEANING/wide.c"
    run -0 --separate-stderr ./wide
    local out=$output err=$stderr mode
    for mode in text json; do
        run -0 --separate-stderr env LD_PRELOAD="$LIBLWRAP" LWRAP_LOGS=$mode ./wide
        # the narrow line before is a record; the wide text reaches the fd as it is
        [[ ${lines[0]} == *narrow\ before* ]]
        [ "$(printf '%s\n' "${lines[@]:1}")" = "$(tail -n +2 <<<"$out")" ]
        [ "$stderr" = "$err" ]
    done
}

@test "signals: what a signal handler writes while its thread is inside lwrap is decorated and in order" {
    gcc -O1 -o timer_writes "$MEANING/timer_writes.c"
    local mode
    for mode in text json; do
        env LD_PRELOAD="$LIBLWRAP" LWRAP_LOGS=$mode ./timer_writes 200000 >out
        run -0 "$EMU_PY" -c '
import json, re, sys
mode = sys.argv[1]
seen, alarms, bad = -1, 0, []
for raw in open("out", "rb"):
    line = raw.decode().rstrip("\n")
    if mode == "json":
        try:
            line = json.loads(line)["message"]
        except ValueError:
            bad.append("not a record: " + line[:80]); continue
    else:
        m = re.match(r"\S+\t\S+\tINFO\t(.*)$", line)
        if not m:
            bad.append("not a record: " + line[:80]); continue
        line = m.group(1)
    m = re.match(r"line (\d+)$", line)
    if m:
        seen = int(m.group(1)); continue
    m = re.match(r"alarm after (-?\d+)$", line)
    if not m:
        bad.append("torn: " + line[:80]); continue
    alarms += 1
    if int(m.group(1)) > seen:
        bad.append("alarm after %s came before line %s" % (m.group(1), m.group(1)))
print("alarms", alarms)
print("\n".join(bad[:10]))
sys.exit(1 if bad or seen != 199999 else 0)' $mode
    done
}

@test "signals: a handler that writes during lwrap's exit-time flush neither hangs nor is lost" {
    gcc -O1 -o alarm_at_exit "$MEANING/alarm_at_exit.c"
    local mode
    for mode in text json; do
        run -0 bash -c "timeout -k 1 20 env LD_PRELOAD='$LIBLWRAP' LWRAP_LOGS=$mode ./alarm_at_exit |
            (sleep 2; cat) | grep -c -e 'alarm line' -e xxxxxxxxxx; echo \"status \${PIPESTATUS[0]}\""
        [ "$output" = "2
status 0" ]
    done
}

@test "order: workers whose join returns before they end: their lines come before the joiner's next ones" {
    gcc -O1 -pthread -o join_early "$MEANING/join_early.c"
    env LD_PRELOAD="$LIBLWRAP" LWRAP_LOGS=text ./join_early >out 2>&1
    run -0 "$EMU_PY" -c '
import re
seen_main = set()
bad = []
for line in open("out"):
    m = re.search(r"round (\d+) (worker|main)", line)
    r, who = int(m.group(1)), m.group(2)
    if who == "main":
        seen_main.add(r)
    elif r in seen_main:
        bad.append(line.rstrip())
print(len(bad), bad[:3])'
    [[ $output == "0 []" ]] || { echo "$output"; return 1; }
}

@test "order: workers joined before their thread ends, then exit: the joiner's later lines stay after theirs" {
    gcc -O1 -pthread -o join_before_exit "$MEANING/join_before_exit.c"
    local mode run
    for mode in text json; do
        for run in 1 2 3 4 5 6 7 8 9 10; do
            env LD_PRELOAD="$LIBLWRAP" LWRAP_LOGS=$mode ./join_before_exit >out
            if [[ $mode == json ]]; then run -0 jq -r .message out; else run -0 cut -f4 out; fi
            [ "$output" = "main 0
worker 1 line 0
worker 1 line 1
worker 1 line 2
main 1
worker 2 line 0
worker 2 line 1
worker 2 line 2
main 2" ] || { echo "$mode, run $run:"; echo "$output"; return 1; }
        done
    done
}

@test "order: a stdout nobody reads yet does not hold up stderr" {
    local mode
    for mode in text json; do
        # the supervisor's child gets the preload (KEEP: the supervisor is not a runtime)
        run -0 env LD_PRELOAD="$LIBLWRAP" LWRAP_KEEP_PRELOAD=1 LWRAP_LOGS=$mode "$EMU_PY" "$MEANING/ready_parent.py"
        [[ $output == *"True 5000"* ]] || { echo "$output"; return 1; }
    done
}

@test "exec: the execl family and fexecve write what is held before the new program runs" {
    gcc -O1 -o exec_kinds "$MEANING/exec_kinds.c"
    local how
    for how in execl execlp execle fexecve; do
        run -0 env LD_PRELOAD="$LIBLWRAP" LWRAP_LOGS=text ./exec_kinds $how
        # (the exec is a hand-over: echo gets the preload back, and is decorated too)
        [[ ${lines[0]} == *INFO$'\t'"before exec" && ${lines[1]} == *"child output" ]] || { echo "$how: $output"; return 1; }
    done
}

@test "order: a worker's unfinished line at its exit comes after what the joining thread wrote before" {
    gcc -O1 -pthread -o worker_partial "$MEANING/worker_partial.c"
    run -0 env LD_PRELOAD="$LIBLWRAP" LWRAP_LOGS=text ./worker_partial
    [ "$(cut -f4 <<<"$output")" = "main: 1
partial
main: 2" ]
}

@test "fds: fclose of the telemetry fd writes what was held for it first" {
    runtime_python3
    run -0 --separate-stderr env LD_PRELOAD="$LIBLWRAP" LWRAP_LOGS=text _LAMBDA_TELEMETRY_LOG_FD=9 "$RUNTIME_PYTHON3" -c '
import ctypes, os
libc = ctypes.CDLL(None)
libc.fdopen.restype = ctypes.c_void_p
print("line 1, held for the telemetry fd", flush=True)
libc.fclose(ctypes.c_void_p(libc.fdopen(9, b"w")))
print("line 2, after", flush=True)' 9>tele.bin
    grep -aq "line 1, held for the telemetry fd" tele.bin
    [[ $output == *"line 2, after"* ]]
}

@test "exits: quick_exit, pthread_exit from main, pthread_cancel of writing threads" {
    gcc -O1 -pthread -o edges "$MEANING/edges.c"
    run -3 env LD_PRELOAD="$LIBLWRAP" LWRAP_LOGS=text ./edges quick_exit
    [ "$(cut -f4 <<<"$output")" = "last line
in handler" ]
    # the process ends when its last thread does (lwrap's own thread does not keep it)
    run -0 timeout -k 1 20 env LD_PRELOAD="$LIBLWRAP" LWRAP_LOGS=text ./edges main_exit
    [ "$(cut -f4 <<<"$output")" = "main
worker" ]
    # a thread cancelled inside a write leaves no lock of lwrap's behind
    run -0 timeout -k 1 20 env LD_PRELOAD="$LIBLWRAP" LWRAP_LOGS=text ./edges cancel
    [[ ${lines[-1]} == *$'\t'"main end" ]]
}

@test "order: bytes the kernel copies to stdout (sendfile) come after what was written before" {
    gcc -O1 -o edges "$MEANING/edges.c"
    run -0 env LD_PRELOAD="$LIBLWRAP" LWRAP_LOGS=text ./edges sendfile
    [ "$(sed 's/.*\t//' <<<"$output")" = "one
two
three" ]
}

@test "efault: a write running into unmapped memory on a stdout that is a file: the kernel's short count, after the held record" {
    cat >edge.c <<'C'
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
int main(void) {
    char *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    memset(p, 'x', 4096);
    munmap(p + 4096, 4096);
    write(1, "before\n", 7);
    ssize_t r = write(1, p + 4000, 200); /* 96 readable bytes */
    dprintf(2, "returned %zd\n", r);
    return 0;
}
C
    gcc -O1 -o edge edge.c
    ./edge >plain.out 2>plain.err
    [ "$(cat plain.err)" = "returned 96" ]
    for mode in text json; do
        env LD_PRELOAD="$LIBLWRAP" LWRAP_LOGS=$mode ./edge 2>err >out
        [[ $(cat err) == *"returned 96"* ]]
        [[ $(head -n1 out) == *before* ]]
        [ "$(tail -n1 out)" = "$(printf 'x%.0s' $(seq 96))" ]
    done
}

@test "order: pwrite/pwritev on a stdout that is a file land after the records held before them" {
    cat >pw.c <<'C'
#define _GNU_SOURCE
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>
int main(int argc, char **argv) {
    (void)argc;
    struct iovec cc = {"CC", 2};
    write(1, "AAAA\nBBBB\n", 10);
    if (!strcmp(argv[1], "pwrite")) pwrite(1, "CC", 2, 0);
    if (!strcmp(argv[1], "pwrite64")) pwrite64(1, "CC", 2, 0);
    if (!strcmp(argv[1], "pwritev")) pwritev(1, &cc, 1, 0);
    if (!strcmp(argv[1], "pwritev2")) pwritev2(1, &cc, 1, 0, 0);
    write(1, "DDDD\n", 5);
    return 0;
}
C
    gcc -O1 -o pw pw.c
    for call in pwrite pwrite64 pwritev pwritev2; do
        for mode in text json; do
            env LD_PRELOAD="$LIBLWRAP" LWRAP_LOGS=$mode ./pw $call >out
            # the patch is at offset 0 of the file as it is then: over the first record's head
            [ "$(head -c 2 out)" = CC ]
            [ "$(grep -c 'AAAA' out)" -eq 1 ] && [ "$(grep -c 'BBBB' out)" -eq 1 ] && [ "$(grep -c 'DDDD' out)" -eq 1 ]
            [ "$(tail -n1 out | grep -c DDDD)" -eq 1 ]
        done
    done
}

@test "the constructor leaves errno as the loader did" {
    printf '#include <errno.h>\n#include <stdio.h>\nint main(void) { int e = errno; printf("errno %%d\\n", e); return 0; }\n' >errno.c
    gcc -O0 -o errno_at_main errno.c
    run -0 ./errno_at_main
    local plain=$output
    run -0 env LD_PRELOAD="$LIBLWRAP" LWRAP_LOGS=text LWRAP_CRASH=1 ./errno_at_main
    [[ $output == *"$plain" ]]
}
