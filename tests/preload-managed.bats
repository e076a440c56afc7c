#!/usr/bin/env bats
# Request ids where several invocations run at once (Lambda Managed Instances,
# AWS_LAMBDA_MAX_CONCURRENCY): every line carries the id of the invocation its thread
# fetched when that is the only one the thread has in flight, and no id otherwise, never
# another invocation's; the runtime's own JSON requestId is left alone; the internal
# extension does not register. N invokes x M lines, every line's id checked
# (tests/helpers/attribution.bash).
load test_helper

setup() {
    lwrap_test_setup
    runtime_python3
}

# one run of LANG with N x M lines in MODE at concurrency C; then check_ids with FLAG
ids_case() {
    local lang=$1 mode=$2 n=$3 m=$4 c=$5 flag=${6:-}
    preload_opts "LWRAP_LOGS=$mode"
    idlines_run "$lang" "$n" "$m" "{\"lines\":$m,\"ms\":5}" --concurrency "$c"
    [ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
    check_ids "$mode" "$n" "$m" $flag
}

@test "python, a thread per slot: 8 invokes x 40 lines at concurrency 4, every line its own id (text, json)" {
    ids_case python text 8 40 4 --all-right
    [ "$(ids_count right)" -eq 320 ]
    ids_case python json 8 40 4 --all-right
    [ "$(ids_count right)" -eq 320 ]
    # several were in flight at once, each fetched by a thread of its own
    [ "$(observer_field start inflight | sort -n | tail -n 1)" -ge 2 ]
}

@test "java, a thread pool: 8 invokes x 40 lines at concurrency 4, every line its own id (text, json)" {
    command -v java >/dev/null || skip "java is not installed"
    ids_case java text 8 40 4 --all-right
    [ "$(ids_count right)" -eq 320 ]
    ids_case java json 8 40 4 --all-right
    [ "$(ids_count right)" -eq 320 ]
}

@test "node, several invokes in flight on one thread: 6 invokes x 40 lines, never a wrong id (text, json)" {
    ids_case node text 6 40 3
    [ "$(ids_count wrong)" -eq 0 ]
    [ "$(ids_count none)" -gt 0 ] # the thread had several in flight: no id is the answer
    ids_case node json 6 40 3
    [ "$(ids_count wrong)" -eq 0 ]
    [ "$(ids_count none)" -gt 0 ]
}

@test "a thread that fetched nothing: the only invocation in flight names it one at a time, not under concurrency" {
    preload_opts LWRAP_LOGS=text
    # one at a time: the only one in flight is the answer (AWS's Node client's case)
    idlines_run python 3 10 '{"lines":10,"ms":2,"helper":true}'
    [ "$status" -eq 0 ]
    check_ids text 3 10 --all-right
    # several may run at once: the only one in flight may be another thread's: none
    idlines_run python 3 10 '{"lines":10,"ms":2,"helper":true}' --concurrency 2
    [ "$status" -eq 0 ]
    check_ids text 3 10 --all-none
    idlines_run python 1 10 '{"lines":10,"ms":2,"helper":true}' -e AWS_LAMBDA_INITIALIZATION_TYPE=lambda-managed-instances
    [ "$status" -eq 0 ]
    check_ids text 1 10 --all-none
}

@test "managed instances: the internal extension does not register (debug channel says why), ids still right" {
    preload_opts LWRAP_LOGS=json LWRAP_EXTENSION=1
    idlines_run python 4 10 '{"lines":10,"ms":2}' --concurrency 2 \
        -e AWS_LAMBDA_INITIALIZATION_TYPE=lambda-managed-instances
    [ "$status" -eq 0 ]
    check_ids json 4 10 --all-right
    [ -z "$(jq -c 'select(.type=="platform.extension")' <<<"$output")" ]
    # (every worker process of the python runtime would have registered on its own)
    [ "$(grep '^ext-' "$OBSERVER_LOG" | cut -d' ' -f1,4 | sort -u)" = "ext-skip why=managed-instances" ]
    [[ $output != *lwrap:* ]]
    # the same with --concurrency alone (no Managed Instances' initialization type) registers
    preload_opts LWRAP_LOGS=json LWRAP_EXTENSION=1
    idlines_run python 2 2 '{"lines":2}' --concurrency 2
    [ "$status" -eq 0 ]
    [ "$(jq -r 'select(.type=="platform.extension") | .name' <<<"$output")" = lwrap ]
}

# undecorate MODE FILE: FILE's lines without lwrap's decoration, ids as <id>, sorted
# (tests/fixtures/preload/undecorate.py).
undecorate() {
    /usr/bin/python3 "$PRELOAD_FIXTURES/undecorate.py" "$@"
}

@test "differential under concurrency: each stream holds the same lines with and without the preload" {
    local mode plain=$BATS_TEST_TMPDIR/plain
    PRELOAD_OPTS=() # no preload at all
    idlines_run python 6 30 '{"lines":30,"ms":2}' --concurrency 3 --no-telemetry-fd --raw "$plain"
    [ "$status" -eq 0 ]
    [ "$(grep -c '^idline ' "$plain/stdout")" -eq 180 ]
    for mode in text json; do
        preload_opts "LWRAP_LOGS=$mode"
        idlines_run python 6 30 '{"lines":30,"ms":2}' --concurrency 3 --no-telemetry-fd --raw "$BATS_TEST_TMPDIR/$mode"
        [ "$status" -eq 0 ]
        check_ids "$mode" 6 30 --all-right
        diff <(undecorate plain "$plain/stdout") <(undecorate "$mode" "$BATS_TEST_TMPDIR/$mode/stdout")
        diff <(undecorate plain "$plain/stderr") <(undecorate "$mode" "$BATS_TEST_TMPDIR/$mode/stderr")
        # each invocation's lines keep their order
        undecorate_order "$mode" "$BATS_TEST_TMPDIR/$mode/stdout"
    done
}

# undecorate_order MODE FILE: the idlines of each invocation arrive in order 0, 1, 2, ...
undecorate_order() {
    if [[ $1 == json ]]; then jq -r '.message // empty' "$2"; else cut -f 4- "$2"; fi |
        awk '$1 == "idline" { if ($3 != n[$2]++) { print "out of order: " $0; bad = 1 } } END { exit bad }'
}

# --managed-instances N (lambda-emu's Managed Instances: AWS_LAMBDA_INITIALIZATION_TYPE=
# lambda-managed-instances, JSON logs, the runtime's log socket): each test runtime's own way

@test "managed instances, python worker processes on the log socket: 8 invokes x 40 lines, every line its own id (text, json)" {
    local mode
    for mode in text json; do
        preload_opts "LWRAP_LOGS=$mode"
        idlines_run python 8 40 '{"lines":40,"ms":5}' --managed-instances 4
        [ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
        check_ids "$mode" 8 40 --all-right
        [ "$(ids_count right)" -eq 320 ]
        # the lines went through the log socket, and each process fetched its own
        [ "$(jq -r 'select(.type=="function") | .stream' <<<"$output" | sort -u)" = socket ]
        [ "$(observer_field start pid | sort -u | wc -l)" -ge 2 ]
    done
}

@test "managed instances, java thread pool: 8 invokes x 40 lines, every line its own id (text, json)" {
    command -v java >/dev/null || skip "java is not installed"
    local mode
    for mode in text json; do
        preload_opts "LWRAP_LOGS=$mode"
        idlines_run java 8 40 '{"lines":40,"ms":5}' --managed-instances 4
        [ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
        check_ids "$mode" 8 40 --all-right
        [ "$(ids_count right)" -eq 320 ]
        [ "$(observer_field start tid | sort -u | wc -l)" -ge 2 ]
    done
}

@test "managed instances, node worker threads with several invokes in flight each: 8 invokes x 40 lines, never a wrong id (text, json)" {
    local mode
    for mode in text json; do
        preload_opts "LWRAP_LOGS=$mode"
        idlines_run node 8 40 '{"lines":40,"ms":5}' --managed-instances 4
        [ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
        check_ids "$mode" 8 40
        [ "$(ids_count wrong)" -eq 0 ]
        # fetched on worker threads, several in flight on one of them
        [ "$(observer_field start tid | sort -u | wc -l)" -ge 2 ]
        [ "$(observer_field start inflight | sort -n | tail -n 1)" -ge 2 ]
    done
}

@test "managed instances differential: each stream (the log socket too) holds the same lines with and without the preload" {
    local mode plain
    PRELOAD_OPTS=()
    idlines_run python 6 30 '{"lines":30,"ms":2}' --managed-instances 3
    [ "$status" -eq 0 ]
    plain=$output
    for mode in text json; do
        preload_opts "LWRAP_LOGS=$mode"
        idlines_run python 6 30 '{"lines":30,"ms":2}' --managed-instances 3
        [ "$status" -eq 0 ]
        check_ids "$mode" 6 30 --all-right
        local stream
        for stream in socket stdout stderr; do
            diff <(jq -r --arg s "$stream" 'select(.type=="function" and .stream==$s) | .message' <<<"$plain" | undecorate plain -) \
                <(jq -r --arg s "$stream" 'select(.type=="function" and .stream==$s) | .message' <<<"$output" | undecorate "$mode" -)
        done
        [ "$(jq -r 'select(.type=="function" and .stream=="socket") | .message' <<<"$plain" | grep -c '^idline ')" -eq 180 ]
    done
}

@test "managed instances: a python worker process's crash report names that worker's invocation" {
    preload_opts LWRAP_CRASH=1
    emu_event_files '{"how":"segfault"}'
    runtime_cmd python
    run --separate-stderr "$EMU" --log-format json --managed-instances 2 "${EMU_EVENT_ARGS[@]}" \
        --handler crash.handler --task-root "$(handler_dir python)" "${PRELOAD_OPTS[@]}" -- "${RUNTIME_CMD[@]}"
    local id line
    id=$(emu_ids platform.start)
    [ -n "$id" ]
    rm -f "/tmp/lwrap-crash-$id.txt"
    line=$(jq -r 'select(.type=="function") | .message | select(startswith("LWRAP CRASH"))' <<<"$output")
    [[ $line == "LWRAP CRASH signal=SIGSEGV (11) "*" requestId=$id pid="* ]] || { echo "$output"; return 1; }
    # written by a worker process, not the one lwrap started in
    [ "$(observer_field start pid)" != "$(observer_field init pid)" ]
}

@test "the rules one by one: several of a thread's own in flight, then exactly one, another thread's, a thread that fetched none" {
    preload_opts
    printf '{}' >e.json
    run --separate-stderr "$EMU" --log-format json --concurrency 3 --event e.json --event e.json --event e.json \
        "${PRELOAD_OPTS[@]}" -- "$RUNTIME_PYTHON3" "$PRELOAD_FIXTURES/two_on_one_thread.py"
    [ "$status" -eq 0 ]
    [ "$(emu_ids platform.start | wc -l)" -eq 3 ]
    local out
    out=$(observer_out | sed 's/\\x0a$//')
    # several in flight on the thread: none
    [ "$(awk '$2 == "two" { print $1 }' <<<"$out")" = - ]
    # one of its two answered: the other is exactly one of its own (it was not the last it fetched)
    [ "$(awk '$2 == "one" && $1 == $3' <<<"$out" | wc -l)" -eq 1 ]
    # the other thread's only one
    [ "$(awk '$2 == "mine" && $1 == $3' <<<"$out" | wc -l)" -eq 1 ]
    # a thread that fetched nothing, two in flight elsewhere: none
    [ "$(awk '$2 == "nobody" { print $1 }' <<<"$out")" = - ]
}

@test "managed instances: one startup trace record per environment (python: the first worker process ready; node, java: the runtime)" {
    local lang
    for lang in python node java; do
        [[ $lang == java ]] && ! command -v java >/dev/null && continue
        preload_opts LWRAP_TRACE=json
        idlines_run "$lang" 4 2 '{"lines":2}' --managed-instances 3
        [ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
        local recs
        recs=$(jq -c 'select(.type=="function") | .message | fromjson? | select(.type=="lwrap.trace")' <<<"$output")
        [ "$(wc -l <<<"$recs")" -eq 1 ] || { echo "$lang: $recs"; return 1; }
        [ "$(jq -r '.outcome == "ready" and .runtimeInitMs > 0 and .filesOpened > 0' <<<"$recs")" = true ]
    done
}
