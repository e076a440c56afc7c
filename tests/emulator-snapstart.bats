#!/usr/bin/env bats
# lambda-emu --snapstart: GET /runtime/restore/next as the snapshot point, --snapshot-pause,
# restore/error, RESTORE_REPORT, Restore Duration on REPORT, platform.restore* records, and
# every bad call answered as Lambda's RIE answers it; then the python and java test runtimes'
# SnapStart hooks end to end.
load test_helper
load runtimes/suite

# snap_emu STEPS [EMU_OPTION...] [-- EVENT...]: fx_emu --snapstart with the fixture's init
# steps (EMU_FIXTURE_SNAP, see tests/fixtures/emulator/runtime.py).
snap_emu() {
    local steps=$1
    shift
    fx_emu --snapstart -e "EMU_FIXTURE_SNAP=$steps" "$@"
}

@test "--snapstart: snap-start environment; restore/next answered 200 with no body when the invoke restores; REPORT has Restore Duration, not Init Duration" {
    snap_emu 'restore' -- '{"do":"env","names":["AWS_LAMBDA_INITIALIZATION_TYPE","AWS_LAMBDA_LOG_GROUP_NAME","AWS_LAMBDA_LOG_STREAM_NAME"]}' '{}'
    [ "$status" -eq 0 ] || fx_fail
    [ "$(fx_types | tr '\n' ' ')" = "platform.initStart platform.initReport platform.restoreStart function platform.restoreReport platform.start response platform.end platform.report platform.start response platform.end platform.report " ] || fx_fail "sequence"
    [ "$(fx_sel '.type=="function"')" = '"restore/next 200 "' ] || fx_fail "restore/next answer"
    [ "$(fx_sel '.type=="response"' .body | head -1)" = '"{\"AWS_LAMBDA_INITIALIZATION_TYPE\": \"snap-start\", \"AWS_LAMBDA_LOG_GROUP_NAME\": null, \"AWS_LAMBDA_LOG_STREAM_NAME\": null}"' ] || fx_fail "environment"
    [ "$(fx_sel '.type=="platform.initReport"' '[.initializationType,.status,(.initDurationMs>0)]')" = '["snap-start","success",true]' ] || fx_fail
    [ "$(fx_sel '.type=="platform.restoreReport"' '[.status,(.restoreDurationMs>=0)]')" = '["success",true]' ] || fx_fail
    # first REPORT: Restore Duration (and its billed whole ms), no Init Duration; second: neither
    [ "$(fx_sel '.type=="platform.report"' '[has("initDurationMs"),has("restoreDurationMs"),(.billedRestoreDurationMs // -1) >= (.restoreDurationMs // -1)]')" = "$(printf '%s\n' '[false,true,true]' '[false,false,true]')" ] || fx_fail "reports"
}

@test "--snapstart text output: INIT_REPORT at the snapshot, REPORT ends with Restore Duration and Billed Restore Duration" {
    run --separate-stderr timeout -k 10 120 "$EMU" --snapstart -e EMU_FIXTURE_SNAP=restore --event "$(fx_event '{}')" -- "$EMU_PY" "$EMU_FIX/runtime.py"
    [ "$status" -eq 0 ] || fx_fail
    grep -qE $'^INIT_REPORT Init Duration: [0-9]+\.[0-9]{2} ms\tPhase: init\tStatus: success\t$' <<<"$output" || fx_fail "INIT_REPORT"
    grep -qE $'^REPORT RequestId: [0-9a-f-]{36}\tDuration: [0-9.]+ ms\tBilled Duration: [0-9]+ ms\tMemory Size: 128 MB\tMax Memory Used: [0-9]+ MB\tRestore Duration: [0-9]+\.[0-9]{2} ms\tBilled Restore Duration: [0-9]+ ms\t$' <<<"$output" || fx_fail "REPORT"
    ! grep -q 'Init Duration' <<<"$(grep ^REPORT <<<"$output")" || fx_fail "Init Duration on REPORT"
    ! grep -q '^RESTORE_REPORT' <<<"$output" || fx_fail "a successful restore prints no RESTORE_REPORT"
}

