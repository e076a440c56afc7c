#!/usr/bin/env bats
# The log pipeline's records: request ids, whole multi-line records, threads, deadlines.
load test_helper

ISO='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z'

# check_ids STREAM: every "hello tN" event on STREAM carries the request id of the invoke
# whose event had tag tN (the response body), in Lambda's text prefix.
check_ids() {
    local n=0 rid tag msg
    while IFS=$'\t' read -r rid tag; do
        msg=$(jq -r -R --arg s "$1" --arg t "hello $tag" \
            'fromjson? | select(.type=="function" and .stream==$s and (.message|endswith($t))) | .message' <<<"$output")
        [[ $msg =~ ^$ISO$'\t'"$rid"$'\tINFO\thello '"$tag"$ ]] || {
            echo "invoke $rid ($tag): got '$msg'"
            return 1
        }
        n=$((n + 1))
    done < <(jq -r -R 'fromjson? | select(.type=="response") | [.requestId, (.body|fromjson)] | @tsv' <<<"$output")
    [ "$n" -eq 8 ]
}

eight_events() {
    local i
    for i in 0 1 2 3 4 5 6 7; do
        printf '{"print":["hello t%s"],"tag":"t%s"}\n' "$i" "$i"
    done
}

@test "print lines carry the request id of their invoke, over many invokes (no telemetry fd)" {
    mapfile -t evs < <(eight_events)
    logs_py "${evs[@]}" -- -e LWRAP_LOGS=text --no-telemetry-fd
    [ "$status" -eq 0 ]
    check_ids stdout
}

@test "print lines carry the request id of their invoke, over many invokes (telemetry fd)" {
    mapfile -t evs < <(eight_events)
    logs_py "${evs[@]}" -- -e LWRAP_LOGS=text
    [ "$status" -eq 0 ]
    check_ids telemetry
    # one frame per record, of text type at INFO level
    run -0 jq -r -R 'fromjson? | select(.type=="function" and (.message|test("hello t"))) | .frameType' <<<"$output"
    [ "$(sort -u <<<"$output")" = 0xA55A000F ]
}

@test "with several invocations in flight, each record carries its own request id" {
    local i evs=()
    for i in 0 1 2 3 4 5 6 7; do
        evs+=("{\"print\":[\"hello t$i\"],\"sleep\":0.3,\"print2\":[\"hello t$i\"],\"tag\":\"t$i\"}")
    done
    logs_py "${evs[@]}" -- -e LWRAP_LOGS=text --no-telemetry-fd --concurrency 4
    [ "$status" -eq 0 ]
    local rid tag count
    while IFS=$'\t' read -r rid tag; do
        count=$(jq -r -R --arg t "hello $tag" 'fromjson? | select(.type=="function" and (.message|endswith($t))) | .message' <<<"$output" |
            grep -cE "^$ISO"$'\t'"$rid"$'\tINFO\t')
        [ "$count" -eq 2 ] || { echo "$tag: $count"; false; }
    done < <(jq -r -R 'fromjson? | select(.type=="response") | [.requestId, (.body|fromjson)] | @tsv' <<<"$output")
}

multiline_case() {
    local lang=$1 exc=$2 frame=$3
    shift 3
    logs_handler "$lang" multiline '{}' -- -e LWRAP_LOGS=text "$@"
    [ "$status" -eq 0 ]
    local emu=$output
    # the printed 3-line record is one event
    run -0 jq -r -R 'fromjson? | select(.type=="function" and (.message|test("record line 1[\r\n]record line 2[\r\n]record line 3$"))) | .stream' <<<"$emu"
    [ "${#lines[@]}" -ge 1 ]
    # the stack trace written to stderr arrives as one event with its frames
    run -0 jq -r -R --arg e "$exc" --arg f "$frame" \
        'fromjson? | select(.type=="function" and (.message|contains($e)) and (.message|contains($f)) and (.message|test("caught")|not)) | .message' <<<"$emu"
    [ "${#lines[@]}" -ge 1 ]
    # and no event is an orphaned continuation line
    run -0 jq -r -R 'fromjson? | select(.type=="function" and (.message|test("^[ \t]"))) | .message' <<<"$emu"
    [ -z "$output" ]
}

@test "a traceback is one event: python" {
    multiline_case python "KeyError: 'missing'" $'  File "' --no-telemetry-fd
    multiline_case python "KeyError: 'missing'" $'\n  File "'
}

@test "a stack trace is one event: node" {
    multiline_case node "TypeError: Cannot read properties of null" "    at inner (" --no-telemetry-fd
    multiline_case node "TypeError: Cannot read properties of null" "    at inner ("
}

@test "a stack trace is one event: java" {
    multiline_case java "java.lang.ArrayIndexOutOfBoundsException" $'\tat lwrap.handlers.Multiline.inner' --no-telemetry-fd
    multiline_case java "java.lang.ArrayIndexOutOfBoundsException" $'\tat lwrap.handlers.Multiline.inner'
}

