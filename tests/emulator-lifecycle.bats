#!/usr/bin/env bats
# lambda-emu's invoke lifecycle: START/END/REPORT, Init Duration once per init,
# timeouts (kill, re-init on the next invoke), crashes, exit statuses.
load test_helper

@test "START, response, END, REPORT in order; Init Duration only on the first REPORT" {
    fx_emu -- '{}' '{}'
    [ "$status" -eq 0 ] || fx_fail
    [ "$(fx_types | tr '\n' ' ')" = "platform.initStart platform.start response platform.end platform.report platform.start response platform.end platform.report " ]
    [ "$(fx_sel '.type=="platform.report"' '[has("initDurationMs"),.memorySizeMB,(.billedDurationMs>=.durationMs)]')" = "$(printf '[true,128,true]\n[false,128,true]')" ]
    [ "$(fx_sel '.type|startswith("platform.")' .requestId | grep -v null | uniq | wc -l)" -eq 2 ]
}

@test "a timeout kills the runtime and its children; the next invoke re-inits and works" {
    fx_emu --timeout 0.3 -- '{"do":"sleep","ms":20000,"child":true}' '{"after":"timeout"}'
    [ "$status" -eq 0 ] || fx_fail
    local id1
    id1=$(fx_sel '.type=="platform.start"' .requestId | head -1)
    [ "$(fx_sel '.type=="platform.timeout"' '[.requestId,.message]')" = "[$id1,\"Task timed out after 0.30 seconds\"]" ]
    [ "$(fx_sel '.type=="response"' '[.status,.errorType]')" = "$(printf '%s\n' '["timeout","Sandbox.Timedout"]' '["success",null]')" ]
    [ "$(fx_sel '.type=="response"' .body | tail -1)" = '"{\"after\":\"timeout\"}"' ]
    [ "$(fx_types | grep -c platform.initStart)" -eq 2 ]
    [ "$(fx_sel '.type=="platform.report"' 'has("initDurationMs")')" = "$(printf 'true\ntrue')" ]
    local child
    child=$(fx_sel '.type=="function"' | sed -n 's/^"child \([0-9]*\)"$/\1/p')
    [ -n "$child" ]
    # gone, or a zombie nobody reaped yet (killed either way)
    local state
    state=$(awk '/^State:/ {print $2}' "/proc/$child/status" 2>/dev/null || true)
    [[ -z $state || $state == Z ]] || fx_fail "child $child still running: $state"
}

@test "a runtime that exits during an invoke: Runtime exited with error: exit status N" {
    fx_emu -- '{"do":"exit","code":3}' '{"n":2}'
    [ "$status" -eq 0 ] || fx_fail
    [ "$(fx_sel '.type=="platform.runtimeExit"')" = '"Runtime exited with error: exit status 3"' ]
    local id1
    id1=$(fx_sel '.type=="platform.start"' .requestId | head -1)
    [ "$(fx_sel '.type=="response"' '[.requestId,.status,.errorType]' | head -1)" = "[$id1,\"crash\",\"Runtime.ExitError\"]" ]
    [ "$(fx_sel '.type=="response"' .body | head -1)" = "\"{\\\"errorMessage\\\":\\\"RequestId: ${id1//\"/} Error: Runtime exited with error: exit status 3\\\",\\\"errorType\\\":\\\"Runtime.ExitError\\\"}\"" ]
    [ "$(fx_sel '.type=="response"' .status | tail -1)" = '"success"' ]
}

@test "a runtime killed by a signal: Runtime exited with error: signal: ..." {
    fx_emu -- '{"do":"kill","sig":11}' '{"do":"kill","sig":9}'
    [ "$status" -eq 0 ] || fx_fail
    [ "$(fx_sel '.type=="platform.runtimeExit"')" = "$(printf '%s\n' '"Runtime exited with error: signal: segmentation fault"' '"Runtime exited with error: signal: killed"')" ]
}

@test "a runtime that exits during init fails every init: exit status 2, each invoke errors" {
    EMU_FIXTURE_INIT=exit:4 fx_emu -- '{}' '{}'
    [ "$status" -eq 2 ] || fx_fail
    [ "$(fx_types | grep -c platform.initStart)" -eq 2 ]
    [ "$(fx_sel '.type=="platform.initError"' .errorType | sort -u)" = '"Runtime.ExitError"' ]
    [ "$(fx_sel '.type=="response"' .status | sort | uniq -c | tr -s ' ')" = ' 2 "error"' ]
}