@test "--snapshot-pause stops the runtime: its wall clock jumps by the pause, which Restore Duration does not count" {
    snap_emu 'clock;restore;clock' --snapshot-pause 800 -- '{}'
    [ "$status" -eq 0 ] || fx_fail
    local jump
    jump=$(fx_sel '.type=="function"' | sed -n 's/^"clock \([0-9]*\)"$/\1/p' | awk 'NR==1{a=$1} NR==2{print $1-a}')
    [ -n "$jump" ] && [ "$jump" -ge 800 ] || fx_fail "clock jump $jump ms"
    [ "$(fx_sel '.type=="platform.restoreReport"' '.restoreDurationMs < 800')" = true ] || fx_fail "restore duration"
    [ "$(fx_sel '.type=="emu"')" = '"snapshot: runtime and extensions stopped (SIGSTOP) for at least 800 ms"' ] || fx_fail
}

@test "--snapshot-pause: the runtime's process is stopped (state T) during the pause" {
    local log=$BATS_TEST_TMPDIR/run.out ev
    ev=$(fx_event '{}')
    # no `timeout` in between: the runtime must be the emulator's child (--max-wall bounds it)
    "$EMU" --log-format json --max-wall 120 --snapstart --snapshot-pause 3000 -e 'EMU_FIXTURE_SNAP=restore' \
        --event "$ev" -- "$EMU_PY" "$EMU_FIX/runtime.py" >"$log" 2>&1 &
    local emu=$! pid state=
    fx_wait_for "$log" 'stopped \(SIGSTOP\)' >/dev/null
    pid=$(pgrep -f "$EMU_FIX/runtime.py" -P "$emu" | head -1)
    [ -n "$pid" ]
    state=$(awk '/^State:/ {print $2}' "/proc/$pid/status")
    wait "$emu"
    [ "$state" = T ] || { cat "$log"; false; }
    grep -q '"type":"platform.restoreReport","status":"success"' "$log"
}

