#!/usr/bin/env bats
# OTLP spans (LWRAP_TRACE_OTLP): the init span tree as OTLP/HTTP JSON, sent once after
# the first invoke's response has left, to a strict receiver that rejects unknown or
# misspelt members and wrong types; ids from the first invoke's X-Ray header; a collector
# that is down or silent costs at most the timeout, once, and one line.
load test_helper

setup() {
    lwrap_test_setup
    preload_opts
    RUNTIME_PYTHON3=/usr/bin/python3
    RECEIVED=$BATS_TEST_TMPDIR/received
    mkdir -p "$RECEIVED"
    RECEIVER_PID=
}

teardown() {
    [[ -n $RECEIVER_PID ]] && kill "$RECEIVER_PID" 2>/dev/null
    lwrap_test_teardown
}

# receiver_start [--silent]: the strict receiver in the background; sets PORT.
receiver_start() {
    "$EMU_PY" "$TRACE_FIXTURES/otlp_receiver.py" "$BATS_TEST_TMPDIR/port" "$RECEIVED" "$@" 3>&- &
    RECEIVER_PID=$!
    local end=$((SECONDS + 30))
    while [[ ! -s $BATS_TEST_TMPDIR/port ]] && ((SECONDS < end)); do sleep 0.05; done
    PORT=$(<"$BATS_TEST_TMPDIR/port")
}

# wait_received N: until N requests have their verdict (at most 30 s)
wait_received() {
    local end=$((SECONDS + 30))
    while [[ ! -s $RECEIVED/$1.verdict ]] && ((SECONDS < end)); do sleep 0.05; done
    [[ -s $RECEIVED/$1.verdict ]]
}

yaml_task() {
    [ -d /usr/lib/python3/dist-packages/yaml ] || skip "python3-yaml (Debian) is not installed"
    TASK=$BATS_TEST_TMPDIR/task
    mkdir -p "$TASK"
    # {"wait": PATH}: return once PATH exists (at most 10 s), so that the runtime is still
    # there while lwrap's thread sends (the emulator ends it after the last response)
    cat >"$TASK/app.py" <<'PY'
import os
import time

import yaml


def handler(event, context):
    until = time.monotonic() + 10
    while event.get("wait") and not os.path.exists(event["wait"]) and time.monotonic() < until:
        time.sleep(0.02)
    return {}
PY
}

@test "spans reach a strict receiver: init with phases, dlopens and packages as children, in the first invoke's X-Ray trace" {
    yaml_task
    receiver_start
    printf '{}' >"$BATS_TEST_TMPDIR/e.json"
    printf '{"wait":"%s"}' "$RECEIVED/1.verdict" >"$BATS_TEST_TMPDIR/wait.json"
    runtime_cmd python
    run --separate-stderr timeout -k 5 120 "$EMU" --log-format json --init-timeout 30 "${PRELOAD_OPTS[@]}" \
        --function-name otlp-fn -e "LWRAP_TRACE_OTLP=http://127.0.0.1:$PORT" -e AWS_REGION=eu-west-1 \
        --event "$BATS_TEST_TMPDIR/e.json" --event "$BATS_TEST_TMPDIR/wait.json" --event "$BATS_TEST_TMPDIR/e.json" \
        --handler app.handler --task-root "$TASK" -- "${RUNTIME_CMD[@]}"
    [ "$status" -eq 0 ]
    wait_received 1
    [ "$(<"$RECEIVED/1.verdict")" = ok ]
    [ ! -e "$RECEIVED/2.json" ] # once
    local body=$RECEIVED/1.json xray root parent
    xray=$(observer_field start trace | head -1)
    [[ $xray =~ ^Root=1-([0-9a-f]{8})-([0-9a-f]{24})\;Parent=([0-9a-f]{16}) ]]
    root=${BASH_REMATCH[1]}${BASH_REMATCH[2]} parent=${BASH_REMATCH[3]}
    jq -e --arg root "$root" --arg parent "$parent" '
        .resourceSpans[0] as $rs | ($rs.resource.attributes | map({key, value: .value.stringValue}) | from_entries) as $r
        | $r["service.name"] == "otlp-fn" and $r["faas.name"] == "otlp-fn" and $r["cloud.provider"] == "aws"
          and $r["cloud.platform"] == "aws_lambda" and $r["cloud.region"] == "eu-west-1"
        | . and ($rs.scopeSpans[0].spans as $s | ($s | map(select(.name == "init"))) as $init
          | ($init | length) == 1 and $init[0].traceId == $root and $init[0].parentSpanId == $parent
          and ([$s[] | select(.name != "init") | .parentSpanId == $init[0].spanId and .traceId == $root
               and (.startTimeUnixNano | tonumber) >= ($init[0].startTimeUnixNano | tonumber) - 1000
               and (.endTimeUnixNano | tonumber) <= ($init[0].endTimeUnixNano | tonumber) + 1000] | all)
          and ([$s[].name] | index("runtime init")) and ([$s[].name] | index("package yaml"))
          and ([$s[].name | select(startswith("dlopen "))] | length) >= 1
          and ([$s[].spanId] | unique | length) == ($s | length))' "$body"
}

