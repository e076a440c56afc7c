#!/usr/bin/env bats
# The internal extension (LWRAP_EXTENSION=1): registered as "lwrap" for INVOKE before the
# runtime's first `next`, served from a thread so init never waits on it, and a second
# source of the request id when the observer cannot follow the runtime.
load test_helper

setup() {
    lwrap_test_setup
    preload_opts LWRAP_EXTENSION=1
    runtime_python3
}

@test "registers as an internal extension for INVOKE, and init completes" {
    emu_invoke_events python echo '{}' '{}' '{}' -- "${PRELOAD_OPTS[@]}"
    [ "$status" -eq 0 ]
    [ "$(jq -c 'select(.type=="platform.extension")' <<<"$output")" = \
        '{"type":"platform.extension","name":"lwrap","events":["INVOKE"],"internal":true}' ]
    ! jq -e 'select(.type=="platform.initError")' <<<"$output"
    [ "$(jq -r 'select(.type=="response") | .status' <<<"$output" | sort -u)" = success ]
    # registered before the runtime asked for work, then got every INVOKE
    [ "$(awk '$1 == "ext-register" || $1 == "ready" { print $1 }' "$OBSERVER_LOG" | head -n 1)" = ext-register ]
    [ "$(observer_field ext-invoke id)" = "$(emu_ids platform.start)" ]
}

@test "node and java runtimes start and run with the extension" {
    emu_invoke_events node echo '{}' '{}' -- "${PRELOAD_OPTS[@]}"
    [ "$status" -eq 0 ]
    [ "$(jq -r 'select(.type=="response") | .status' <<<"$output" | sort -u)" = success ]
    [ "$(observer_field ext-invoke id)" = "$(emu_ids platform.start)" ]
    emu_invoke_events java echo '{}' '{}' -- "${PRELOAD_OPTS[@]}"
    [ "$status" -eq 0 ]
    [ "$(jq -r 'select(.type=="response") | .status' <<<"$output" | sort -u)" = success ]
}

@test "when the observer cannot follow the runtime, INVOKE supplies the request id" {
    emu_three -e FRAG_MODE=blind "${PRELOAD_OPTS[@]}" -- "$RUNTIME_PYTHON3" "$PRELOAD_FIXTURES/fragments_runtime.py"
    [ "$status" -eq 0 ]
    [ "$(jq -r 'select(.type=="response") | .status' <<<"$output" | sort -u)" = success ]
    grep -q '^lost .*why=response-without-request' "$OBSERVER_LOG"
    ! grep -q '^start ' "$OBSERVER_LOG"
    assert_out_attributed handled
    [ "$(observer_out | awk '$2 == "handled"' | wc -l)" -eq 3 ]
}

@test "without the extension the blind runtime's output has no request id" {
    preload_opts
    emu_three -e FRAG_MODE=blind "${PRELOAD_OPTS[@]}" -- "$RUNTIME_PYTHON3" "$PRELOAD_FIXTURES/fragments_runtime.py"
    [ "$status" -eq 0 ]
    [ "$(observer_out | awk '$2 == "handled" { print $1 }' | sort -u)" = - ]
}

@test "a runtime whose threads all connect at once: registered once, before any next, every time" {
    gcc -O1 -pthread -o threads_runtime "$FIXTURES/sanitizer/threads_runtime.c"
    local i run
    for i in 1 2 3 4; do printf '{"n":%d}' "$i" >"ev$i.json"; done
    for run in 1 2 3 4 5 6; do
        rm -f "$OBSERVER_LOG"
        run -0 --separate-stderr "$EMU" --log-format json --concurrency 8 "${PRELOAD_OPTS[@]}" \
            --event ev1.json --event ev2.json --event ev3.json --event ev4.json -- ./threads_runtime runtime 8
        [[ $output != *"registration failed"* ]] || { echo "run $run: $output"; return 1; }
        [ "$(jq -c 'select(.type=="platform.extension") | .name' <<<"$output")" = '"lwrap"' ]
        [ "$(grep -c '^ext-register ' "$OBSERVER_LOG")" -eq 1 ]
        [ "$(awk '$1 == "ext-register" || $1 == "ready" { print $1 }' "$OBSERVER_LOG" | head -n 1)" = ext-register ]
    done
}
