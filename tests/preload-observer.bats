#!/usr/bin/env bats
# The Runtime API observer: request ids and lifecycle derived from the runtime's own
# traffic, seen through the debug channel, for every test runtime, AWS's real Node.js
# client, odd fragments, pipelining, streaming and concurrent invocations.
load test_helper

setup() {
    lwrap_test_setup
    preload_opts
    runtime_python3
}

# five invokes of the log handler; each prints "line-<n>"
five_log_invokes() {
    local lang=$1
    emu_invoke_events "$lang" log '{"lines":["line-1"],"log":[]}' '{"lines":["line-2"]}' \
        '{"lines":["line-3"]}' '{"lines":["line-4"]}' '{"lines":["line-5"]}' -- "${PRELOAD_OPTS[@]}"
    [ "$status" -eq 0 ]
    [ "$(jq -r 'select(.type=="response") | .status' <<<"$output" | sort -u)" = success ]
    assert_lifecycle_matches 5
    # each printed line is attributed to the invocation that printed it
    local ids i=1 id
    mapfile -t ids < <(emu_ids platform.start)
    for id in "${ids[@]}"; do
        observer_out | grep -F "$id line-$i" >/dev/null || {
            echo "line-$i not attributed to $id"; observer_out; return 1; }
        i=$((i + 1))
    done
}

@test "python: five invokes, every start/end and printed line attributed" {
    five_log_invokes python
}

@test "node: five invokes, every start/end and printed line attributed" {
    five_log_invokes node
}

@test "java: five invokes, every start/end and printed line attributed" {
    five_log_invokes java
}

@test "ruby: five invokes, every start/end and printed line attributed" {
    five_log_invokes ruby
}

@test "deadline and trace id come from the next response's headers" {
    emu_invoke python echo '{}' "${PRELOAD_OPTS[@]}"
    [ "$status" -eq 0 ]
    [[ $(observer_field start deadline) =~ ^[0-9]{13}$ ]]
    [[ $(observer_field start trace) == Root=1-* ]]
    [ "$(observer_field start fd)" = "$(observer_field ready fd)" ]
}

@test "handler errors end the invocation through /error" {
    emu_invoke_events python error '{}' '{}' -- "${PRELOAD_OPTS[@]}"
    [ "$status" -eq 0 ]
    assert_lifecycle_matches 2
    [ "$(observer_field end via | sort -u)" = error ]
}

@test "init error: /init/error is seen and nothing starts" {
    emu_invoke python no_such_module '{}' "${PRELOAD_OPTS[@]}"
    grep -q '^init-error ' "$OBSERVER_LOG"
    ! grep -q '^start ' "$OBSERVER_LOG"
}

@test "requests written in odd fragments, responses read byte by byte (keep-alive)" {
    emu_three -e FRAG_MODE=plain "${PRELOAD_OPTS[@]}" -- "$RUNTIME_PYTHON3" "$PRELOAD_FIXTURES/fragments_runtime.py"
    [ "$status" -eq 0 ]
    assert_lifecycle_matches 3
    [ "$(observer_field start fd | sort -u | wc -l)" -eq 1 ] # one connection throughout
    assert_out_attributed handled
}

@test "a connection sending something that is not HTTP is dropped, the others kept" {
    emu_three -e FRAG_MODE=garbage "${PRELOAD_OPTS[@]}" -- "$RUNTIME_PYTHON3" "$PRELOAD_FIXTURES/fragments_runtime.py"
    [ "$status" -eq 0 ]
    [ "$(grep -c '^lost ' "$OBSERVER_LOG")" -eq 1 ]
    grep -q '^lost .* why=malformed-request$' "$OBSERVER_LOG"
    grep -v '^lost ' "$OBSERVER_LOG" >"$BATS_TEST_TMPDIR/rest"
    OBSERVER_LOG=$BATS_TEST_TMPDIR/rest assert_lifecycle_matches 3
    assert_out_attributed handled
}

@test "streaming (chunked) responses in fragments end their invocation" {
    emu_three -e FRAG_MODE=chunked "${PRELOAD_OPTS[@]}" -- "$RUNTIME_PYTHON3" "$PRELOAD_FIXTURES/fragments_runtime.py"
    [ "$status" -eq 0 ]
    [ "$(jq -r 'select(.type=="response") | .streamed' <<<"$output" | sort -u)" = true ]
    assert_lifecycle_matches 3
    assert_out_attributed handled
}