@test "a collector that is down: one line, the invokes unharmed" {
    receiver_start
    kill "$RECEIVER_PID" && wait "$RECEIVER_PID" 2>/dev/null || true
    RECEIVER_PID=
    # the second invoke lasts 500 ms: the runtime is still there when the thread reports
    printf '{}' >"$BATS_TEST_TMPDIR/e.json"
    printf '{"ms":500}' >"$BATS_TEST_TMPDIR/slow.json"
    runtime_cmd python
    run --separate-stderr timeout -k 5 120 "$EMU" --log-format json --init-timeout 30 "${PRELOAD_OPTS[@]}" \
        -e "LWRAP_TRACE_OTLP=http://127.0.0.1:$PORT" \
        --event "$BATS_TEST_TMPDIR/e.json" --event "$BATS_TEST_TMPDIR/slow.json" --event "$BATS_TEST_TMPDIR/e.json" \
        --handler sleep.handler --task-root "$HANDLERS/python" -- "${RUNTIME_CMD[@]}"
    [ "$status" -eq 0 ]
    [ "$(emu_responses | wc -l)" -eq 3 ]
    [ "$(jq -r 'select(.type=="function") | .message' <<<"$output")" = \
        "lwrap: LWRAP_TRACE_OTLP: http://127.0.0.1:$PORT: init spans not sent: Connection refused" ]
}

@test "a collector that never answers costs at most the timeout, on lwrap's thread, once" {
    receiver_start --silent
    printf '{"ms":600}' >"$BATS_TEST_TMPDIR/slow.json"
    printf '{}' >"$BATS_TEST_TMPDIR/e.json"
    runtime_cmd python
    run --separate-stderr timeout -k 5 120 "$EMU" --log-format json --init-timeout 30 "${PRELOAD_OPTS[@]}" \
        -e "LWRAP_TRACE_OTLP=http://127.0.0.1:$PORT" -e LWRAP_TRACE_OTLP_TIMEOUT_MS=300 \
        --event "$BATS_TEST_TMPDIR/e.json" --event "$BATS_TEST_TMPDIR/slow.json" \
        --handler sleep.handler --task-root "$HANDLERS/python" -- "${RUNTIME_CMD[@]}"
    [ "$status" -eq 0 ]
    [ "$(jq -r 'select(.type=="function") | .message' <<<"$output")" = \
        "lwrap: LWRAP_TRACE_OTLP: http://127.0.0.1:$PORT: init spans not sent: no answer in time" ]
    # the runtime never waited: its invokes took what they take
    jq -e -s '[.[] | select(.type=="platform.report")] | .[0].durationMs < 250 and .[1].durationMs < 900' <<<"$output"
}

@test "a URL lwrap cannot use: one line, nothing sent" {
    trace_task python "$HANDLERS/python" echo.handler 1 "${PRELOAD_OPTS[@]}" -e LWRAP_TRACE_OTLP=https://collector.example:4318
    [ "$status" -eq 0 ]
    [ "$(jq -r 'select(.type=="function") | .message' <<<"$output")" = \
        'lwrap: LWRAP_TRACE_OTLP: https://collector.example:4318: want http://HOST:PORT (plain HTTP to a collector on the sandbox); no spans sent' ]
}