@test "--event - reads the event from stdin" {
    run --separate-stderr "$EMU" --log-format json --event - -- "$EMU_PY" "$EMU_FIX/runtime.py" <<<'{"from":"stdin"}'
    [ "$status" -eq 0 ] || fx_fail
    [ "$(fx_sel '.type=="response"' .body)" = '"{\"from\":\"stdin\"}\n"' ]
}

@test "function errors do not change the exit status" {
    fx_emu -- '{"do":"error"}'
    [ "$status" -eq 0 ] || fx_fail
}

@test "usage errors exit 1" {
    run -1 "$EMU" --bogus -- true
    run -1 "$EMU" --event x.json
    run -1 "$EMU" --timeout -1 -- true
    run -1 "$EMU" --listen 0.0.0.0:9000 -- true
    [[ $output == *"only loopback"* ]]
    run -1 "$EMU" --event missing.json -- true
}

@test "a runtime that cannot be executed fails the init with 127" {
    run --separate-stderr "$EMU" --log-format json --event "$(fx_event '{}')" -- ./no-such-runtime
    [ "$status" -eq 2 ] || fx_fail
    [ "$(fx_sel '.type=="platform.runtimeExit"')" = '"Runtime exited with error: exit status 127"' ]
    [[ $(fx_sel '.type=="function" and .stream=="stderr"') == *"no-such-runtime"* ]]
}

@test "with no events the emulator inits and shuts down" {
    fx_emu
    [ "$status" -eq 0 ] || fx_fail
    [ "$(fx_types | tr '\n' ' ')" = "platform.initStart " ]
}

@test "--concurrency N keeps N invokes in flight, each with its own request id" {
    # each barrier invoke answers "met" only once all three are in the runtime at once
    fx_emu --concurrency 3 --timeout 20 -- '{"do":"barrier","n":3}' '{"do":"barrier","n":3}' '{"do":"barrier","n":3}' '{"do":"print","lines":["x"]}'
    [ "$status" -eq 0 ] || fx_fail
    [ "$(fx_sel '.type=="response"' .body | grep -c '^"met"$')" -eq 3 ] || fx_fail
    [ "$(fx_types | sed -n 2,4p | sort -u)" = platform.start ]
    [ "$(fx_sel '.type=="response"' .requestId | sort -u | wc -l)" -eq 4 ]
    [ "$(fx_sel '.type=="response"' .status | sort -u)" = '"success"' ]
}

@test "REPORT of a failed invoke ends with Status: and Error Type:, as CloudWatch shows it; a function error has neither" {
    printf '{"do":"sleep","ms":2000}' >slow.json
    printf '{"do":"exit","code":4}' >crash.json
    printf '{"do":"error"}' >err.json
    printf '{}' >ok.json
    run --separate-stderr timeout -k 10 120 "$EMU" --timeout 0.3 --event slow.json --event crash.json --event err.json \
        --event ok.json -- "$EMU_PY" "$EMU_FIX/runtime.py"
    [ "$status" -eq 0 ] || fx_fail
    local reports
    reports=$(grep '^REPORT' <<<"$output" | sed 's/^REPORT RequestId: [0-9a-f-]*\t//; s/[0-9.]* ms/N ms/g; s/[0-9]* MB/N MB/g')
    [ "$reports" = "$(printf '%s\n' \
        'Duration: N ms	Billed Duration: N ms	Memory Size: N MB	Max Memory Used: N MB	Init Duration: N ms	Status: timeout	' \
        'Duration: N ms	Billed Duration: N ms	Memory Size: N MB	Max Memory Used: N MB	Init Duration: N ms	Status: error	Error Type: Runtime.ExitError	' \
        'Duration: N ms	Billed Duration: N ms	Memory Size: N MB	Max Memory Used: N MB	Init Duration: N ms	' \
        'Duration: N ms	Billed Duration: N ms	Memory Size: N MB	Max Memory Used: N MB	')" ] || fx_fail "$reports"
}
