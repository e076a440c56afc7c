#!/usr/bin/env bats
# lambda-emu's Telemetry API (PUT /2022-07-01/telemetry) and Logs API (PUT /2020-08-15/logs)
# with extensions written the way AWS's samples are (tests/fixtures/extensions): a Python
# one with an HTTP listener thread (or a TCP listener), a Node.js one with
# http.createServer, a C one with a pthread listener. Each writes every record it receives to $SUB_OUT as
# {"batch":N,"event":{...}} lines, then {"shutdown":reason}.
load test_helper

SUBS=$REPO/tests/fixtures/extensions

# The listeners bind sandbox.localdomain: the emulator makes it resolve as root with
# CAP_SYS_ADMIN (a private /etc/hosts), or the machine's /etc/hosts names it.
setup() {
    lwrap_test_setup
    getent hosts sandbox.localdomain >/dev/null && return 0
    [[ $(id -u) == 0 ]] && unshare -m true 2>/dev/null && return 0
    [[ $BATS_TEST_DESCRIPTION == *CAP_SYS_ADMIN* ]] ||
        skip "sandbox.localdomain cannot resolve here (not root with CAP_SYS_ADMIN, not in /etc/hosts)"
}

# sub_ext [NAME [FILE]]: an extensions dir with the subscriber as NAME (default tsub).
sub_ext() {
    mkdir -p "$BATS_TEST_TMPDIR/extensions"
    cp "$SUBS/${2:-telemetry_subscriber.py}" "$BATS_TEST_TMPDIR/extensions/${1:-tsub}"
    chmod +x "$BATS_TEST_TMPDIR/extensions/${1:-tsub}"
    printf '%s\n' "$BATS_TEST_TMPDIR/extensions"
}

# sub_run [EMU_OPTION...] [-- EVENT...]: fx_emu with one subscriber; its records in $SUB_OUT.
sub_run() {
    SUB_OUT=$BATS_TEST_TMPDIR/received.jsonl
    rm -f "$SUB_OUT"
    fx_emu --extensions-dir "$(sub_ext)" -e "SUB_OUT=$SUB_OUT" "$@"
}

# sub_sel JQ_FILTER: the filter over the received events (.event), compact, one per line.
sub_sel() {
    jq -c "select(.event) | .event | $1" "$SUB_OUT"
}

# lines_event K N: an event that prints "tK line 1".."tK line N".
lines_event() {
    jq -cn --argjson k "$1" --argjson n "$2" '{do:"print", lines:[range(1; $n + 1) | "t\($k) line \(.)"]}'
}

# sub_attribution: every function record "tK line J" comes once, between the K-th invoke's
# platform.start and its platform.runtimeDone. Prints the count.
sub_attribution() {
    jq -s -r '
        [.[] | select(.event) | .event] as $ev
        | [$ev[] | select(.type=="platform.start") | .record.requestId] as $ids
        | [foreach $ev[] as $e (null;
              if $e.type=="platform.start" then $e.record.requestId
              elif $e.type=="platform.runtimeDone" then null else . end;
              if $e.type=="function" then {cur: ., rec: $e.record} else empty end)]
        | (map(.rec) | group_by(.) | map(select(length > 1) | "DUPLICATE \(.[0])")[]),
          (.[] | (.rec | capture("^t(?<k>[0-9]+) line")?) as $m
              | select($m != null and .cur != $ids[($m.k | tonumber) - 1]) | "MISPLACED \(.rec) \(.cur)"),
          "count \(length)"' "$SUB_OUT"
}

