#!/usr/bin/env bats
# SnapStart (lambda-emu --snapstart): the observer sees restore/next and restore/error;
# init's trace record ends at the snapshot point (outcome snapshot) and goes out before
# the snapshot with everything the runtime wrote; a restore record (outcome restored /
# restoreError) covers the after-restore hooks: time, files, bytes and libraries, in text,
# json and emf; no duration spans the snapshot, whose clocks jump (--snapshot-pause).
load test_helper

setup() {
    lwrap_test_setup
    runtime_python3
    head -c 1000 /dev/urandom >f1
    head -c 2000 /dev/urandom >f2
    head -c 3000 /dev/urandom >f3
    SNAP_LIB=$(/usr/bin/python3 -c 'import ctypes.util, ctypes; print(ctypes.CDLL(ctypes.util.find_library("z"))._name)')
    [[ $SNAP_LIB == /* ]] || SNAP_LIB=$(ldconfig -p | awk '/libz\.so\.1 / { print $NF; exit }')
}

# snap_run N [EMU_OPTION...]: N invokes of tests/fixtures/preload/handlers/snapfiles.py
# under lambda-emu --snapstart with the preload; the after-restore hook reads f1 f2 f3
# (6000 bytes) and loads $SNAP_LIB. Settings as in PRELOAD_OPTS (preload_opts first).
snap_run() {
    local n=$1 i
    shift
    printf '{}' >ev.json
    local -a events=()
    for ((i = 0; i < n; i++)); do events+=(--event ev.json); done
    runtime_cmd python || return 1
    run --separate-stderr "$EMU" --log-format json --snapstart "${events[@]}" "$@" \
        -e "SNAP_FILES=$PWD/f1:$PWD/f2:$PWD/f3" -e "SNAP_LIB=$SNAP_LIB" \
        --handler snapfiles.handler --task-root "$PRELOAD_FIXTURES/handlers" "${PRELOAD_OPTS[@]}" \
        -- "${RUNTIME_CMD[@]}"
}

# the function messages that are lwrap's trace records (json/emf), one JSON object a line
trace_records() {
    jq -c 'select(.type=="function") | .message | fromjson? | select(.type=="lwrap.trace" or has("_aws"))' <<<"$output"
}

# position EXPR: the index (0-based) of the first emulator event matching jq EXPR
position() {
    jq -s "map($1) | index(true)" <<<"$output"
}

@test "json: init ends at the snapshot point, the restore record counts the after-restore hooks' files, bytes and library" {
    preload_opts LWRAP_TRACE=json LWRAP_LOGS=text
    snap_run 2
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    local init restore
    init=$(trace_records | jq -c 'select(.outcome=="snapshot")')
    restore=$(trace_records | jq -c 'select(.outcome=="restored")')
    [ "$(trace_records | wc -l)" -eq 2 ]
    [ -n "$init" ] && [ -n "$restore" ]
    # init: the usual fields, its imports and files
    [ "$(jq -r '.filesOpened > 10 and .runtimeInitMs > 0 and (.dlopen | length) >= 1' <<<"$init")" = true ]
    # the restore: exactly the hook's work
    [ "$(jq -r '.filesOpened' <<<"$restore")" -eq 3 ]
    [ "$(jq -r '.bytesRead' <<<"$restore")" -ge 6000 ]
    [ "$(jq -r '.dlopenCount' <<<"$restore")" -eq 1 ]
    [ "$(jq -r '.dlopen[0].path' <<<"$restore")" = "$SNAP_LIB" ]
    [ "$(jq -r '[.dlopen[].path] | index("'"$SNAP_LIB"'")' <<<"$init")" = null ]
    # within what Lambda calls the restore (restore/next answered to the next `next`)
    local lambda_ms
    lambda_ms=$(jq -r 'select(.type=="platform.restoreReport") | .restoreDurationMs' <<<"$output")
    [ "$(jq -r --argjson l "$lambda_ms" '.restoreMs >= 0 and .restoreMs <= $l + 1' <<<"$restore")" = true ]
    # order: init's record and what was written before the snapshot, then the snapshot;
    # the restore record before the first invoke starts
    local snap
    snap=$(position '.type=="platform.initReport"')
    [ "$(position '.type=="function" and (.message | contains("\"outcome\":\"snapshot\""))')" -lt "$snap" ]
    [ "$(position '.type=="function" and (.message | test("before-snapshot$"))')" -lt "$snap" ]
    [ "$(position '.type=="function" and (.message | contains("\"outcome\":\"restored\""))')" -lt \
        "$(position '.type=="platform.start"')" ]
    [ "$(position '.type=="function" and (.message | test("after-restore$"))')" -lt \
        "$(position '.type=="platform.start"')" ]
    # the debug channel: snapshot, restore, restored, then the invokes
    [ "$(awk '{ print $1 }' "$OBSERVER_LOG" | grep -E '^(ready|snapshot|restore|restored|start)$' | head -n 4 | tr '\n' ' ')" = \
        "snapshot restore restored start " ]
}

@test "text: 'init snapshot' and 'restore restored' lines; lines get ids only inside invokes" {
    preload_opts LWRAP_TRACE=text LWRAP_LOGS=text
    snap_run 2
    [ "$status" -eq 0 ]
    local msgs
    msgs=$(jq -r 'select(.type=="function") | .message' <<<"$output")
    grep -Eq '^LWRAP TRACE init snapshot total_ms=[0-9.]+ runtime_init_ms=[0-9.]+ files_opened=[0-9]+ ' <<<"$msgs"
    grep -Eq "^LWRAP TRACE restore restored restore_ms=[0-9.]+ files_opened=3 bytes_read=[0-9]+ dlopen_count=1 dlopen_ms=[0-9.]+ dlopen_untimed=0 dlopen=$SNAP_LIB:[0-9.]+\$" <<<"$msgs"
    [ "$(grep -c '^LWRAP TRACE' <<<"$msgs")" -eq 2 ]
    # the hooks ran outside any invocation: no id; each invoke's line: its own
    grep -Eq $'\tundefined\tINFO\tbefore-snapshot$' <<<"$msgs"
    grep -Eq $'\tundefined\tINFO\tafter-restore$' <<<"$msgs"
    local id
    for id in $(emu_ids platform.start); do
        grep -Fxq "$(grep -F "invoke $id" <<<"$msgs" | cut -f 2)" <<<"$id"
    done
}

@test "emf: the restore's metrics as one Embedded Metric Format record" {
    preload_opts LWRAP_TRACE=emf AWS_LAMBDA_FUNCTION_NAME=snapfn
    snap_run 1 --function-name snapfn
    [ "$status" -eq 0 ]
    local emf
    emf=$(trace_records | jq -c 'select(.outcome=="restored")')
    [ "$(wc -l <<<"$emf")" -eq 1 ]
    [ "$(jq -c '._aws.CloudWatchMetrics[0].Metrics | map(.Name)' <<<"$emf")" = \
        '["RestoreMs","RestoreDlopenMs","RestoreDlopenCount","RestoreFilesOpened","RestoreBytesRead"]' ]
    [ "$(jq -c '._aws.CloudWatchMetrics[0].Dimensions' <<<"$emf")" = '[["FunctionName"]]' ]
    [ "$(jq -r '.FunctionName, .RestoreFilesOpened, .RestoreDlopenCount' <<<"$emf" | tr '\n' ' ')" = "snapfn 3 1 " ]
    [ "$(jq -r '(.RestoreMs | type) == "number" and .RestoreBytesRead >= 6000 and ._aws.Timestamp > 0' <<<"$emf")" = true ]
    # init's EMF record says where it ended
    [ "$(trace_records | jq -r 'select(has("InitTotalMs")) | .outcome')" = snapshot ]
}

@test "restore error: the record says restoreError and goes out before restore/error" {
    preload_opts LWRAP_TRACE=json LWRAP_LOGS=text SNAP_FAIL=after
    snap_run 1
    local rec
    rec=$(trace_records | jq -c 'select(.outcome=="restoreError")')
    [ -n "$rec" ] || { echo "$output"; return 1; }
    # the hook's three files and its library (the runtime may read its sources for the traceback)
    [ "$(jq -r '.filesOpened >= 3 and .dlopenCount == 1' <<<"$rec")" = true ]
    [ -z "$(trace_records | jq -c 'select(.outcome=="restored")')" ]
    [ "$(jq -r 'select(.type=="platform.restoreReport") | .status' <<<"$output")" = error ]
    [ "$(position '.type=="function" and (.message | contains("restoreError"))')" -lt \
        "$(position '.type=="platform.restoreReport"')" ]
    grep -q '^restore-error ' "$OBSERVER_LOG"
}

@test "clocks jump across the snapshot (SIGSTOP for 1.5 s): no duration spans it, none negative" {
    preload_opts LWRAP_TRACE=json LWRAP_LOGS=json LWRAP_TRACE_FILE="$BATS_TEST_TMPDIR/timeline-%p.json"
    snap_run 2 --snapshot-pause 1500
    [ "$status" -eq 0 ]
    [ "$(jq -r 'select(.type=="function") | .message | fromjson | .outcome // empty' <<<"$output" | tr '\n' ' ')" = \
        "snapshot restored " ]
    # the pause is in neither record
    [ "$(trace_records | jq -r 'select(.outcome=="snapshot") | .totalMs < 1500 and .totalMs > 0')" = true ]
    [ "$(trace_records | jq -r 'select(.outcome=="restored") | .restoreMs < 1500 and .restoreMs >= 0')" = true ]
    # every log record is valid JSON and the invokes' lines carry their ids
    jq -e -s 'map(select(.type=="function") | .message | fromjson) | length > 0' <<<"$output" >/dev/null
    local id
    for id in $(emu_ids platform.start); do
        [ "$(jq -r --arg m "invoke $id" 'select(.type=="function") | .message | fromjson |
            select(.message == $m) | .requestId' <<<"$output")" = "$id" ]
    done
    # the timeline keeps init (written before the snapshot) and draws no invokes across it
    local tl
    tl=$(ls "$BATS_TEST_TMPDIR"/timeline-*.json)
    [ "$(jq -r '.otherData.outcome' "$tl")" = snapshot ]
    [ "$(jq '[.traceEvents[] | select(.name | startswith("invoke"))] | length' "$tl")" -eq 0 ]
    [ "$(jq '[.traceEvents[] | select(.ph == "X" and .dur < 0)] | length' "$tl")" -eq 0 ]
}

@test "without SnapStart nothing changes: init ready, no restore record" {
    preload_opts LWRAP_TRACE=json
    emu_invoke python echo '{"a":1}' "${PRELOAD_OPTS[@]}"
    [ "$status" -eq 0 ]
    [ "$(trace_records | jq -r .outcome)" = ready ]
}

@test "java (CRaC-shaped hooks): init snapshot, then a restore record before the first invoke" {
    command -v java >/dev/null || skip "java is not installed"
    preload_opts LWRAP_TRACE=json LWRAP_LOGS=text
    printf '{}' >ev.json
    runtime_cmd java snaphooks
    run --separate-stderr "$EMU" --log-format json --init-timeout 30 --snapstart --snapshot-pause 300 --event ev.json \
        --handler "$(handler_name java snaphooks)" --task-root "$BUILD/tests/java" "${PRELOAD_OPTS[@]}" \
        -- "${RUNTIME_CMD[@]}"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    [ "$(trace_records | jq -r .outcome | tr '\n' ' ')" = "snapshot restored " ]
    [ "$(trace_records | jq -r 'select(.outcome=="restored") | .restoreMs >= 0 and .restoreMs < 300')" = true ]
    # the hooks' lines: before-snapshot ones before the snapshot, after-restore ones before START
    [ "$(position '.type=="function" and (.message | test("hook before-1$"))')" -lt "$(position '.type=="platform.initReport"')" ]
    [ "$(position '.type=="function" and (.message | test("hook after-2$"))')" -lt "$(position '.type=="platform.start"')" ]
    [ "$(position '.type=="function" and (.message | contains("\"outcome\":\"restored\""))')" -lt "$(position '.type=="platform.start"')" ]
}

@test "OTLP spans after a restore: init's span, outcome snapshot, placed before the snapshot in wall-clock time" {
    local received=$BATS_TEST_TMPDIR/received pid
    mkdir -p "$received"
    "$EMU_PY" "$TRACE_FIXTURES/otlp_receiver.py" "$BATS_TEST_TMPDIR/port" "$received" 3>&- &
    pid=$!
    local end=$((SECONDS + 30))
    while [[ ! -s $BATS_TEST_TMPDIR/port ]] && ((SECONDS < end)); do sleep 0.05; done
    preload_opts "LWRAP_TRACE_OTLP=http://127.0.0.1:$(<"$BATS_TEST_TMPDIR/port")"
    # the second invoke waits until the spans arrived (the emulator ends the runtime after it)
    printf '{}' >e.json
    printf '{"barrier":"%s","count":999,"ms":3000}' "$received" >wait.json
    runtime_cmd python
    run --separate-stderr "$EMU" --log-format json --init-timeout 30 --snapstart --snapshot-pause 1000 \
        --event e.json --event wait.json --handler sleep.handler --task-root "$HANDLERS/python" \
        "${PRELOAD_OPTS[@]}" -- "${RUNTIME_CMD[@]}"
    kill "$pid" 2>/dev/null || true
    [ "$status" -eq 0 ]
    [ "$(<"$received/1.verdict")" = ok ]
    local init_end got
    init_end=$(jq -r '.resourceSpans[0].scopeSpans[0].spans[] | select(.name=="init") | .endTimeUnixNano' "$received/1.json")
    [ "$(jq -r '.resourceSpans[0].scopeSpans[0].spans[] | select(.name=="init") | .attributes[] |
        select(.key=="lwrap.outcome") | .value.stringValue' "$received/1.json")" = snapshot ]
    # init ended before the 1 s pause, the spans were sent after the first invoke: at least
    # the pause apart in wall-clock time (ms)
    got=$(stat -c %.3Y "$received/1.json" | tr -d .)
    [ "$((got - init_end / 1000000))" -ge 1000 ] || { echo "init ends at $init_end, received at $got"; return 1; }
}
