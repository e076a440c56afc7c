#!/usr/bin/env bats
# lambda-emu --managed-instances N: Lambda Managed Instances' environment, N invokes in flight
# in one environment, per-invoke timeouts without a reset, no INVOKE events for extensions,
# JSON system-log lines, the runtime's log socket; then the python (processes), node (worker
# threads, several invokes each) and java (thread pool) test runtimes, N invokes x M lines
# each, every line's request id checked.
load test_helper
load runtimes/suite

@test "the environment: lambda-managed-instances, AWS_LAMBDA_MAX_CONCURRENCY, JSON log format (even over -e), a log socket instead of the telemetry fd" {
    fx_emu --managed-instances 3 -e AWS_LAMBDA_LOG_FORMAT=Text -- '{"do":"env","names":["AWS_LAMBDA_INITIALIZATION_TYPE","AWS_LAMBDA_MAX_CONCURRENCY","AWS_LAMBDA_LOG_FORMAT"]}' '{"do":"env","names":["_LAMBDA_TELEMETRY_LOG_FD_PROVIDER_SOCKET"]}'
    [ "$status" -eq 0 ] || fx_fail
    # the two invokes run at once: their answers may come in either order
    [ "$(fx_sel '.type=="response" and (.body|test("INITIALIZATION_TYPE"))' .body)" = '"{\"AWS_LAMBDA_INITIALIZATION_TYPE\": \"lambda-managed-instances\", \"AWS_LAMBDA_MAX_CONCURRENCY\": \"3\", \"AWS_LAMBDA_LOG_FORMAT\": \"JSON\"}"' ] || fx_fail
    local sock
    sock=$(fx_sel '.type=="response" and (.body|test("PROVIDER_SOCKET"))' '.body|fromjson|._LAMBDA_TELEMETRY_LOG_FD_PROVIDER_SOCKET' | tr -d '"')
    [[ $sock == /tmp/lambda-emu.*/log-runtime-stdio.sock ]] || fx_fail "socket $sock"
    [ ! -e "$sock" ] || fx_fail "the socket is removed at exit"
    [ "$(fx_sel '.type=="function" and .stream=="telemetry"' | wc -l)" -eq 0 ] || fx_fail
}

@test "--managed-instances 4: four nexts in flight, four invokes at once, one init" {
    fx_emu --managed-instances 4 --timeout 20 -- '{"do":"barrier","n":4}' '{"do":"barrier","n":4}' '{"do":"barrier","n":4}' '{"do":"barrier","n":4}' '{}'
    [ "$status" -eq 0 ] || fx_fail
    [ "$(fx_sel '.type=="response"' .status | sort | uniq -c | tr -s ' ')" = ' 5 "success"' ] || fx_fail
    [ "$(fx_types | grep -c '^platform.initStart$')" -eq 1 ] || fx_fail
    # all four started before the first ended
    [ "$(fx_types | grep -E '^platform\.(start|end)$' | head -4 | sort -u)" = platform.start ] || fx_fail
}

