#!/usr/bin/env bats
# valgrind memcheck on what ships (README "Sanitizer builds"): lwrap, the static binary,
# and a Python runtime with liblwrap.so preloaded, logs, trace, redaction, extension and
# crash handler on, the way Lambda runs them (lambda-emu execs the exec wrapper, which
# execs the runtime). Any error memcheck reports fails the test (--error-exitcode); no
# suppression is needed. lwrap is static, so memcheck cannot replace its malloc: it sees
# its uninitialised values and bad accesses, not heap overruns or leaks (the ASan run,
# make test SANITIZE=address,undefined, checks those).
load test_helper

BATS_TEST_TIMEOUT=170

setup() {
    lwrap_test_setup
    command -v valgrind >/dev/null || skip "valgrind is not installed"
}

# vg CMD...: CMD under memcheck, following children and execs, every image's messages
# appended to ./vg.log (a log file named by pid would be overwritten by the image an
# exec starts: lwrap's by the runtime's). Fails the process with 99 on an error.
vg() {
    exec 87>>vg.log
    valgrind --error-exitcode=99 --trace-children=yes --log-fd=87 "$@"
}

# vg_clean N: vg.log holds N program images (one that execs has no final summary) and no
# error: an error is a message and its stack ("   at 0x..."); the stack memcheck prints
# when a signal ends the program (lambda-emu's SIGTERM at shutdown) is none.
vg_clean() {
    [ "$(grep -c '^==[0-9]*== Command: ' vg.log)" -eq "$1" ] || { echo "want $1 images:"; cat vg.log; return 1; }
    awk '/^==[0-9]+== Process terminating with default action/ { skip = 1 }
        /^==[0-9]+== $/ { skip = 0 }
        !skip && /^==[0-9]+==    at 0x/ { bad = 1 } END { exit bad }' vg.log || { cat vg.log; return 1; }
}

@test "valgrind: the check sees an error (a program branching on an uninitialised value is caught)" {
    printf '%s\n' '#include <stdio.h>' 'int main(int argc, char **argv) { int x; (void)argv;' \
        '  if (argc > 5) x = 1; if (x) puts("set"); return 0; }' >uninit.c
    gcc -O0 -g -o uninit uninit.c
    run -99 vg ./uninit
    run ! vg_clean 1
    [[ $output == *"Conditional jump or move depends on uninitialised value"* ]]
}

# vg_script NAME CMD...: an executable ./NAME that runs CMD (then its arguments) under
# memcheck, logging to vg.log (for AWS_LAMBDA_EXEC_WRAPPER, or as a runtime command).
vg_script() {
    local name=$1
    shift
    printf '#!/bin/bash\nexec 87>>"%s/vg.log"\nexec valgrind --error-exitcode=99 --log-fd=87 %s "$@"\n' \
        "$PWD" "$*" >"$name"
    chmod +x "$name"
}

# emu_log MODE WRAPPER RUNTIME_CMD...: two invokes of the Python sample handler "log" with
# lwrap's settings (LWRAP_LOGS=MODE, trace, redaction from a config file, extension, crash
# handler) under lambda-emu; the event prints, logs and writes a secret to stderr.
emu_log() {
    local mode=$1 wrapper=$2
    shift 2
    printf '%s\n' 'LWRAP_SET_FROM_FILE=1' 'LWRAP_REDACT=hunter2' >lwrap.conf
    printf '%s' '{"lines":["one","password hunter2 here","three"],"stderr":["to stderr"]}' >ev.json
    run -0 --separate-stderr timeout -k 5 150 "$EMU" --log-format json --init-timeout 60 --timeout 60 \
        --event ev.json --event ev.json -e AWS_LAMBDA_EXEC_WRAPPER="$wrapper" \
        -e LWRAP_CONFIG="$PWD/lwrap.conf" -e LWRAP_LOGS="$mode" -e LWRAP_TRACE=json \
        -e LWRAP_EXTENSION=1 -e LWRAP_CRASH=1 -e LWRAP_PRESETS=python-faulthandler \
        --handler log.handler --task-root "$HANDLERS/python" -- "$@"
    [ "$(jq -r 'select(.type=="response") | .status' <<<"$output" | sort -u)" = success ]
}