@test "Telemetry API over HTTP: platform records in Lambda's order, each function line once in its invoke" {
    sub_run -- "$(lines_event 1 3)" "$(lines_event 2 2)"
    [ "$status" -eq 0 ] || fx_fail
    [ "$(fx_sel '.type=="extension"' .message | head -1)" = '"tsub subscribe 200 \"OK\""' ] || fx_fail
    [ "$(sub_sel '.type' | grep -v '"function"\|"extension"' | tr -d '"' | tr '\n' ' ')" = \
      "platform.initStart platform.extension platform.telemetrySubscription platform.initRuntimeDone platform.initReport platform.start platform.runtimeDone platform.report platform.start platform.runtimeDone platform.report " ] || { cat "$SUB_OUT"; false; }
    [ "$(sub_attribution)" = "count 5" ] || { sub_attribution; false; }
    # the request ids are the emulator's, in start, runtimeDone and report alike
    [ "$(sub_sel 'select(.type=="platform.start" or .type=="platform.runtimeDone" or .type=="platform.report") | .record.requestId' | uniq | wc -l)" -eq 2 ]
    [ "$(sub_sel 'select(.type=="platform.report") | .record | [.status, (.metrics | keys)]' | head -1)" = \
      '["success",["billedDurationMs","durationMs","initDurationMs","maxMemoryUsedMB","memorySizeMB"]]' ]
    [ "$(sub_sel 'select(.type=="platform.runtimeDone") | [.record.status, (.record.spans | map(.name)), (.record.metrics | keys)]' | head -1)" = \
      '["success",["responseLatency","responseDuration"],["durationMs","producedBytes"]]' ]
    [ "$(sub_sel 'select(.type=="platform.telemetrySubscription") | .record')" = \
      '{"name":"tsub","state":"Subscribed","types":["platform","function","extension"]}' ]
    # extension records: the subscriber's own lines
    [ "$(sub_sel 'select(.type=="extension") | .record' | grep -c 'tsub INVOKE')" -eq 2 ]
    # every event has an ISO 8601 time
    [ "$(sub_sel '.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\\.[0-9]{3}Z$")' | sort -u)" = true ]
    [ "$(tail -1 "$SUB_OUT")" = '{"shutdown": "spindown"}' ]
}

@test "function records are exactly what CloudWatch shows: stdout lines, stderr lines, whole frames" {
    sub_run -- '{"do":"print","lines":["a","b"]}' '{"do":"stderr","text":"err 1\nerr 2\n"}' \
        '{"do":"frame","text":"one\nrecord"}'
    [ "$status" -eq 0 ] || fx_fail
    [ "$(sub_sel 'select(.type=="function") | .record')" = "$(fx_sel '.type=="function"' .message)" ]
    [ "$(sub_sel 'select(.type=="function") | .record' | tail -1)" = '"one\nrecord"' ]
}

@test "JSON log format: a JSON frame's record is the object as written" {
    sub_run -e AWS_LAMBDA_LOG_FORMAT=JSON -- \
        '{"do":"frame","type":2774138894,"text":"{\"timestamp\":\"t\",\"level\":\"INFO\",\"requestId\":\"r1\",\"message\":\"hi\"}"}' \
        '{"do":"print","lines":["{\"level\":\"INFO\",\"message\":\"printed\"}","plain text"]}'
    [ "$status" -eq 0 ] || fx_fail
    [ "$(sub_sel 'select(.type=="function") | .record')" = "$(printf '%s\n' \
        '{"timestamp":"t","level":"INFO","requestId":"r1","message":"hi"}' '{"level":"INFO","message":"printed"}' '"plain text"')" ]
}

@test "the preload's decorated records pass through unchanged (lwrap, LWRAP_LOGS=json, Python runtime)" {
    SUB_OUT=$BATS_TEST_TMPDIR/received.jsonl
    printf '{"lines":["hello","two\\nlines"]}' >ev.json
    run --separate-stderr timeout -k 10 120 "$EMU" --log-format json --event ev.json --extensions-dir "$(sub_ext)" \
        -e "SUB_OUT=$SUB_OUT" -e "AWS_LAMBDA_EXEC_WRAPPER=$LWRAP" -e LWRAP_LOGS=json \
        --handler log.handler --task-root "$HANDLERS/python" -- "$EMU_PY" "$RUNTIMES/python/bootstrap.py"
    [ "$status" -eq 0 ] || fx_fail
    local rid
    rid=$(fx_sel '.type=="platform.start"' .requestId | tr -d '"')
    # lwrap's JSON records are JSON frames: each arrives as the object it wrote
    [ "$(sub_sel 'select(.type=="function") | .record | tojson')" = \
      "$(fx_sel '.type=="function"' '.message | fromjson | tojson')" ]
    [ "$(sub_sel 'select(.type=="function") | .record | [.requestId, .message]')" = "$(printf '["%s","%s"]\n' \
        "$rid" hello "$rid" hello "$rid" 'two\nlines' "$rid" 'two\nlines')" ]
}

@test "batching by count: maxItems 1000 cuts 2500 records into batches of at most 1000" {
    SUB_BUF='{"maxItems":1000,"maxBytes":1048576,"timeoutMs":30000}'
    sub_run -e "SUB_BUFFERING=$SUB_BUF" -e SUB_TYPES=function -- "$(lines_event 1 2500)"
    [ "$status" -eq 0 ] || fx_fail
    run -0 jq -s -r '[.[] | select(.event) | .batch] | group_by(.) | map(length) | @json' "$SUB_OUT"
    [ "$output" = '[1000,1000,500]' ]
    [ "$(sub_attribution)" = "count 2500" ] || { sub_attribution; false; }
}

@test "batching by bytes: maxBytes 262144 keeps each batch under it" {
    SUB_BUF='{"maxItems":10000,"maxBytes":262144,"timeoutMs":30000}'
    local ev
    ev=$(jq -cn '{do:"print", lines:[range(1; 61) | "t1 line \(.) " + ("x" * 10000)]}')
    sub_run -e "SUB_BUFFERING=$SUB_BUF" -e SUB_TYPES=function -- "$ev"
    [ "$status" -eq 0 ] || fx_fail
    run -0 jq -s -r '[.[] | select(.event)] | group_by(.batch) | map(map(.event | tojson | length) | add) | map(. <= 262144) | unique | @json' "$SUB_OUT"
    [ "$output" = '[true]' ]
    [ "$(jq -s '[.[] | select(.event) | .batch] | unique | length' "$SUB_OUT")" -ge 3 ]
    [ "$(sub_attribution)" = "count 60" ] || { sub_attribution; false; }
}

@test "batching by time: timeoutMs 25 sends each invoke's records before the next; 30000 waits for the SHUTDOWN flush" {
    sub_run -e 'SUB_BUFFERING={"timeoutMs":25}' -e SUB_TYPES=function -- "$(lines_event 1 2)" '{"do":"sleep","ms":400}' "$(lines_event 3 2)"
    [ "$status" -eq 0 ] || fx_fail
    # the first invoke's lines went out before the third invoke wrote its own
    [ "$(jq -s '([.[] | select(.event) | select(.event.record | test("^t1")) | .batch] | max) < ([.[] | select(.event) | select(.event.record | test("^t3")) | .batch] | min)' "$SUB_OUT")" = true ]
    sub_run -e 'SUB_BUFFERING={"timeoutMs":30000}' -e SUB_TYPES=function -- "$(lines_event 1 2)" '{"do":"sleep","ms":400}' "$(lines_event 3 2)"
    [ "$status" -eq 0 ] || fx_fail
    # one batch, sent when the shutdown began, before the extension got SHUTDOWN
    [ "$(jq -s -c '[.[] | select(.event) | .batch] | unique' "$SUB_OUT")" = '[1]' ]
    [ "$(jq -s -c '[.[] | select(.event)] | length' "$SUB_OUT")" -eq 4 ]
    [ "$(tail -1 "$SUB_OUT")" = '{"shutdown": "spindown"}' ]
}

@test "a slow listener gets everything once and never holds up the invokes" {
    sub_run -e SUB_SLOW_MS=400 -e 'SUB_BUFFERING={"timeoutMs":25}' -- "$(lines_event 1 2)" "$(lines_event 2 2)" "$(lines_event 3 2)"
    [ "$status" -eq 0 ] || fx_fail
    [ "$(sub_attribution)" = "count 6" ] || { sub_attribution; false; }
    # each invoke took less than one answer of the listener: no invoke waited for a delivery
    [ "$(fx_sel '.type=="platform.report"' '.durationMs < 400' | sort -u)" = true ]
}

@test "a listener that is down at first, or answers 500, gets every record once after retries" {
    sub_run -e SUB_DOWN_MS=700 -e 'SUB_BUFFERING={"timeoutMs":25}' -- "$(lines_event 1 3)" '{"do":"sleep","ms":900}' "$(lines_event 3 2)"
    [ "$status" -eq 0 ] || fx_fail
    [ "$(sub_attribution)" = "count 5" ] || { sub_attribution; false; }
    [[ $(fx_sel '.type=="emu"') == *'delivery to tsub (HTTP port '*') failed: Connection refused; retrying'* ]] || fx_fail
    [ "$(sub_sel 'select(.type=="platform.initStart")' | wc -l)" -eq 1 ]
    sub_run -e SUB_FAIL=2 -e 'SUB_BUFFERING={"timeoutMs":25}' -- "$(lines_event 1 3)" "$(lines_event 2 1)"
    [ "$status" -eq 0 ] || fx_fail
    [ "$(sub_attribution)" = "count 4" ] || { sub_attribution; false; }
    [[ $(fx_sel '.type=="emu"') == *'failed: HTTP status 500; retrying'* ]] || fx_fail
}

@test "a listener that falls behind loses records, and platform.logsDropped says how many" {
    sub_run -e SUB_DOWN_MS=1000 -e 'SUB_BUFFERING={"maxItems":1000,"timeoutMs":25}' -e SUB_TYPES=platform,function \
        -- "$(lines_event 1 5000)" '{"do":"sleep","ms":2500}'
    [ "$status" -eq 0 ] || fx_fail
    local dropped got
    dropped=$(sub_sel 'select(.type=="platform.logsDropped") | .record.droppedRecords' | jq -s add)
    got=$(sub_sel 'select(.type=="function")' | wc -l)
    [ "$dropped" -gt 0 ] || { cat "$SUB_OUT" | head; false; }
    [ "$(sub_sel 'select(.type=="platform.logsDropped") | .record.reason' | head -1)" = \
      '"Consumer seems to have fallen behind as it has not acknowledged receipt of logs."' ]
    # what arrived came in order, without gaps inside what was kept, and nothing twice
    [ "$(sub_attribution)" = "count $got" ] || { sub_attribution; false; }
    [ "$((got + dropped))" -ge 5000 ]
    # the second invoke ended after the listener came up: its runtimeDone and report arrived
    # (its start, right after the first invoke, found the queue still full)
    local rid2
    rid2=$(fx_sel '.type=="platform.start"' .requestId | tail -1)
    [ "$(sub_sel "select(.record.requestId? == $rid2) | .type" | tr -d '"' | tr '\n' ' ')" = \
      "platform.runtimeDone platform.report " ] || { grep -v '"function"' "$SUB_OUT"; false; }
}

@test "TCP destination: newline-delimited JSON, every record once" {
    sub_run -e SUB_PROTO=TCP -e 'SUB_BUFFERING={"timeoutMs":25}' -- "$(lines_event 1 3)" "$(lines_event 2 300)"
    [ "$status" -eq 0 ] || fx_fail
    [ "$(sub_attribution)" = "count 303" ] || { sub_attribution; false; }
    [ "$(sub_sel 'select(.type=="platform.report")' | wc -l)" -eq 2 ]
}

@test "Logs API: its record shapes (platform.start/end/report, lines ending in a newline), runtimeDone with 2021-03-18 only" {
    sub_run -e SUB_API=logs -e 'SUB_BUFFERING={"timeoutMs":25}' -- "$(lines_event 1 2)"
    [ "$status" -eq 0 ] || fx_fail
    [ "$(fx_sel '.type=="extension"' .message | head -1)" = '"tsub subscribe 200 \"OK\""' ]
    [ "$(sub_sel '.type' | grep -v '"function"\|"extension"' | tr -d '"' | tr '\n' ' ')" = \
      "platform.extension platform.logsSubscription platform.start platform.runtimeDone platform.end platform.report " ] || { cat "$SUB_OUT"; false; }
    local rid
    rid=$(fx_sel '.type=="platform.start"' .requestId | tr -d '"')
    [ "$(sub_sel 'select(.type=="platform.start" or .type=="platform.end") | .record')" = \
      "$(printf '{"requestId":"%s","version":"$LATEST"}\n{"requestId":"%s"}' "$rid" "$rid")" ]
    [ "$(sub_sel 'select(.type=="platform.report") | .record | [.requestId == "'"$rid"'", (.metrics|keys)]')" = \
      '[true,["billedDurationMs","durationMs","initDurationMs","maxMemoryUsedMB","memorySizeMB"]]' ]
    [ "$(sub_sel 'select(.type=="function") | .record')" = "$(printf '"t1 line 1\\n"\n"t1 line 2\\n"')" ]
    sub_run -e SUB_API=logs -e SUB_SCHEMA=2020-08-15 -e 'SUB_BUFFERING={"timeoutMs":25}' -- "$(lines_event 1 1)"
    [ "$status" -eq 0 ] || fx_fail
    [ "$(sub_sel 'select(.type=="platform.runtimeDone")' | wc -l)" -eq 0 ]
    [ "$(sub_sel 'select(.type=="platform.report")' | wc -l)" -eq 1 ]
    # a runtime that exits mid-invoke: platform.fault, delivered before the extension's SHUTDOWN
    sub_run -e SUB_API=logs -- '{"do":"exit","code":5}'
    [ "$status" -eq 0 ] || fx_fail
    rid=$(fx_sel '.type=="platform.start"' .requestId | tr -d '"')
    [ "$(sub_sel 'select(.type=="platform.fault") | .record')" = "\"RequestId: $rid Error: Runtime exited with error: exit status 5\"" ] || { cat "$SUB_OUT"; false; }
    [ "$(tail -1 "$SUB_OUT")" = '{"shutdown": "failure"}' ]
}

@test "subscription errors: 400 ValidationError / Logs.ValidationError with the reasons" {
    local body want
    while IFS='|' read -r api body want; do
        sub_run -e "SUB_API=$api" -e "SUB_BODY=$body" -- '{}'
        [ "$(fx_sel '.type=="extension"' .message | head -1)" = "\"tsub subscribe $want\"" ] || fx_fail "$body"
    done <<'EOF'
telemetry|{"schemaVersion":"2022-12-13","types":[],"destination":{"protocol":"HTTP","URI":"http://sandbox.localdomain"}}|400 {\"errorMessage\":\"types should not be empty; URI port is not provided\",\"errorType\":\"ValidationError\"}
telemetry|{"schemaVersion":"2021-01-01","types":["platform"],"destination":{"protocol":"HTTP","URI":"http://sandbox:1234"}}|400 {\"errorMessage\":\"unsupported schemaVersion \\\"2021-01-01\\\"\",\"errorType\":\"ValidationError\"}
telemetry|{"schemaVersion":"2025-01-29","types":["platform","bogus"],"buffering":{"maxItems":999,"maxBytes":262144,"timeoutMs":30001},"destination":{"protocol":"HTTP","URI":"http://sandbox:1234"}}|400 {\"errorMessage\":\"unknown type \\\"bogus\\\" (want platform, function or extension); buffering.maxItems must be between 1000 and 10000; buffering.timeoutMs must be between 25 and 30000\",\"errorType\":\"ValidationError\"}
telemetry|{"schemaVersion":"2022-07-01","types":["function"],"destination":{"protocol":"UDP","port":9}}|400 {\"errorMessage\":\"destination.protocol must be HTTP or TCP\",\"errorType\":\"ValidationError\"}
telemetry|{"schemaVersion":"2022-07-01","types":["function"],"destination":{"protocol":"HTTP","URI":"http://example.com:80/"}}|400 {\"errorMessage\":\"URI host example.com is not in the execution environment (use sandbox.localdomain)\",\"errorType\":\"ValidationError\"}
telemetry|not json|400 {\"errorMessage\":\"the request body is not a JSON object\",\"errorType\":\"ValidationError\"}
logs|{"types":["platform"],"buffering":{"maxBytes":100},"destination":{"protocol":"HTTP","URI":"http://sandbox:1234"}}|400 {\"errorMessage\":\"buffering.maxBytes must be between 262144 and 1048576\",\"errorType\":\"Logs.ValidationError\"}
EOF
}

@test "Node.js subscriber (http.createServer on sandbox.localdomain) gets every record once" {
    SUB_OUT=$BATS_TEST_TMPDIR/received.jsonl
    fx_emu --extensions-dir "$(sub_ext nodesub telemetry_subscriber.mjs)" -e "SUB_OUT=$SUB_OUT" -- "$(lines_event 1 3)" "$(lines_event 2 2)"
    [ "$status" -eq 0 ] || fx_fail
    [ "$(fx_sel '.type=="extension"' .message | head -1)" = '"nodesub subscribe 200 \"OK\""' ]
    [ "$(sub_attribution)" = "count 5" ] || { sub_attribution; false; }
    [ "$(sub_sel 'select(.type=="platform.report")' | wc -l)" -eq 2 ]
    [ "$(tail -1 "$SUB_OUT")" = '{"shutdown":"spindown"}' ]
}

@test "AWS's Node.js runtime client: its records reach a subscriber as CloudWatch shows them" {
    local ric
    ric=$("$REPO/scripts/prepare-ric" 2>/dev/null) || skip "aws-lambda-ric not prepared"
    local index=$ric/node_modules/aws-lambda-ric/index.mjs
    [ -f "$index" ] || skip "aws-lambda-ric not prepared"
    SUB_OUT=$BATS_TEST_TMPDIR/received.jsonl
    printf '{}' >event.json
    run --separate-stderr timeout -k 10 120 "$EMU" --log-format json --event event.json --extensions-dir "$(sub_ext)" \
        -e "SUB_OUT=$SUB_OUT" --handler ric.handler --task-root "$LOGS_FIXTURES/node" -- node "$index" ric.handler
    [ "$status" -eq 0 ] || fx_fail
    local rid
    rid=$(fx_sel '.type=="platform.start"' .requestId | tr -d '"')
    [ "$(sub_sel 'select(.type=="function") | .record')" = "$(fx_sel '.type=="function"' .message)" ]
    [[ $(sub_sel 'select(.type=="function") | .record' | grep 'hello from') == *"$rid"*'INFO'*'hello from the ric'* ]] || { cat "$SUB_OUT"; false; }
    [ "$(sub_sel 'select(.type=="function")' | wc -l)" -eq 3 ]
}

@test "sandbox and sandbox.localdomain resolve for the runtime, /etc/hosts is untouched" {
    [ "$(id -u)" -eq 0 ] || skip "needs root for a private mount namespace"
    local before
    before=$(sha256sum /etc/hosts)
    printf '{}' >ev.json
    run --separate-stderr timeout -k 10 60 "$EMU" --log-format json --event ev.json \
        -- /bin/sh -c 'getent hosts sandbox sandbox.localdomain; exit 3'
    [ "$(jq -r -R 'fromjson? | select(.type=="function") | .message' <<<"$output" | awk '{print $1, $2}' | sort -u)" = \
      "127.0.0.1 sandbox" ] || fx_fail
    [ "$(sha256sum /etc/hosts)" = "$before" ]
    ! getent hosts sandbox.localdomain || grep -q sandbox /etc/hosts
}

@test "without CAP_SYS_ADMIN the emulator says once what to do, and only when extensions run" {
    [ "$(id -u)" -eq 0 ] || skip "needs root to drop a capability"
    command -v setpriv >/dev/null || skip "no setpriv"
    grep -q 'sandbox.localdomain' /etc/hosts && skip "this machine's /etc/hosts names the sandbox already"
    printf '{}' >ev.json
    mkdir -p noext
    run --separate-stderr timeout -k 10 60 setpriv --inh-caps=-sys_admin --bounding-set=-sys_admin \
        "$EMU" --extensions-dir noext --event ev.json -- "$EMU_PY" "$EMU_FIX/runtime.py"
    [ "$status" -eq 0 ] || fx_fail
    [ "$(grep -c 'sandbox' <<<"$stderr")" -eq 1 ]
    [[ $stderr == *'a private mount namespace is refused (no CAP_SYS_ADMIN): add "127.0.0.1 sandbox sandbox.localdomain" to /etc/hosts'* ]] || fx_fail
    run --separate-stderr timeout -k 10 60 setpriv --inh-caps=-sys_admin --bounding-set=-sys_admin \
        "$EMU" --event ev.json -- "$EMU_PY" "$EMU_FIX/runtime.py"
    [ "$status" -eq 0 ] || fx_fail
    [ -z "$stderr" ] || fx_fail
}

@test "C subscriber (a pthread listener on sandbox.localdomain) gets every record once" {
    mkdir -p "$BATS_TEST_TMPDIR/extensions"
    gcc -O1 -Wall -Werror -pthread -o "$BATS_TEST_TMPDIR/extensions/csub" "$SUBS/telemetry_subscriber.c"
    local raw=$BATS_TEST_TMPDIR/raw.jsonl
    fx_emu --extensions-dir "$BATS_TEST_TMPDIR/extensions" -e "SUB_OUT=$raw" -- "$(lines_event 1 3)" "$(lines_event 2 2)"
    [ "$status" -eq 0 ] || fx_fail
    [ "$(fx_sel '.type=="extension"' .message | head -1)" = '"csub subscribe 200 \"OK\""' ]
    # each POST body is a JSON array: number the batches
    SUB_OUT=$BATS_TEST_TMPDIR/received.jsonl
    jq -c -n '[inputs] | to_entries[] | .key as $b | .value | if type == "array" then .[] | {batch: ($b + 1), event: .} else . end' \
        "$raw" >"$SUB_OUT"
    [ "$(sub_attribution)" = "count 5" ] || { sub_attribution; false; }
    [ "$(sub_sel 'select(.type=="platform.report")' | wc -l)" -eq 2 ]
    [ "$(tail -1 "$SUB_OUT")" = '{"shutdown":"spindown"}' ]
}

@test "a failed init: initRuntimeDone and initReport say error or failure with the errorType, before SHUTDOWN" {
    sub_run -e EMU_FIXTURE_INIT=init-error -- '{}'
    [ "$status" -eq 2 ] || fx_fail
    [ "$(sub_sel 'select(.type=="platform.initRuntimeDone" or .type=="platform.initReport") | [.type, .record.status, .record.errorType]')" = \
      "$(printf '%s\n' '["platform.initRuntimeDone","error","Fixture.InitError"]' '["platform.initReport","error","Fixture.InitError"]')" ]
    [ "$(sub_sel 'select(.type=="function") | .record')" = '"init failing"' ]
    [ "$(tail -1 "$SUB_OUT")" = '{"shutdown": "failure"}' ]
    sub_run -e EMU_FIXTURE_INIT=exit:3 -- '{}'
    [ "$status" -eq 2 ] || fx_fail
    [ "$(sub_sel 'select(.type=="platform.initRuntimeDone") | [.record.status, .record.errorType]')" = '["failure","Runtime.ExitError"]' ]
}
