#!/usr/bin/env bats
# The runtime's children run exactly as without lwrap: our entry leaves LD_PRELOAD at
# start (others stay), unless LWRAP_KEEP_PRELOAD=1.
load test_helper

setup() {
    lwrap_test_setup
    preload_opts LWRAP_TRACE=json LWRAP_CRASH=1 LWRAP_EXTENSION=1
    # a second, harmless preload entry that must survive
    gcc -shared -fPIC -o "$BATS_TEST_TMPDIR/empty.so" -x c /dev/null
    OTHER=$BATS_TEST_TMPDIR/empty.so
}

response_body() {
    jq -r 'select(.type=="response") | .body' <<<"$output"
}

@test "python subprocess output is byte-identical with and without the preload" {
    emu_invoke python subprocess '{}'
    [ "$status" -eq 0 ]
    local plain
    plain=$(response_body)
    [ "$plain" = '{"hex": "6100620a", "status": 0}' ]
    emu_invoke python subprocess '{}' "${PRELOAD_OPTS[@]}"
    [ "$status" -eq 0 ]
    [ "$(response_body)" = "$plain" ]
    grep -q '^start ' "$OBSERVER_LOG" # the preload was really there
}

execsync() {
    printf '{}' >"$BATS_TEST_TMPDIR/ev.json"
    runtime_cmd node
    run --separate-stderr "$EMU" --log-format json --event "$BATS_TEST_TMPDIR/ev.json" "$@" \
        --handler execsync.handler --task-root "$PRELOAD_FIXTURES/handlers" -- "${RUNTIME_CMD[@]}"
}

@test "node execSync output is byte-identical with and without the preload" {
    execsync
    [ "$status" -eq 0 ]
    local plain
    plain=$(response_body)
    [ "$plain" = '{"hex":"6100620a"}' ]
    execsync "${PRELOAD_OPTS[@]}"
    [ "$status" -eq 0 ]
    [ "$(response_body)" = "$plain" ]
    grep -q '^start ' "$OBSERVER_LOG"
}

child_ld_preload() {
    emu_invoke python subprocess '{"argv":["sh","-c","printf %s \"${LD_PRELOAD-unset}\""]}' "$@"
    [ "$status" -eq 0 ]
    jq -r 'select(.type=="response") | .body | fromjson | .hex' <<<"$output" | xxd -r -p
}

@test "our entry leaves the children's LD_PRELOAD; the others stay, in order" {
    PRELOAD_OPTS[1]="LD_PRELOAD=$OTHER:$LIBLWRAP $OTHER"
    run -0 child_ld_preload "${PRELOAD_OPTS[@]}"
    [ "$output" = "$OTHER:$OTHER" ]
    # no child process ever loaded the preload: only the runtime's pid in the debug channel
    [ "$(observer_field init pid | sort -u | wc -l)" -eq 1 ]
}

@test "LD_PRELOAD that held only us is removed entirely" {
    run -0 child_ld_preload "${PRELOAD_OPTS[@]}"
    [ "$output" = unset ]
}

@test "LWRAP_KEEP_PRELOAD=1 leaves LD_PRELOAD as it was" {
    PRELOAD_OPTS[1]="LD_PRELOAD=$OTHER:$LIBLWRAP"
    run -0 child_ld_preload "${PRELOAD_OPTS[@]}" -e LWRAP_KEEP_PRELOAD=1
    [ "$output" = "$OTHER:$LIBLWRAP" ]
    # ... and the children did load it (what the default prevents)
    [ "$(observer_field init pid | sort -u | wc -l)" -gt 1 ]
}