@test "pipelined requests and answers arriving together pair up" {
    emu_three -e FRAG_MODE=pipeline "${PRELOAD_OPTS[@]}" -- "$RUNTIME_PYTHON3" "$PRELOAD_FIXTURES/fragments_runtime.py"
    [ "$status" -eq 0 ]
    [ "$(jq -r 'select(.type=="emu") | .message' <<<"$output" | grep -c ' -> 404 ')" -ge 3 ]
    assert_lifecycle_matches 3
    assert_out_attributed handled
}

@test "node streaming handler: the chunked response POST ends the invocation" {
    emu_invoke_events node stream '{}' '{}' -- "${PRELOAD_OPTS[@]}"
    [ "$status" -eq 0 ]
    [ "$(jq -r 'select(.type=="response") | .streamed' <<<"$output" | sort -u)" = true ]
    assert_lifecycle_matches 2
}

@test "concurrent invocations on several threads are each attributed to their own id" {
    local ev=$BATS_TEST_TMPDIR/slow.json
    printf '{"ms":300}' >"$ev"
    runtime_cmd python
    run --separate-stderr "$EMU" --log-format json --concurrency 4 \
        --event "$ev" --event "$ev" --event "$ev" --event "$ev" --event "$ev" --event "$ev" \
        --handler whoami.handler --task-root "$PRELOAD_FIXTURES/handlers" "${PRELOAD_OPTS[@]}" \
        -- "${RUNTIME_CMD[@]}"
    [ "$status" -eq 0 ]
    assert_lifecycle_matches 6
    # several were in flight at once, fetched on more than one thread
    [ "$(observer_field start inflight | sort -n | tail -n 1)" -ge 2 ]
    [ "$(observer_field start tid | sort -u | wc -l)" -ge 2 ]
    assert_out_attributed whoami
    [ "$(observer_out | awk '$2 == "whoami"' | wc -l)" -eq 6 ]
}

@test "node: concurrent invocations on one thread are never attributed to the wrong id" {
    local ev=$BATS_TEST_TMPDIR/slow.json
    printf '{"ms":300}' >"$ev"
    runtime_cmd node
    run --separate-stderr "$EMU" --log-format json --concurrency 3 \
        --event "$ev" --event "$ev" --event "$ev" --event "$ev" \
        --handler whoami.handler --task-root "$PRELOAD_FIXTURES/handlers" "${PRELOAD_OPTS[@]}" \
        -- "${RUNTIME_CMD[@]}"
    [ "$status" -eq 0 ]
    assert_lifecycle_matches 4
    [ "$(observer_out | awk '$2 == "whoami"' | wc -l)" -eq 4 ]
    assert_out_never_wrong whoami
}

@test "AWS's Node.js client: worker thread fetches, main thread logs, ids still right" {
    local ric
    ric=$("$REPO/scripts/prepare-ric" 2>/dev/null) || skip "aws-lambda-ric not prepared"
    local index=$ric/node_modules/aws-lambda-ric/index.mjs
    [ -f "$index" ] || skip "aws-lambda-ric not prepared"
    emu_three --handler whoami.handler --task-root "$PRELOAD_FIXTURES/handlers" "${PRELOAD_OPTS[@]}" \
        -- node "$index" whoami.handler
    [ "$status" -eq 0 ]
    [ "$(jq -r 'select(.type=="response") | .status' <<<"$output" | sort -u)" = success ]
    assert_lifecycle_matches 3
    # fetched on other threads than the one that printed, over a new connection each time
    local main
    main=$(observer_field ready pid)
    ! observer_field start tid | grep -qx "$main"
    [ "$(observer_field start fd | wc -l)" -eq 3 ]
    assert_out_attributed whoami
}

@test "observer off: nothing preloaded-visible happens without a feature" {
    runtime_cmd python
    emu_invoke python echo '{"a":1}' -e "LD_PRELOAD=$LIBLWRAP"
    [ "$status" -eq 0 ]
    [ "$(jq -r 'select(.type=="response") | .body' <<<"$output")" = '{"a": 1}' ]
    [ "$(jq -r 'select(.type=="function") | .message' <<<"$output")" = "" ]
}