@test "valgrind: lwrap, the static binary that ships, as the exec wrapper of a Python runtime: no error" {
    # no --trace-children: memcheck rewrites LD_PRELOAD at an exec it follows, and drops
    # the entry lwrap appended (after a blank) along with its own
    vg_script vg-lwrap "$SHIP_LWRAP"
    emu_log json "$PWD/vg-lwrap" "$EMU_PY" "$RUNTIMES/python/bootstrap.py"
    vg_clean 1
    grep -q "Command: $SHIP_LWRAP $EMU_PY $RUNTIMES/python/bootstrap.py" vg.log
}

@test "valgrind: a Python runtime with the preload lwrap adds (logs text/json, trace, redaction, extension, crash handler): no error" {
    vg_script vg-python "$EMU_PY"
    local mode msgs
    for mode in text json; do
        rm -f vg.log
        emu_log "$mode" "$SHIP_LWRAP" ./vg-python -X faulthandler "$RUNTIMES/python/bootstrap.py"
        vg_clean 1
        grep -q "Command: $EMU_PY -X faulthandler $RUNTIMES/python/bootstrap.py" vg.log
        # the preload was at work: records decorated, the secret masked, a trace record
        msgs=$(jq -r 'select(.type=="function") | .message' <<<"$output")
        [[ $msgs == *"three"* && $msgs != *hunter2* && $msgs == *'"type":"lwrap.trace"'* ]] || { echo "$msgs"; return 1; }
        if [[ $mode == json ]]; then
            grep -qF '"level":"INFO","requestId":' <<<"$msgs"
        else
            grep -q $'\tINFO\tone$' <<<"$msgs"
        fi
    done
}

@test "valgrind: the preload in Python with 4 threads writing at once, a child process and a fatal signal's report: no error" {
    run -0 --separate-stderr vg env LD_PRELOAD="$SHIP_LIBLWRAP" LWRAP_LOGS=json "$EMU_PY" -c '
import os, subprocess, sys, threading
def worker(t):
    for i in range(200):
        os.write(1, b"t%d %03d\n" % (t, i))
ts = [threading.Thread(target=worker, args=(t,)) for t in range(4)]
[t.start() for t in ts]
[t.join() for t in ts]
print(subprocess.check_output(["/bin/echo", "child"]).decode().strip(), flush=True)
sys.stderr.write("done\n")
'
    [ "$(grep -c '"message":"t[0-3] [0-9]*"' <<<"$output")" -eq 800 ]
    [[ $output == *'"message":"child"'* && $stderr == *'"message":"done"'* ]]
    # env, then python (its child runs unchecked: subprocess closes every other fd,
    # memcheck's log included)
    vg_clean 2
    rm -f vg.log
    run -139 --separate-stderr vg env LD_PRELOAD="$SHIP_LIBLWRAP" LWRAP_LOGS=text LWRAP_CRASH=1 "$EMU_PY" -c '
import ctypes
print("before", flush=True)
ctypes.string_at(0)
'
    [[ $output == *$'\tINFO\tbefore' ]]
    # the crash handler ran under memcheck: its report line, then its file
    [[ $stderr == "LWRAP CRASH signal=SIGSEGV (11) "*" report="* ]] || { echo "$stderr"; return 1; }
    local report=${stderr#* report=}
    rm -f "${report%%$'\n'*}"
    # the one error: the deliberate read of address 0, in python's ctypes; nothing of ours
    [ "$(grep -c '^==[0-9]*== Invalid read of size' vg.log)" -eq 1 ]
    grep -q "Address 0x0 is not stack'd" vg.log
    grep -q '_ctypes' vg.log
    ! grep -qE '^==[0-9]+== +(at|by) .*liblwrap' vg.log || { cat vg.log; return 1; }
}
