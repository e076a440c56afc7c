#!/usr/bin/env bats
# lambda-emu's HTTP layer: requests split at any byte, pipelining, Expect: 100-continue,
# chunked bodies with extensions and trailers; malformed requests get a 4xx and an
# {"type":"emu"} line, and the emulator carries on.
load test_helper

# raw_ev SEND [COUNT] [SPLIT]: an event making the fixture runtime send SEND raw to the
# Runtime API ({ID} = the current request id) and answer with what came back.
raw_ev() {
    jq -cn --arg s "$1" --argjson c "${2:-1}" --argjson split "${3:-false}" --argjson w "${4:-3}" '{do:"raw",send:$s,count:$c,split:$split,wait:$w}'
}

# status lines of the raw answer in the (first) response body
answers() {
    fx_sel '.type=="response"' .body | head -1 | jq -r . | grep -o '^HTTP/1.1 [0-9]*' | tr '\n' ' '
}

@test "a chunked response sent one byte at a time, with chunk extensions and trailers" {
    fx_emu -- "$(raw_ev $'POST /2018-06-01/runtime/invocation/{ID}/response HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\nA\r\n0123456789\r\n0\r\nX-Trailer: t\r\n\r\n' 1 true)"
    [ "$status" -eq 0 ] || fx_fail
    [ "$(fx_sel '.type=="response"' .body)" = '"abc0123456789"' ]
}

@test "pipelined requests on one connection are answered in order; Expect: 100-continue works" {
    fx_emu -- "$(raw_ev $'GET /nope HTTP/1.1\r\n\r\nPOST /2018-06-01/runtime/invocation/{ID}/response HTTP/1.1\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\nhi' 2)"
    [ "$status" -eq 0 ] || fx_fail
    [ "$(fx_sel '.type=="response"' .body)" = '"hi"' ]
    # (a later emu line may note the fixture's own response: 403, already answered)
    [ "$(fx_sel '.type=="emu"' | head -1)" = '"GET /nope -> 404 NotFound: no such endpoint"' ]
}

@test "malformed requests get 400/413/431/501/505 and an emu line; the invoke still completes" {
    local big
    big=$(head -c 70000 /dev/zero | tr '\0' a)
    fx_emu -- \
        "$(raw_ev $'GARBAGE\r\n\r\n')" \
        "$(raw_ev $'POST /2018-06-01/runtime/invocation/x/response HTTP/1.1\r\nContent-Length: abc\r\n\r\n')" \
        "$(raw_ev $'POST /2018-06-01/runtime/invocation/x/response HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n')" \
        "$(raw_ev $'POST /2018-06-01/runtime/invocation/x/response HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n')" \
        "$(raw_ev $'GET /2018-06-01/runtime/invocation/next HTTP/2.0\r\n\r\n')" \
        "$(raw_ev "GET /$big HTTP/1.1"$'\r\n\r\n')" \
        "$(raw_ev $'POST /2018-06-01/runtime/invocation/{ID}/response HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n')" \
        "$(raw_ev $'GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nBad Header\r\n\r\n')" \
        "$(raw_ev $'DELETE /2018-06-01/runtime/invocation/next HTTP/1.1\r\n\r\n')" \
        '{"still":"alive"}'
    [ "$status" -eq 0 ] || fx_fail
    [ "$(fx_sel '.type=="response"' .body | jq -r . | grep -o '^HTTP/1.1 [0-9]*' | tr '\n' ' ')" = "HTTP/1.1 400 HTTP/1.1 400 HTTP/1.1 400 HTTP/1.1 501 HTTP/1.1 505 HTTP/1.1 431 HTTP/1.1 400 HTTP/1.1 400 HTTP/1.1 405 " ] || fx_fail
    [ "$(fx_sel '.type=="emu"' | wc -l)" -eq 9 ]
    [ "$(fx_sel '.type=="emu"' | head -1)" = '"bad HTTP from runtime API client: malformed request line (answered 400)"' ]
    [ "$(fx_sel '.type=="response"' .body | tail -1)" = '"{\"still\":\"alive\"}"' ]
}

@test "a chunk-size line over 4 KiB is refused even when it arrives whole (as when split)" {
    local ext
    ext=$(head -c 5000 /dev/zero | tr '\0' x)
    fx_emu -- "$(raw_ev $'POST /2018-06-01/runtime/invocation/{ID}/response HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1;'"$ext"$'\r\na\r\n0\r\n\r\n')" '{}'
    [ "$status" -eq 0 ] || fx_fail
    [ "$(answers)" = "HTTP/1.1 400 " ] || fx_fail
    [ "$(fx_sel '.type=="emu"' | head -1)" = '"bad HTTP from runtime API client: malformed chunk size (answered 400)"' ] || fx_fail
}

@test "a client that disconnects in the middle of a request is noted, not fatal" {
    fx_emu -- "$(raw_ev $'POST /2018-06-01/runtime/invocation/{ID}/response HTTP/1.1\r\nContent-Length: 100\r\n\r\nonly a part' 1 false 0.3)" '{}'
    [ "$status" -eq 0 ] || fx_fail
    # the raw client waits 0.3 s for an answer that cannot come, then closes
    [ "$(fx_sel '.type=="emu"')" = '"runtime API client closed the connection in the middle of a request"' ]
    [ "$(fx_sel '.type=="response"' .status | sort -u)" = '"success"' ]
}