@test "a timeout fails only its invoke: no reset, the others go on, the late answer gets 403" {
    # slot 1: A times out at 2 s and answers at 2.6 s (403), then takes D; slot 2: B, then C
    # (until 3.8 s: the emulator is still there when A's late answer comes)
    fx_emu --managed-instances 2 --timeout 2 -- '{"do":"sleep","ms":2600}' '{"do":"sleep","ms":1900}' '{"do":"sleep","ms":1900,"pid":true}' '{"pid":true}'
    [ "$status" -eq 0 ] || fx_fail
    [ "$(fx_sel '.type=="response"' '.status' | sort | uniq -c | awk '{print $1, $2}' | tr '\n' ' ')" = '3 "success" 1 "timeout" ' ] || fx_fail "statuses"
    [ "$(fx_types | grep -c '^platform.initStart$')" -eq 1 ] || fx_fail "one init: no reset"
    [ "$(fx_sel '.type=="function"' | grep -c '"response-post 403 ')" -eq 1 ] || fx_fail "the late answer"
    [ "$(fx_sel '.type=="function"' | sed -n 's/^"pid \([0-9]*\)"$/\1/p' | sort -u | wc -l)" -eq 1 ] || fx_fail "one runtime process"
    [ "$(fx_sel '.type=="platform.report" and .status=="timeout"' .requestId | wc -l)" -eq 1 ] || fx_fail
}

@test "text output: START/END/REPORT are Lambda's JSON system-log records; a timeout says so in runtimeDone and report" {
    run --separate-stderr timeout -k 10 120 "$EMU" --managed-instances 2 --timeout 0.5 \
        --event "$(fx_event '{}')" --event "$(fx_event '{"do":"sleep","ms":1500}')" -- "$EMU_PY" "$EMU_FIX/runtime.py"
    [ "$status" -eq 0 ] || fx_fail
    ! grep -qE '^(START|END|REPORT) RequestId' <<<"$output" || fx_fail "text platform lines"
    ! grep -qE '^[0-9]{4}-[^ ]* [0-9a-f-]{36} Task timed out' <<<"$output" || fx_fail "the text timeout line"
    local sys
    sys=$(jq -cR 'fromjson? | select(.type? // "" | startswith("platform.")) | [.type, .record.status, .record.errorType, (.time|test("^[0-9-]{10}T[0-9:.]{12}Z$"))]' <<<"$output" | sort)
    [ "$sys" = "$(printf '%s\n' '["platform.start",null,null,true]' '["platform.start",null,null,true]' \
        '["platform.runtimeDone","success",null,true]' '["platform.report","success",null,true]' \
        '["platform.runtimeDone","timeout","Sandbox.Timedout",true]' '["platform.report","timeout","Sandbox.Timedout",true]' | sort)" ] || fx_fail "$sys"
    [ "$(jq -cR 'fromjson? | select(.type=="platform.report") | .record.metrics | keys' <<<"$output" | head -1)" = '["billedDurationMs","durationMs","initDurationMs","maxMemoryUsedMB","memorySizeMB"]' ] || fx_fail
}

@test "extensions: SHUTDOWN only; registering for INVOKE is refused (Extension.InvalidEventType) and fails the init" {
    fx_emu --managed-instances 2 --extensions-dir "$(fx_extensions ext1)" -e EMU_EXT_EVENTS=SHUTDOWN -- '{}' '{}'
    [ "$status" -eq 0 ] || fx_fail
    [ "$(fx_sel '.type=="extension"' | grep -c INVOKE)" -eq 0 ] || fx_fail
    [ "$(fx_sel '.type=="extension"' | grep -c 'ext1 SHUTDOWN spindown')" -eq 1 ] || fx_fail
    fx_emu --managed-instances 2 --extensions-dir "$(fx_extensions ext2)" -- '{}'
    [ "$status" -eq 2 ] || fx_fail
    fx_sel '.type=="extension"' | grep -q 'registered 403 {\\"errorMessage\\":\\"INVOKE: invalid event type\\",\\"errorType\\":\\"Extension.InvalidEventType\\"}' || fx_fail
}

@test "internal extensions may register for no event at all" {
    fx_emu --managed-instances 2 -e EMU_FIXTURE_INIT=internal -- '{}'
    fx_sel '.type=="function"' | grep -q 'internal register SHUTDOWN 403 {\\"errorMessage\\":\\"No events allowed for internal extensions\\"' || fx_fail
    fx_sel '.type=="function"' | grep -q '"internal register INVOKE 403"' || fx_fail
}

@test "--concurrency keeps an on-demand environment beside --managed-instances; they must agree" {
    fx_emu --concurrency 2 -- '{"do":"env","names":["AWS_LAMBDA_INITIALIZATION_TYPE","AWS_LAMBDA_MAX_CONCURRENCY"]}'
    [ "$(fx_sel '.type=="response"' .body)" = '"{\"AWS_LAMBDA_INITIALIZATION_TYPE\": \"on-demand\", \"AWS_LAMBDA_MAX_CONCURRENCY\": \"2\"}"' ] || fx_fail
    run -1 "$EMU" --concurrency 3 --managed-instances 2 -- true
    [[ $output == *"--concurrency and --managed-instances disagree"* ]]
    run -0 "$EMU" --concurrency 2 --managed-instances 2 --event "$(fx_event '{}')" -- "$EMU_PY" "$EMU_FIX/runtime.py"
}

@test "the log socket: lines from many connections, a last line without newline, each an event of stream socket" {
    local py=$BATS_TEST_TMPDIR/sock.py
    cat >"$py" <<'PY'
import os, socket, sys, http.client, json
path = os.environ["_LAMBDA_TELEMETRY_LOG_FD_PROVIDER_SOCKET"]
socks = []
for k in range(3):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); s.connect(path); socks.append(s)
    s.sendall(b"conn %d line 1\nconn %d li" % (k, k))
for k, s in enumerate(socks):
    s.sendall(b"ne 2\nconn %d tail" % k); s.close()
host, port = os.environ["AWS_LAMBDA_RUNTIME_API"].rsplit(":", 1)
c = http.client.HTTPConnection(host, int(port))
while True:
    c.request("GET", "/2018-06-01/runtime/invocation/next"); r = c.getresponse(); r.read()
    rid = r.getheader("Lambda-Runtime-Aws-Request-Id")
    c.request("POST", "/2018-06-01/runtime/invocation/%s/response" % rid, b"{}"); c.getresponse().read()
PY
    run --separate-stderr timeout -k 10 120 "$EMU" --log-format json --managed-instances 2 --event "$(fx_event '{}')" -- "$EMU_PY" "$py"
    [ "$status" -eq 0 ] || fx_fail
    [ "$(fx_sel '.type=="function" and .stream=="socket"' | sort)" = "$(for k in 0 1 2; do printf '"conn %d line 1"\n"conn %d line 2"\n"conn %d tail"\n' $k $k $k; done | sort)" ] || fx_fail
}