@test "a wrapper chained after lwrap (same process, exec) hands the preload on to the runtime" {
    emu_invoke_events python subprocess '{"argv":["sh","-c","printf %s \"${LD_PRELOAD-unset}\""]}' '{}' -- \
        -e "AWS_LAMBDA_EXEC_WRAPPER=$LWRAP" -e "LWRAP_PRELOAD_PATH=$LIBLWRAP" \
        -e "LWRAP_NEXT=$PRELOAD_FIXTURES/chain_wrapper.sh" \
        -e LWRAP_EXTENSION=1 -e LWRAP_TRACE=json -e "LWRAP_OBSERVER_LOG=$OBSERVER_LOG"
    [ "$status" -eq 0 ]
    # loaded twice in one process (the wrapper's shell, then the runtime), never in a child
    [ "$(observer_field init pid | wc -l)" -eq 2 ]
    [ "$(observer_field init pid | sort -u | wc -l)" -eq 1 ]
    # the runtime had it: one registration, one trace record, both invocations observed
    [ "$(jq -c 'select(.type=="platform.extension")' <<<"$output" | wc -l)" -eq 1 ]
    [ "$(observer_field start id)" = "$(emu_ids platform.start)" ]
    [ "$(jq -r 'select(.stream=="telemetry") | .message | fromjson | .type' <<<"$output")" = lwrap.trace ]
    # and its children still run without it
    [ "$(jq -r 'select(.type=="response") | .body | fromjson | .hex' <<<"$output" | head -n 1 | xxd -r -p)" = unset ]
    [ "$(jq -r 'select(.type=="response") | .body' <<<"$output" | tail -n 1)" = '{"hex": "6100620a", "status": 0}' ]
}

@test "a static runtime's children run untouched although they inherit LD_PRELOAD" {
    gcc -static -O1 -o static_capture "$PRELOAD_FIXTURES/static_capture.c"
    local mode
    for mode in text json; do
        # lwrap adds no preload to a static runtime (it says so); a dynamic shell that execs
        # one in its own process hands the entry on
        run -0 env LWRAP_LOGS=$mode LWRAP_TRACE=text "$LWRAP" sh -c 'exec "$@"' sh ./static_capture \
            sh -c 'echo inner; grep -c liblwrap /proc/self/maps'
        [[ $output == *"captured [inner"*  ]] || { echo "$output"; return 1; }
        # the child loaded the library (the static parent could not remove it) but did nothing
        [ "$output" = "captured [inner
$(grep -o '[0-9]*' <<<"$output" | tail -1)
]" ]
        [[ $output != *lwrap:* ]]
    done
}

@test "children do not see lwrap's private variables; a program the runtime hands over to does" {
    runtime_python3
    run -0 env LWRAP_LOGS=text "$LWRAP" bash -c 'env | grep -c "^_LWRAP_"; true'
    [ "$output" = 0 ]
    run -0 env LWRAP_LOGS=text "$LWRAP" "$RUNTIME_PYTHON3" -c '
import os, subprocess
pid = os.posix_spawn("/usr/bin/env", ["env"], dict(os.environ)); os.waitpid(pid, 0)
subprocess.run(["env"])'
    [[ $output != *_LWRAP_* ]]
    run -0 env LWRAP_LOGS=text "$LWRAP" bash -c 'exec env'
    [[ $output == *_LWRAP_START_NS=* && $output == *_LWRAP_PID=* ]]
}

@test "python subprocesses from the main and from a worker thread get SIGPIPE back (vfork children)" {
    runtime_python3
    run -0 env LD_PRELOAD="$LIBLWRAP" LWRAP_LOGS=text "$RUNTIME_PYTHON3" -c '
import subprocess, threading
def ignored():
    out = subprocess.run(["grep", "SigIgn", "/proc/self/status"], capture_output=True, text=True).stdout
    mask = int(out.split()[1], 16)
    return "SIGPIPE %d SIGXFSZ %d" % (mask >> 12 & 1, mask >> 24 & 1)
print("main", ignored())
res = []
t = threading.Thread(target=lambda: res.append(ignored())); t.start(); t.join()
print("worker", res[0])'
    [[ $output == *"main SIGPIPE 0 SIGXFSZ 0"*"worker SIGPIPE 0 SIGXFSZ 0"* ]] || { echo "$output"; return 1; }
}