@test "restore/next twice in a row: 403 InvalidStateTransition, the environment goes on" {
    snap_emu 'restore;restore' -- '{}'
    [ "$status" -eq 0 ] || fx_fail
    [ "$(fx_sel '.type=="function"')" = "$(printf '%s\n' '"restore/next 200 "' '"restore/next 403 {\"errorMessage\":\"State transition from Restoring to RestoreReady failed for runtime. Error: State transition is not allowed\",\"errorType\":\"InvalidStateTransition\"}"')" ] || fx_fail
    [ "$(fx_sel '.type=="response"' .status)" = '"success"' ] || fx_fail
}

@test "restore/next while another waits: the second gets 403, the first is the snapshot point" {
    snap_emu 'bg-restore;restore' -- '{}'
    [ "$status" -eq 0 ] || fx_fail
    [ "$(fx_sel '.type=="function"' | cut -c1-20 | sort)" = "$(printf '%s\n' '"restore/next 200 "' '"restore/next 403 {\')" ] || fx_fail
    [ "$(fx_sel '.type=="response"' .status)" = '"success"' ] || fx_fail
}

@test "restore/next or restore/error without --snapstart: 404 (Lambda has no such endpoint there), the runtime goes on" {
    fx_emu -e 'EMU_FIXTURE_SNAP=restore;rerr:Runtime.AfterRestoreError:{}' -- '{}'
    [ "$status" -eq 0 ] || fx_fail
    [ "$(fx_sel '.type=="function"' | sed 's/ {.*//')" = "$(printf '%s\n' '"restore/next 404' '"restore/error 404')" ] || fx_fail
    [ "$(fx_sel '.type=="response"' .status)" = '"success"' ] || fx_fail
    [ "$(fx_types | grep -c restore)" -eq 0 ] || fx_fail
}

@test "restore/error before the snapshot: 403, init goes on" {
    snap_emu 'rerr:Runtime.AfterRestoreError:{};restore' -- '{}'
    [ "$status" -eq 0 ] || fx_fail
    [ "$(fx_sel '.type=="function"' | head -1)" = '"restore/error 403 {\"errorMessage\":\"State transition from Started to RestoreError failed for runtime. Error: State transition is not allowed\",\"errorType\":\"InvalidStateTransition\"}"' ] || fx_fail
    [ "$(fx_sel '.type=="response"' .status)" = '"success"' ] || fx_fail
}

@test "restore/error and restore/next after the restore: 403 (the invoke in flight is not affected)" {
    local send=$'POST /2018-06-01/runtime/restore/error HTTP/1.1\r\nHost: x\r\nLambda-Runtime-Function-Error-Type: Runtime.AfterRestoreError\r\nContent-Length: 2\r\n\r\n{}'
    local send2=$'GET /2018-06-01/runtime/restore/next HTTP/1.1\r\nHost: x\r\n\r\n'
    snap_emu 'restore' -- "$(jq -cn --arg s "$send" '{do:"raw",send:$s}')" "$(jq -cn --arg s "$send2" '{do:"raw",send:$s}')"
    [ "$status" -eq 0 ] || fx_fail
    [ "$(fx_sel '.type=="response"' .status | sort -u)" = '"success"' ] || fx_fail
    fx_sel '.type=="response"' .body | head -1 | grep -q 'HTTP/1.1 403.*State transition from Running to RestoreError' || fx_fail
    fx_sel '.type=="response"' .body | tail -1 | grep -q 'HTTP/1.1 403.*State transition from Running to RestoreReady' || fx_fail
}

@test "restore/error: 202, the waiting invoke fails with Runtime.AfterRestoreError, RESTORE_REPORT, reset; the next invoke inits and restores again" {
    snap_emu 'restore;rerr:Runtime.AfterRestoreError:{"errorMessage":"hook failed","errorType":"Runtime.AfterRestoreError"}' -- '{}' '{}'
    [ "$status" -eq 2 ] || fx_fail "want exit 2: no environment ever became ready"
    [ "$(fx_sel '.type=="function"' | sed -n 2p)" = '"restore/error 202 {\"status\":\"OK\"}"' ] || fx_fail
    [ "$(fx_sel '.type=="platform.restoreReport"' '[.status,.errorType,.message]' | sort -u)" = '["error","Runtime.AfterRestoreError","hook failed"]' ] || fx_fail
    [ "$(fx_sel '.type=="response"' '[.status,.errorType,(.body|fromjson|.errorMessage)]' | sort -u)" = '["error","Runtime.AfterRestoreError","hook failed"]' ] || fx_fail
    [ "$(fx_types | grep -c '^platform.initStart$')" -eq 2 ] || fx_fail "two inits"
    [ "$(fx_sel '.type=="platform.report"' '[has("restoreDurationMs"),has("initDurationMs")]' | sort -u)" = '[true,false]' ] || fx_fail
}

@test "restore/error in text output: Lambda's RESTORE_REPORT line with the error type and message" {
    run --separate-stderr timeout -k 10 120 "$EMU" --snapstart \
        -e 'EMU_FIXTURE_SNAP=restore;rerr:Runtime.AfterRestoreError:{"errorMessage":"hook failed"}' \
        --event "$(fx_event '{}')" -- "$EMU_PY" "$EMU_FIX/runtime.py"
    [ "$status" -eq 2 ] || fx_fail
    grep -qE $'^RESTORE_REPORT Restore Duration: [0-9]+\.[0-9]{2} ms\tStatus: error\tError Type: Runtime.AfterRestoreError\thook failed$' <<<"$output" || fx_fail
    grep -qE $'^REPORT RequestId: .*\tRestore Duration: [0-9.]+ ms\tBilled Restore Duration: [0-9]+ ms\t$' <<<"$output" || fx_fail
}

@test "restore/error with a malformed body or an invalid error type: 202; Runtime.Unknown, the raw body passed on" {
    snap_emu 'restore;rerr:bogus type:not json{' -- '{}'
    [ "$status" -eq 2 ] || fx_fail
    [ "$(fx_sel '.type=="platform.restoreReport"' '[.errorType,.message,.body]')" = '["Runtime.Unknown","not json{","not json{"]' ] || fx_fail
    [ "$(fx_sel '.type=="response"' '[.errorType,(.body|fromjson|.errorMessage)]')" = '["Runtime.Unknown","not json{"]' ] || fx_fail
}

@test "restore/error: a Function.* type is kept, a missing header is Runtime.Unknown, an empty body is fine" {
    snap_emu 'restore;rerr:Function.BadHook:' -- '{}'
    [ "$status" -eq 2 ] || fx_fail
    [ "$(fx_sel '.type=="platform.restoreReport"' .errorType)" = '"Function.BadHook"' ] || fx_fail
    snap_emu 'restore;rerr::' -- '{}'
    [ "$status" -eq 2 ] || fx_fail
    [ "$(fx_sel '.type=="platform.restoreReport"' .errorType)" = '"Runtime.Unknown"' ] || fx_fail
}

@test "a runtime that exits while restoring: Runtime.ExitError restore failure, the invoke fails, next invoke re-inits" {
    snap_emu 'restore;exit:5' -- '{}' '{}'
    [ "$status" -eq 2 ] || fx_fail
    [ "$(fx_sel '.type=="platform.restoreReport"' '[.status,.errorType,.message]' | sort -u)" = '["error","Runtime.ExitError","Runtime exited with error: exit status 5"]' ] || fx_fail
    [ "$(fx_sel '.type=="response"' '[.status,.errorType]' | sort -u)" = '["error","Runtime.ExitError"]' ] || fx_fail
    [ "$(fx_types | grep -c '^platform.initStart$')" -eq 2 ] || fx_fail
}

@test "after-restore hooks that take longer than --init-timeout: Sandbox.Timedout restore failure, the runtime is killed" {
    snap_emu 'restore;sleep:20000' --init-timeout 1 -- '{}'
    [ "$status" -eq 2 ] || fx_fail
    [ "$(fx_sel '.type=="platform.restoreReport"' '[.errorType,.message,(.restoreDurationMs>=1000)]')" = '["Sandbox.Timedout","Restore timed out after 1.00 seconds",true]' ] || fx_fail
}

@test "init and before-snapshot hooks get max(--timeout, 130 s), not 10 s: an 11 s init succeeds" {
    snap_emu 'sleep:11000;restore' -- '{}'
    [ "$status" -eq 0 ] || fx_fail
    [ "$(fx_sel '.type=="platform.initReport"' '.initDurationMs > 11000')" = true ] || fx_fail
    [ "$(fx_sel '.type=="response"' .status)" = '"success"' ] || fx_fail
}

@test "init/error before the snapshot fails the init (INIT_REPORT error); no restore" {
    fx_emu --snapstart -e EMU_FIXTURE_INIT=init-error -- '{}'
    [ "$status" -eq 2 ] || fx_fail
    [ "$(fx_sel '.type=="platform.initError"' .errorType)" = '"Fixture.InitError"' ] || fx_fail
    [ "$(fx_types | grep -c restore)" -eq 0 ] || fx_fail
}

@test "a runtime that never calls restore/next: its first next is the snapshot point, the restore ends at once" {
    fx_emu --snapstart -- '{}'
    [ "$status" -eq 0 ] || fx_fail
    [ "$(fx_types | tr '\n' ' ')" = "platform.initStart platform.initReport platform.restoreStart platform.restoreReport platform.start response platform.end platform.report " ] || fx_fail
}

@test "--snapstart with --listen: the restore waits for the first invoke" {
    local log=$BATS_TEST_TMPDIR/listen.out
    timeout -k 10 120 "$EMU" --log-format json --snapstart --listen 127.0.0.1:0 -e EMU_FIXTURE_SNAP=restore \
        -- "$EMU_PY" "$EMU_FIX/runtime.py" >"$log" 2>&1 &
    local emu=$! port
    port=$(fx_wait_for "$log" 'listening on 127.0.0.1:[0-9]+' | sed 's/.*://')
    fx_wait_for "$log" 'platform.initReport' >/dev/null
    sleep 0.5
    ! grep -q restoreStart "$log" || { kill "$emu"; cat "$log"; false; }
    run curl -sS -d '{"x":1}' "http://127.0.0.1:$port/2015-03-31/functions/function/invocations"
    kill "$emu"
    wait "$emu" || true
    [ "$output" = '{"x":1}' ]
    grep -q '"type":"platform.restoreReport","status":"success"' "$log"
}

@test "bad option combinations: --snapshot-pause without --snapstart, --snapstart with --managed-instances" {
    run -1 "$EMU" --snapshot-pause 10 -- true
    [[ $output == *"--snapshot-pause needs --snapstart"* ]]
    run -1 "$EMU" --snapstart --managed-instances 2 -- true
    [[ $output == *"do not mix"* ]]
}

@test "Telemetry API: initializationType snap-start, platform.restoreStart, restoreRuntimeDone, restoreReport, restoreDurationMs in platform.report" {
    getent hosts sandbox.localdomain >/dev/null || { [[ $(id -u) == 0 ]] && unshare -m true 2>/dev/null; } ||
        skip "sandbox.localdomain cannot resolve here"
    mkdir -p "$BATS_TEST_TMPDIR/extensions"
    cp "$REPO/tests/fixtures/extensions/telemetry_subscriber.py" "$BATS_TEST_TMPDIR/extensions/tsub"
    chmod +x "$BATS_TEST_TMPDIR/extensions/tsub"
    local out=$BATS_TEST_TMPDIR/received.jsonl
    snap_emu 'restore' --extensions-dir "$BATS_TEST_TMPDIR/extensions" -e "SUB_OUT=$out" -- '{}'
    [ "$status" -eq 0 ] || fx_fail
    local types
    types=$(jq -r 'select(.event) | .event.type' "$out" | grep -E '^platform\.(init|restore|report)' | tr '\n' ' ')
    [ "$types" = "platform.initStart platform.initRuntimeDone platform.initReport platform.restoreStart platform.restoreRuntimeDone platform.restoreReport platform.report " ] || { cat "$out"; fx_fail "types: $types"; }
    [ "$(jq -c 'select(.event.type=="platform.initStart") | .event.record.initializationType' "$out")" = '"snap-start"' ]
    [ "$(jq -c 'select(.event.type=="platform.restoreStart") | .event.record | [.functionName,.functionVersion,.instanceMaxMemory]' "$out")" = '["test-function","$LATEST",128]' ]
    [ "$(jq -c 'select(.event.type=="platform.restoreRuntimeDone") | .event.record' "$out")" = '{"status":"success"}' ]
    [ "$(jq -c 'select(.event.type=="platform.restoreReport") | .event.record | [.status,(.metrics.durationMs>=0)]' "$out")" = '["success",true]' ]
    [ "$(jq -c 'select(.event.type=="platform.report") | .event.record.metrics | [has("restoreDurationMs"),has("initDurationMs")]' "$out")" = '[true,false]' ]
}

# ---- the test runtimes' hooks ---------------------------------------------------------

# snap_hooks LANG [EMU_OPTION...]: two invokes of the snaphooks sample handler under --snapstart.
snap_hooks() {
    local lang=$1
    shift
    emu_invoke_events "$lang" snaphooks '{}' '{}' -- --snapstart "$@"
}

@test "python: before-snapshot hooks in reverse order, restore/next, after-restore hooks in order; the clock jumps by the pause" {
    snap_hooks python --snapshot-pause 500
    [ "$status" -eq 0 ] || rt_fail "exit $status"
    [ "$(emu_select '.type=="response"' '.body|fromjson|.ran' | sort -u)" = '["before-2","before-1","after-1","after-2"]' ] || rt_fail
    [ "$(emu_select '.type=="response"' '.body|fromjson|.jumpMs >= 500' | sort -u)" = true ] || rt_fail
    # the hooks' output: before-* during init, after-* during the restore, none in an invoke
    [ "$(emu_select '.type=="function" and .stream=="stdout"' '[.message,.requestId]' | tr '\n' ' ')" = '["hook before-2",null] ["hook before-1",null] ["hook after-1",null] ["hook after-2",null] ' ] || rt_fail
    [ "$(emu_select '.type=="platform.report"' 'has("restoreDurationMs")' | tr '\n' ' ')" = 'true false ' ] || rt_fail
}

@test "python: a failing after-restore hook posts restore/error (Runtime.AfterRestoreError); a failing before-snapshot hook is an init error" {
    snap_hooks python -e SNAP_FAIL=after
    [ "$status" -eq 2 ] || rt_fail "exit $status"
    [ "$(emu_select '.type=="platform.restoreReport"' '[.errorType,.message]' | sort -u)" = '["Runtime.AfterRestoreError","hook after-2 failed"]' ] || rt_fail
    [ "$(emu_select '.type=="response"' '[.status,.errorType]' | sort -u)" = '["error","Runtime.AfterRestoreError"]' ] || rt_fail
    snap_hooks python -e SNAP_FAIL=before
    [ "$status" -eq 2 ] || rt_fail "exit $status"
    [ "$(emu_select '.type=="platform.initError"' .errorType | sort -u)" = '"Runtime.BeforeSnapshotError"' ] || rt_fail
    [ "$(emu_select '.type|startswith("platform.restore")' .type | wc -l)" -eq 0 ] || rt_fail
}

@test "python: a runtime that dies in an after-restore hook is a Runtime.ExitError restore failure" {
    snap_hooks python -e SNAP_EXIT=after
    [ "$status" -eq 2 ] || rt_fail "exit $status"
    [ "$(emu_select '.type=="platform.restoreReport"' '[.errorType,.message]' | sort -u)" = '["Runtime.ExitError","Runtime exited with error: exit status 7"]' ] || rt_fail
}

@test "java: org.crac resources: beforeCheckpoint in reverse order, afterRestore in order; the clock jumps by the pause" {
    snap_hooks java --snapshot-pause 500
    [ "$status" -eq 0 ] || rt_fail "exit $status"
    [ "$(emu_select '.type=="response"' '.body|fromjson|.ran' | sort -u)" = '["before-2","before-1","after-1","after-2"]' ] || rt_fail
    [ "$(emu_select '.type=="response"' '.body|fromjson|.jumpMs >= 500' | sort -u)" = true ] || rt_fail
    [ "$(emu_select '.type=="platform.report"' 'has("restoreDurationMs")' | tr '\n' ' ')" = 'true false ' ] || rt_fail
}

@test "java: a failing afterRestore posts restore/error (Runtime.AfterRestoreError); a failing beforeCheckpoint is Runtime.BeforeCheckpointError" {
    snap_hooks java -e SNAP_FAIL=after
    [ "$status" -eq 2 ] || rt_fail "exit $status"
    [ "$(emu_select '.type=="platform.restoreReport"' '[.errorType,.message]' | sort -u)" = '["Runtime.AfterRestoreError","hook after-2 failed"]' ] || rt_fail
    snap_hooks java -e SNAP_FAIL=before
    [ "$status" -eq 2 ] || rt_fail "exit $status"
    [ "$(emu_select '.type=="platform.initError"' .errorType | sort -u)" = '"Runtime.BeforeCheckpointError"' ] || rt_fail
}