# ---- the test runtimes ----------------------------------------------------------------

# mi_run LANG N M [EMU_OPTION...]: N invokes of the interleave handler at once (a barrier),
# M lines each, under --managed-instances N.
mi_run() {
    local lang=$1 n=$2 m=$3 ev i
    shift 3
    mkdir -p "$BATS_TEST_TMPDIR/barrier"
    ev=$(jq -cn --arg d "$BATS_TEST_TMPDIR/barrier" --argjson n "$n" --argjson m "$m" '{barrier:$d,count:$n,lines:$m,ms:2}')
    local -a evs=()
    for ((i = 0; i < n; i++)); do evs+=("$ev"); done
    emu_invoke_events "$lang" interleave "${evs[@]}" -- --managed-instances "$n" --timeout 60 "$@"
}

# mi_check N M PRINT_STREAM LOG_STREAM ID_FIELD: every invoke succeeded; N*M print lines on
# PRINT_STREAM and N*M logger records (JSON, ID_FIELD = the invoke's id) on LOG_STREAM, and
# each line names an invoke that was really dispatched, M lines per invoke.
mi_check() {
    local n=$1 m=$2 pstream=$3 lstream=$4 idf=$5 ids
    [ "$status" -eq 0 ] || rt_fail "exit $status"
    [ "$(emu_select '.type=="response"' .status | sort | uniq -c | tr -s ' ')" = " $n \"success\"" ] || rt_fail "statuses"
    ids=$(emu_select '.type=="platform.start"' .requestId | tr -d '"' | sort)
    [ "$(wc -l <<<"$ids")" -eq "$n" ] || rt_fail "ids"
    # print lines: "<id> print i"; each id M times, only dispatched ids
    [ "$(emu_select ".type==\"function\" and .stream==\"$pstream\" and (.message|test(\" print \"))" .message |
        tr -d '"' | awk '{print $1}' | sort | uniq -c | awk '{print $1}' | sort -u)" = "$m" ] || rt_fail "print counts"
    [ "$(emu_select ".type==\"function\" and .stream==\"$pstream\" and (.message|test(\" print \"))" .message |
        tr -d '"' | awk '{print $1}' | sort -u)" = "$ids" ] || rt_fail "print ids"
    # logger records: JSON, their own id field equals the id the message names
    local bad
    bad=$(emu_select ".type==\"function\" and .stream==\"$lstream\" and (.message|test(\" log \"))" \
        "(.message|fromjson) | select(.$idf != (.message|split(\" \")[0])) | .message")
    [ -z "$bad" ] || rt_fail "records with a wrong id: $bad"
    [ "$(emu_select ".type==\"function\" and .stream==\"$lstream\" and (.message|test(\" log \"))" \
        "(.message|fromjson|.$idf)" | tr -d '"' | sort | uniq -c | awk '{print $1}' | sort -u)" = "$m" ] || rt_fail "log counts"
    [ "$(emu_select ".type==\"function\" and .stream==\"$lstream\" and (.message|test(\" log \"))" \
        "(.message|fromjson|.$idf)" | tr -d '"' | sort -u)" = "$ids" ] || rt_fail "log ids"
}

@test "python: one worker process per slot; 4 invokes x 25 lines, prints and JSON records through the log socket, every id right" {
    mi_run python 4 25
    mi_check 4 25 socket socket requestId
    # four processes, none of them the runtime's first one
    [ "$(emu_select '.type=="response"' '.body|fromjson|.pid' | sort -u | wc -l)" -eq 4 ] || rt_fail "pids"
}

@test "node: worker threads with several invokes in flight each; 6 invokes x 20 lines, every id right" {
    mi_run node 6 20 -e LWRAP_TEST_NODE_WORKERS=2
    mi_check 6 20 stdout socket requestId
    # two worker threads, three invokes each, all six in flight together (the barrier)
    [ "$(emu_select '.type=="response"' '.body|fromjson|.thread' | sort | uniq -c | awk '{print $1}' | tr '\n' ' ')" = '3 3 ' ] || rt_fail "threads"
}

@test "java: a thread pool, each thread its own next loop; 4 invokes x 20 lines, every id right" {
    mi_run java 4 20
    mi_check 4 20 stdout stdout AWSRequestId
    [ "$(emu_select '.type=="response"' '.body|fromjson|.thread' | sort -u | wc -l)" -eq 4 ] || rt_fail "threads"
}
