#!/usr/bin/env bats
# lambda-emu --listen: AWS RIE's invoke endpoint on loopback, until SIGTERM.
load test_helper

# start_listen [EMU_OPTION...]: starts the emulator in the background on a free port;
# sets EMU_PID and PORT.
start_listen() {
    "$EMU" --log-format json --listen 127.0.0.1:0 "$@" -- "$EMU_PY" "$EMU_FIX/runtime.py" >emu.out 2>emu.err &
    EMU_PID=$!
    local i
    for ((i = 0; i < 200; i++)); do
        # (the background shell may not have created emu.out yet)
        PORT=$(sed -n 's/.*"listening on 127.0.0.1:\([0-9]*\)".*/\1/p' emu.out 2>/dev/null || true)
        [[ -n $PORT ]] && return 0
        sleep 0.05
    done
    return 1
}

stop_listen() {
    kill -TERM "$EMU_PID"
    wait "$EMU_PID"
}

teardown() {
    [[ -n ${EMU_PID:-} ]] && kill -KILL "$EMU_PID" 2>/dev/null || true
    lwrap_test_teardown
}

@test "--listen serves invocations; function errors come back with X-Amz-Function-Error" {
    start_listen
    run -0 "$EMU_PY" "$EMU_FIX/invoke.py" "$PORT" '{"a":1}'
    [ "$output" = '200 - {"a":1}' ]
    run -0 "$EMU_PY" "$EMU_FIX/invoke.py" "$PORT" '{"do":"error"}'
    [ "$output" = '200 Unhandled {"errorMessage": "boom", "errorType": "Fixture.Error", "stackTrace": ["x"]}' ]
    stop_listen
    output=$(cat emu.out)
    [ "$(fx_sel '.type=="response"' .status)" = "$(printf '"success"\n"error"')" ]
    [ "$(fx_sel '.type=="emu"' | tail -1)" = '"signal 15: shutting down"' ]
}

@test "--listen with --concurrency 3 runs three invokes at once" {
    start_listen --concurrency 3 --timeout 20
    run -0 "$EMU_PY" "$EMU_FIX/invoke.py" "$PORT" '{"do":"barrier","n":3}' '{"do":"barrier","n":3}' '{"do":"barrier","n":3}'
    [ "$output" = "$(printf '200 - met\n200 - met\n200 - met')" ]
    stop_listen
    output=$(cat emu.out)
    [ "$(fx_types | grep -v emu | sed -n 2,4p | sort -u)" = platform.start ]
}

@test "--listen answers bad requests with 4xx and keeps serving" {
    start_listen
    printf 'GET /2015-03-31/functions/function/invocations HTTP/1.1\r\n\r\n' >get.http
    run -0 fx_raw_http "$PORT" get.http
    [[ $output == 'HTTP/1.1 405 Method Not Allowed'* ]]
    printf 'NOT HTTP AT ALL\r\n\r\n' >bad.http
    run -0 fx_raw_http "$PORT" bad.http
    [[ $output == 'HTTP/1.1 505 HTTP Version Not Supported'* || $output == 'HTTP/1.1 400 Bad Request'* ]]
    printf 'POST /2015-03-31/functions/function/invocations HTTP/1.1\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello' >ok.http
    run -0 fx_raw_http "$PORT" ok.http --split
    [[ $output == 'HTTP/1.1 200 OK'* ]]
    [[ $output == *$'\r\n\r\nhello' ]]
    stop_listen
}

@test "--listen passes a streamed response on as chunks while it arrives" {
    start_listen
    local body='{"do":"stream","chunks":["a","bc","d\nef"]}'
    printf 'POST /2015-03-31/functions/function/invocations HTTP/1.1\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s' ${#body} "$body" >req.http
    run -0 fx_raw_http "$PORT" req.http
    local head=$'HTTP/1.1 200 OK\r\nContent-Type: application/vnd.awslambda.http-integration-response\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n'
    [ "${output:0:${#head}}" = "$head" ]
    # chunk boundaries depend on how the bytes arrived; the body does not
    run -0 "$EMU_PY" -c 'import sys
d = sys.stdin.buffer.read().split(b"\r\n\r\n", 1)[1]; out = b""
while True:
    size, _, d = d.partition(b"\r\n"); n = int(size, 16)
    if n == 0: break
    out += d[:n]; d = d[n + 2:]
sys.stdout.buffer.write(out)' <<<"$output"
    [ "$output" = $'abcd\nef' ]
    stop_listen
}
