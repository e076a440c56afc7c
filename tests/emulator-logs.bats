#!/usr/bin/env bats
# lambda-emu turns the runtime's output into Lambda's log events: one per stdout/stderr
# line, one per telemetry frame (multi-line records stay whole), with the request id.
load test_helper

@test "each stdout line is one event with the invoke's request id; stderr is its own stream" {
    fx_emu -- '{"do":"print","lines":["one","two words",""]}' '{"do":"stderr","text":"err line\n"}'
    [ "$status" -eq 0 ] || fx_fail
    local id1 id2
    id1=$(fx_sel '.type=="platform.start"' .requestId | sed -n 1p)
    id2=$(fx_sel '.type=="platform.start"' .requestId | sed -n 2p)
    [ "$(fx_sel '.type=="function"' '[.stream,.message,.requestId]')" = "$(printf '%s\n' "[\"stdout\",\"one\",$id1]" "[\"stdout\",\"two words\",$id1]" "[\"stdout\",\"\",$id1]" "[\"stderr\",\"err line\",$id2]")" ]
}

@test "a multi-line telemetry frame is one event, with frame type, level, format and timestamp" {
    fx_emu -- '{"do":"frame","text":"[ERROR] boom\nTraceback:\n  line 2\n","type":2774138900}' '{"do":"frame","text":"{\"level\":\"INFO\"}","type":2774138894}'
    [ "$status" -eq 0 ] || fx_fail
    # 2774138900 = 0xA55A0014? no: 0xA55A0014 is 2774138900 (text ERROR is 0xA55A0017)
    [ "$(fx_sel '.stream=="telemetry"' '[.message,.frameType,.level,.format,(.timestampUs>1600000000000000),(.requestId|type)]')" = "$(printf '%s\n' '["[ERROR] boom\nTraceback:\n  line 2\n","0xA55A0014","ERROR","text",true,"string"]' '["{\"level\":\"INFO\"}","0xA55A000E","INFO","json",true,"string"]')" ] || fx_fail
}

@test "text format shows a multi-line event with its continuation lines indented" {
    run --separate-stderr "$EMU" --event "$(fx_event '{"do":"frame","text":"first\nsecond\nthird"}')" -- "$EMU_PY" "$EMU_FIX/runtime.py"
    [ "$status" -eq 0 ] || fx_fail
    [ "$(sed -n 2,4p <<<"$output")" = "$(printf 'first\n\tsecond\n\tthird')" ]
    [[ $(sed -n 1p <<<"$output") =~ ^START\ RequestId:\ [0-9a-f-]{36}\ Version:\ \$LATEST$ ]]
    [[ $(sed -n 6p <<<"$output") =~ ^END\ RequestId: ]]
    [[ $(sed -n 7p <<<"$output") =~ ^REPORT\ RequestId:\ [0-9a-f-]{36}$'\t'Duration:\ [0-9.]+\ ms$'\t'Billed\ Duration:\ [0-9]+\ ms$'\t'Memory\ Size:\ 128\ MB$'\t'Max\ Memory\ Used:\ [0-9]+\ MB$'\t'Init\ Duration:\ [0-9.]+\ ms$'\t'$ ]] || fx_fail
}

@test "--raw keeps the exact bytes of stdout, stderr and the telemetry fd" {
    fx_emu --raw raw -- '{"do":"printraw","text":"a\u0000b\r\n\u00ff no newline"}' '{"do":"frame","text":"x\ny"}' '{"do":"stderr","text":"e"}'
    [ "$status" -eq 0 ] || fx_fail
    printf 'a\0b\r\n\377 no newline' >want.stdout
    cmp raw/stdout want.stdout
    [ "$(cat raw/stderr)" = e ]
    [ "$(od -An -tx1 -j0 -N8 raw/telemetry | tr -d ' \n')" = a55a000f00000003 ]
    [ "$(tail -c 3 raw/telemetry)" = $'x\ny' ]
    [ "$(stat -c %s raw/telemetry)" -eq 19 ]
}

@test "bytes that are not UTF-8 are escaped per byte; a last line without newline is still an event" {
    fx_emu -- '{"do":"printraw","text":"caf\u00e9 \u00c3\u00a9\n\u00fftail"}' '{"do":"kill","sig":9}'
    [ "$status" -eq 0 ] || fx_fail
    # latin-1 é (0xE9) is not UTF-8: \u00e9; the UTF-8 é (C3 A9) passes through
    [ "$(grep -o '"stream":"stdout","message":"[^"]*"' <<<"$output")" = "$(printf '%s\n' '"stream":"stdout","message":"caf\u00e9 é"' '"stream":"stdout","message":"\u00fftail"')" ] || fx_fail
}

@test "a line over 256 KiB is cut there (as Lambda does); one of exactly 256 KiB stays one event" {
    local exact over
    exact=$(head -c 262144 /dev/zero | tr '\0' y)
    over=$(head -c 262200 /dev/zero | tr '\0' x)
    fx_emu -- "{\"do\":\"printraw\",\"text\":\"$exact\\nnext\\n$over\\nlast\\n\"}"
    [ "$status" -eq 0 ] || fx_fail
    run -0 jq -r -R 'fromjson? | select(.type=="function") | "\(.message | length) \(.message[0:1])"' <<<"$output"
    [ "$output" = "262144 y
4 n
262144 x
56 x
4 l" ]
}

@test "--no-telemetry-fd: no _LAMBDA_TELEMETRY_LOG_FD for the runtime" {
    fx_emu --no-telemetry-fd -- '{"do":"env","names":["_LAMBDA_TELEMETRY_LOG_FD"]}'
    [ "$status" -eq 0 ] || fx_fail
    [ "$(fx_sel '.type=="response"' .body)" = '"{\"_LAMBDA_TELEMETRY_LOG_FD\": null}"' ]
}

@test "output during init has no request id" {
    EMU_FIXTURE_INIT=argv fx_emu -- '{}'
    [ "$status" -eq 0 ] || fx_fail
    [ "$(fx_sel '.type=="function"' '[.message,.requestId]')" = '["argv=[]",null]' ]
}

@test "a telemetry stream with a bad frame header is reported, not fatal" {
    fx_emu -- '{"do":"frame","text":"bad","type":305419896}' '{"a":1}'
    [ "$status" -eq 0 ] || fx_fail
    [[ $(fx_sel '.type=="emu"') == *"telemetry fd: bad frame header (type 0x12345678"* ]] || fx_fail
    [ "$(fx_sel '.type=="response"' .status | sort -u)" = '"success"' ]
}

# tK line J for J in 1..$2, as a JSON array
fx_lines() {
    jq -nc --arg k "$1" --argjson n "$2" '[range(1; $n + 1) | "\($k) line \(.)"]'
}

@test "every line written before the response carries its invoke's id and comes before its END, over many invokes" {
    # What the runtime wrote before it posted /response is in the pipes when the request
    # arrives: the emulator reads it first, so attribution never depends on poll()'s order.
    local k evs=()
    for k in $(seq 1 15); do evs+=("{\"do\":\"print\",\"lines\":$(fx_lines "t$k" 150)}"); done
    fx_emu --no-telemetry-fd -- "${evs[@]}"
    [ "$status" -eq 0 ] || fx_fail
    run -0 fx_attribution
    [ "${lines[-1]}" = "count 2250" ]
    # the same through a runtime that connects anew for each request (Connection: close)
    EMU_FIXTURE_CONN=close fx_emu --no-telemetry-fd -- "${evs[@]}"
    [ "$status" -eq 0 ] || fx_fail
    run -0 fx_attribution
    [ "${lines[-1]}" = "count 2250" ]
}

@test "the same for the node test runtime, stdout lines and telemetry frames" {
    local k evs=()
    for k in $(seq 1 15); do
        printf '{"lines":%s}' "$(fx_lines "t$k" 100)" >"ev$k.json"
        evs+=(--event "ev$k.json")
    done
    runtime_cmd node
    run --separate-stderr timeout -k 10 120 "$EMU" --log-format json "${evs[@]}" \
        --handler log.handler --task-root "$(handler_dir node)" -- "${RUNTIME_CMD[@]}"
    [ "$status" -eq 0 ] || fx_fail
    run -0 fx_attribution
    [ "${lines[-1]}" = "count 3000" ]
}