@test "the receiver itself refuses misspelt members, ids of the wrong shape and numbers for 64-bit strings" {
    receiver_start
    local good='{"resourceSpans":[{"resource":{"attributes":[]},"scopeSpans":[{"spans":[{"traceId":"0123456789abcdef0123456789abcdef","spanId":"0123456789abcdef","name":"x","kind":1,"startTimeUnixNano":"1","endTimeUnixNano":"2"}]}]}]}'
    local bad n=0
    for bad in "$good" "${good/traceId/traceID}" "${good/\"0123456789abcdef\"/\"0123456789ABCDEF\"}" \
        "${good/\"startTimeUnixNano\":\"1\"/\"startTimeUnixNano\":1}" "${good/\"kind\":1/\"kind\":\"SPAN_KIND_INTERNAL\"}" \
        "${good/\"attributes\":[]/\"attributes\":[{\"key\":\"k\",\"value\":{\"stringValue\":\"a\",\"intValue\":\"1\"}}]}"; do
        n=$((n + 1))
        curl -s -o /dev/null --max-time 10 -H 'Content-Type: application/json' --data-binary "$bad" "http://127.0.0.1:$PORT/v1/traces"
        wait_received "$n"
    done
    [ "$(<"$RECEIVED/1.verdict")" = ok ]
    for n in 2 3 4 5 6; do [[ $(<"$RECEIVED/$n.verdict") == bad:* ]] || { cat "$RECEIVED/$n.verdict"; false; }; done
}

# the preload's lines for LWRAP_TRACE_OTLP=$1, read at the start of a plain program
otlp_line() {
    env -i PATH=/usr/bin:/bin LD_PRELOAD="$LIBLWRAP" LWRAP_TRACE_OTLP="$1" /bin/true 2>&1
}

@test "URLs that would make a malformed request are refused with one line: CR/LF, a blank, '?', '#' in the path; a port that is not 1-65535 in digits" {
    local why_path="the path may hold only RFC 3986 path characters (use %XX for others; no blank, control byte, '?' or '#'); no spans sent"
    local why_port="bad port (want 1 to 65535, digits only); no spans sent"
    local url
    for url in $'http://127.0.0.1:4318/x\r\nX-Evil: 1' 'http://127.0.0.1:4318/a b' 'http://127.0.0.1:4318/a?b' \
        'http://127.0.0.1:4318/a#b' 'http://127.0.0.1:4318/a%zz' $'http://127.0.0.1:4318/a\tb'; do
        run -0 otlp_line "$url"
        # quoted back escaped, as lwrap quotes it: one line whatever the URL holds
        local shown=${url//$'\r'/'\x0d'}
        shown=${shown//$'\n'/'\x0a'}
        shown=${shown//$'\t'/'\x09'}
        [ "${#lines[@]}" -eq 1 ]
        [ "$output" = "lwrap: LWRAP_TRACE_OTLP: $shown: $why_path" ]
    done
    for url in 'http://127.0.0.1:+4318' 'http://127.0.0.1: 4318' 'http://127.0.0.1:' 'http://127.0.0.1:0' \
        'http://127.0.0.1:65536' 'http://127.0.0.1:000004318' 'http://[::1]:-1' 'http://127.0.0.1:43x18'; do
        run -0 otlp_line "$url"
        [ "$output" = "lwrap: LWRAP_TRACE_OTLP: $url: $why_port" ]
    done
    # what is fine stays fine: sub-delims, ':', '@', %XX in the path; a plain port; IPv6
    for url in 'http://127.0.0.1:4318' 'http://127.0.0.1:4318/a-b_c.d~e/%41/x:y@z/!$&()*+,;=' \
        'http://[::1]:4318/otlp/' 'http://localhost/v1/traces' 'http://127.0.0.1:65535'; do
        run -0 otlp_line "$url"
        [ -z "$output" ]
    done
}

@test "a URL with user:password@: the password masked, and the reason says credentials are not supported" {
    run -0 otlp_line 'http://u:collectorpass@127.0.0.1:4318'
    [ "$output" = 'lwrap: LWRAP_TRACE_OTLP: http://u:****@127.0.0.1:4318: user:password@ in the URL is not supported (a collector on the sandbox takes no credentials here); no spans sent' ]
}

@test "a path with a blank, through the emulator: one line, nothing reaches the collector, the invoke is fine" {
    receiver_start
    trace_task python "$HANDLERS/python" echo.handler 1 "${PRELOAD_OPTS[@]}" -e "LWRAP_TRACE_OTLP=http://127.0.0.1:$PORT/a b"
    [ "$status" -eq 0 ]
    [ "$(emu_responses)" = '{}' ]
    [ "$(jq -r 'select(.type=="function") | .message' <<<"$output")" = \
        "lwrap: LWRAP_TRACE_OTLP: http://127.0.0.1:$PORT/a b: the path may hold only RFC 3986 path characters (use %XX for others; no blank, control byte, '?' or '#'); no spans sent" ]
    sleep 0.5
    [ -z "$(ls -A "$RECEIVED")" ]
}
