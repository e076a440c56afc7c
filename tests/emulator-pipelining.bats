#!/usr/bin/env bats
# lambda-emu and HTTP/1.1 pipelining on the Runtime API: requests sent back to back on
# one keep-alive connection are handled strictly in order, each after the one before it
# has changed the state (a parked `next` holds up what follows it on its connection), and
# an invoke goes to exactly one `next`, once.
load test_helper

# pipe_run MODE EVENTS [EMU_OPTION...]: the pipelining runtime (tests/fixtures/emulator/
# pipeline.py) with EVENTS events {"n":1}..; its answers ("status id body") are the
# `function` events' messages, in $ANSWERS.
pipe_run() {
    local mode=$1 n=$2 i
    shift 2
    local -a evs=()
    for ((i = 1; i <= n; i++)); do evs+=(--event "$(fx_event "{\"n\":$i}")"); done
    run --separate-stderr timeout -k 10 120 "$EMU" --log-format json --idle-timeout 10 \
        -e PIPE_MODE="$mode" -e PIPE_EVENTS="$n" "$@" "${evs[@]}" -- "$EMU_PY" "$EMU_FIX/pipeline.py"
    ANSWERS=$(fx_sel '.type=="function" and (.message|test("^[0-9]{3} "))' .message | jq -r . | sed 's/\n$//')
}

# starts: the request ids of platform.start, one per line
starts() {
    fx_sel '.type=="platform.start"' .requestId | jq -r .
}

@test "two nexts pipelined, on-demand: the first gets the invoke, the second 403 (an invocation is in progress), the next event goes to a later next" {
    pipe_run nexts 2 -e PIPE_N=2
    [ "$status" -eq 0 ] || fx_fail "exit $status"
    [ "$(starts | wc -l)" -eq 2 ] || fx_fail "starts"
    [ "$(starts | sort -u | wc -l)" -eq 2 ] || fx_fail "one invoke started twice"
    local first second
    first=$(sed -n 1p <<<"$ANSWERS")
    second=$(sed -n 2p <<<"$ANSWERS")
    [ "$first" = "200 $(starts | sed -n 1p) {\"n\":1}" ] || fx_fail "first: $first"
    [[ $second == "403 None "*'"errorType":"InvalidStateTransition"'* ]] || fx_fail "second: $second"
    [ "$(sed -n 3p <<<"$ANSWERS")" = "200 $(starts | sed -n 2p) {\"n\":2}" ] || fx_fail "third"
    [ "$(fx_sel '.type=="response"' .body | wc -l)" -eq 2 ] || fx_fail "responses"
}

@test "two nexts pipelined with --concurrency 2: two invokes, each once, answered in request order" {
    pipe_run nexts 2 -e PIPE_N=2 --concurrency 2
    [ "$status" -eq 0 ] || fx_fail "exit $status"
    [ "$(starts | sort -u | wc -l)" -eq 2 ] && [ "$(starts | wc -l)" -eq 2 ] || fx_fail "starts"
    [ "$ANSWERS" = "200 $(starts | sed -n 1p) {\"n\":1}
200 $(starts | sed -n 2p) {\"n\":2}" ] || fx_fail "answers: $ANSWERS"
}

@test "three nexts pipelined with --managed-instances 3: three invokes, each once, in order" {
    pipe_run nexts 3 -e PIPE_N=3 --managed-instances 3
    [ "$status" -eq 0 ] || fx_fail "exit $status"
    [ "$(starts | sort -u | wc -l)" -eq 3 ] && [ "$(starts | wc -l)" -eq 3 ] || fx_fail "starts"
    [ "$ANSWERS" = "200 $(starts | sed -n 1p) {\"n\":1}
200 $(starts | sed -n 2p) {\"n\":2}
200 $(starts | sed -n 3p) {\"n\":3}" ] || fx_fail "answers: $ANSWERS"
}

@test "a response and the following next in one write: 202, then the next invoke, every event delivered" {
    pipe_run respnext 3
    [ "$status" -eq 0 ] || fx_fail "exit $status"
    [ "$(starts | sort -u | wc -l)" -eq 3 ] || fx_fail "starts"
    [ "$(grep -c '^202 ' <<<"$ANSWERS")" -eq 2 ] || fx_fail "202s"
    ! grep -q '^403 ' <<<"$ANSWERS" || fx_fail "a 403"
    [ "$(grep '^200 ' <<<"$ANSWERS" | cut -d' ' -f3)" = '{"n":1}
{"n":2}
{"n":3}' ] || fx_fail "events"
    [ "$(sed -n 2p <<<"$ANSWERS" | cut -d' ' -f1) $(sed -n 3p <<<"$ANSWERS" | cut -d' ' -f1)" = "202 200" ] || fx_fail "order"
    [ "$(fx_sel '.type=="response"' .body | wc -l)" -eq 3 ] || fx_fail "responses"
}