@test "a backtrace is one event: ruby" {
    multiline_case ruby "NoMethodError" $'\tfrom ' --no-telemetry-fd
    multiline_case ruby "NoMethodError" $'\tfrom '
}

@test "without a telemetry fd a record is one line with its inner newlines as \\r" {
    logs_py '{"writes":[[1,"6f6e650a202074776f0a"]]}' -- -e LWRAP_LOGS=text --no-telemetry-fd --raw raw
    [ "$status" -eq 0 ]
    run -0 cat raw/stdout
    [[ $output =~ ^$ISO$'\t'[0-9a-f-]{36}$'\tINFO\tone\r  two'$ ]]
}

@test "threads printing concurrently lose and interleave nothing" {
    logs_py '{"threads":8,"lines":300,"tag":"T"}' -- -e LWRAP_LOGS=text --no-telemetry-fd
    [ "$status" -eq 0 ]
    run -0 jq -r -R 'fromjson? | select(.type=="function" and .stream=="stdout") | .message' <<<"$output"
    local bad
    bad=$(printf '%s\n' "${lines[@]}" | grep -vcE "^$ISO"$'\t'"[0-9a-f-]{36}"$'\tINFO\tT thread [0-7] line [0-9]+$' || true)
    [ "$bad" -eq 0 ]
    [ "$(printf '%s\n' "${lines[@]}" | sed 's/.*\tT //' | sort -u | wc -l)" -eq 2400 ]
    [ "${#lines[@]}" -eq 2400 ]
}

@test "a pending line is written without further writes, even if the process then _exits" {
    logs_py '{"print":["before the silence"],"sleep":1.5,"exit":3}' -- -e LWRAP_LOGS=text --no-telemetry-fd
    run -0 jq -r -R 'fromjson? | select(.type=="function") | .message' <<<"$output"
    [[ $output == *$'\t'"INFO"$'\t'"before the silence"* ]]
}

@test "a child process writing into a pipe is never touched" {
    logs_py '{"child":true}' -- -e LWRAP_LOGS=text
    [ "$status" -eq 0 ]
    run -0 emu_responses
    [ "$output" = '"6100620aff"' ]
}

@test "a record over the size bound is split into several records, nothing lost" {
    local line
    line=$(python3 -c 'print("ab" * 150000, end="")')
    logs_py "{\"print\":[\"$line\"]}" -- -e LWRAP_LOGS=text --no-telemetry-fd --raw raw
    [ "$status" -eq 0 ]
    run -0 python3 - raw/stdout <<'PY'
import sys
recs = open(sys.argv[1], "rb").read().split(b"\n")[:-1]
body = b"".join(r.split(b"\t", 3)[3] for r in recs)
assert body == b"ab" * 150000, len(body)
assert len(recs) == 3 and all(len(r) <= 256 * 1024 for r in recs), [len(r) for r in recs]
print("ok")
PY
}

@test "a crash report (LWRAP_CRASH=1) writes out the pending record first" {
    logs_py '{"print":["before the crash","  its indented part"],"segfault":true}' \
        -- -e LWRAP_LOGS=text -e LWRAP_CRASH=1 --no-telemetry-fd
    run -0 jq -r -R 'fromjson? | select(.type=="function" and .stream=="stdout") | .message' <<<"$output"
    [[ $output =~ ^$ISO$'\t'[0-9a-f-]{36}$'\tINFO\tbefore the crash\r  its indented part'$ ]]
}

# ids_every_runtime LANG [EMU_OPTION...]: three invokes of the `log` handler printing one
# line each, and each printed record carries its own invoke's request id.
ids_every_runtime() {
    local lang=$1
    shift
    logs_handler "$lang" log '{"print":["p0"]}' '{"print":["p1"]}' '{"print":["p2"]}' -- -e LWRAP_LOGS=text "$@"
    [ "$status" -eq 0 ]
    local emu=$output i=0 rid msg
    while read -r rid; do
        msg=$(jq -r -R --arg t "p$i" 'fromjson? | select(.type=="function" and (.message|endswith("\t" + $t))) | .message' <<<"$emu")
        [[ $msg =~ ^$ISO$'\t'"$rid"$'\tINFO\tp'"$i"$ ]] || { echo "$lang invoke $i ($rid): '$msg'"; return 1; }
        i=$((i + 1))
    done < <(jq -r -R 'fromjson? | select(.type=="response") | .requestId' <<<"$emu")
    [ "$i" -eq 3 ]
}

@test "print lines carry their request id in every runtime, telemetry fd on and off" {
    local lang
    for lang in node java ruby; do
        ids_every_runtime "$lang"
        ids_every_runtime "$lang" --no-telemetry-fd
    done
}
