#!/usr/bin/env bats
# lambda-emu at the edges of its output and its inputs: a line without its newline at an
# invoke's end, option values bound for headers, Telemetry API validation messages and
# where platform.logsDropped stands in the stream.
load test_helper

SUBS=$REPO/tests/fixtures/extensions

teardown() {
    [[ -n ${EMU_PID:-} ]] && kill -KILL "$EMU_PID" 2>/dev/null || true
    lwrap_test_teardown
}

# needs_sandbox: the subscriber binds sandbox.localdomain (see emulator-telemetry.bats)
needs_sandbox() {
    getent hosts sandbox.localdomain >/dev/null && return 0
    [[ $(id -u) == 0 ]] && unshare -m true 2>/dev/null && return 0
    skip "sandbox.localdomain cannot resolve here (not root with CAP_SYS_ADMIN, not in /etc/hosts)"
}

# sub_run [EMU_OPTION...] [-- EVENT...]: fx_emu with the Python subscriber as "tsub"; its
# records in $SUB_OUT as {"batch":N,"event":{...}} lines.
sub_run() {
    needs_sandbox
    SUB_OUT=$BATS_TEST_TMPDIR/received.jsonl
    rm -f "$SUB_OUT"
    mkdir -p "$BATS_TEST_TMPDIR/extensions"
    cp "$SUBS/telemetry_subscriber.py" "$BATS_TEST_TMPDIR/extensions/tsub"
    chmod +x "$BATS_TEST_TMPDIR/extensions/tsub"
    fx_emu --extensions-dir "$BATS_TEST_TMPDIR/extensions" -e "SUB_OUT=$SUB_OUT" "$@"
}

sub_sel() {
    jq -c "select(.event) | .event | $1" "$SUB_OUT"
}

# ---- a line without '\n' at an invoke's end ----

@test "output without a final newline is its invoke's own event, before its response (stdout and stderr)" {
    fx_emu -- '{"do":"printraw","text":"one\nt1 no newline"}' '{"do":"stderr","text":"t2 err no newline"}' \
        '{"do":"printraw","text":"t3 no newline"}'
    [ "$status" -eq 0 ] || fx_fail
    local ids
    mapfile -t ids < <(fx_sel '.type=="platform.start"' .requestId)
    [ "${#ids[@]}" -eq 3 ]
    [ "$(jq -c -R 'fromjson? | select(.type=="function" or .type=="response" or .type=="platform.end")
                   | [.type, .stream, .message, .requestId]' <<<"$output")" = "$(cat <<EOF
["function","stdout","one",${ids[0]}]
["function","stdout","t1 no newline",${ids[0]}]
["response",null,null,${ids[0]}]
["platform.end",null,null,${ids[0]}]
["function","stderr","t2 err no newline",${ids[1]}]
["response",null,null,${ids[1]}]
["platform.end",null,null,${ids[1]}]
["function","stdout","t3 no newline",${ids[2]}]
["response",null,null,${ids[2]}]
["platform.end",null,null,${ids[2]}]
EOF
)" ] || fx_fail
}

@test "a newline that comes after its line was cut at the invoke's end adds no empty line" {
    # print("x") is two writes, "x" then "\n": the invoke may end between them
    fx_emu -- '{"do":"printraw","text":"t1 a"}' '{"do":"printraw","text":"\nt2 b\n\nt2 c"}'
    [ "$status" -eq 0 ] || fx_fail
    local ids
    mapfile -t ids < <(fx_sel '.type=="platform.start"' .requestId)
    [ "$(fx_sel '.type=="function"' '[.message, .requestId]')" = "$(cat <<EOF
["t1 a",${ids[0]}]
["t2 b",${ids[1]}]
["",${ids[1]}]
["t2 c",${ids[1]}]
EOF
)" ] || fx_fail
}

@test "a bash+curl runtime's printf without newline shows under its invoke in text mode, nothing after the last REPORT" {
    command -v curl >/dev/null || skip "no curl"
    mkdir task
    cat >task/bootstrap <<'SH'
#!/bin/bash
n=0
while true; do
  hdr=$(mktemp)
  curl -sS -o /dev/null -D "$hdr" "http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation/next"
  rid=$(grep -i '^lambda-runtime-aws-request-id:' "$hdr" | tr -d '\r' | awk '{print $2}')
  n=$((n+1))
  printf 'invoke %d says hello without newline' $n
  curl -sS -o /dev/null -d '"ok"' "http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation/$rid/response"
done
SH
    chmod +x task/bootstrap
    printf '{}' >ev.json
    run --separate-stderr timeout -k 10 120 "$EMU" --task-root "$PWD/task" --event ev.json --event ev.json -- "$PWD/task/bootstrap"
    [ "$status" -eq 0 ] || fx_fail
    [ "$(sed -E 's/RequestId: [0-9a-f-]{36}.*/RequestId: ID/' <<<"$output")" = "$(cat <<'EOF'
START RequestId: ID
invoke 1 says hello without newline
RESPONSE RequestId: ID
END RequestId: ID
REPORT RequestId: ID
START RequestId: ID
invoke 2 says hello without newline
RESPONSE RequestId: ID
END RequestId: ID
REPORT RequestId: ID
EOF
)" ] || fx_fail
}

@test "a Telemetry API subscriber gets the unterminated line as a function record of its own invoke" {
    sub_run -e 'SUB_BUFFERING={"timeoutMs":25}' -e SUB_TYPES=platform,function \
        -- '{"do":"printraw","text":"t1 no newline"}' '{"do":"printraw","text":"t2 no newline"}'
    [ "$status" -eq 0 ] || fx_fail
    local ids
    mapfile -t ids < <(fx_sel '.type=="platform.start"' .requestId)
    [ "$(sub_sel 'select(.type=="platform.start" or .type=="platform.runtimeDone" or .type=="function")
                  | [.type, if .type=="function" then .record else .record.requestId end]')" = "$(cat <<EOF
["platform.start",${ids[0]}]
["function","t1 no newline"]
["platform.runtimeDone",${ids[0]}]
["platform.start",${ids[1]}]
["function","t2 no newline"]
["platform.runtimeDone",${ids[1]}]
EOF
)" ] || { cat "$SUB_OUT"; false; }
}

# ---- option values bound for headers and the environment ----

@test "--function-name Lambda would refuse (CR/LF, a dot, 65 characters) is a usage error before anything starts" {
    local ev name
    ev=$(fx_event '{}')
    run --separate-stderr "$EMU" --function-name $'fn\r\nX-Injected: yes' --event "$ev" -- touch started
    [ "$status" -eq 1 ]
    [ "${stderr%%$'\n'*}" = "lambda-emu: --function-name \"fn\\r\\nX-Injected: yes\": want 1-64 letters, digits, '-' or '_' (a Lambda function name)" ]
    [ -z "$output" ]
    [ ! -e started ]
    run --separate-stderr "$EMU" --function-name my.fn --event "$ev" -- touch started
    [ "$status" -eq 1 ]
    [[ ${stderr%%$'\n'*} == 'lambda-emu: --function-name "my.fn": want 1-64 '* ]]
    name=$(printf 'a%.0s' {1..65})
    run --separate-stderr "$EMU" --function-name "$name" --event "$ev" -- touch started
    [ "$status" -eq 1 ]
    [ ! -e started ]
    # 64 characters of the allowed set is a good name, in the ARN as given
    name=Fn_-$(printf '9%.0s' {1..60})
    fx_emu --function-name "$name" -- '{"do":"headers"}'
    [ "$status" -eq 0 ] || fx_fail
    [ "$(fx_sel '.type=="response"' '.body|fromjson|."Lambda-Runtime-Invoked-Function-Arn"')" = \
      "\"arn:aws:lambda:us-east-1:012345678912:function:$name\"" ]
}

@test "--handler with a space or newline, --client-context / --cognito-identity with CR or LF are usage errors" {
    local ev
    ev=$(fx_event '{}')
    run --separate-stderr "$EMU" --handler $'app.handler\nX' --event "$ev" -- touch started
    [ "$status" -eq 1 ]
    [ "${stderr%%$'\n'*}" = 'lambda-emu: --handler "app.handler\nX": want 1-128 characters without spaces or control characters' ]
    run --separate-stderr "$EMU" --client-context $'{"a":1}\r\nX-Injected: yes' --event "$ev" -- touch started
    [ "$status" -eq 1 ]
    [ "${stderr%%$'\n'*}" = 'lambda-emu: --client-context "{\"a\":1}\r\nX-Injected: yes": control characters (CR, LF, ...) cannot go into an HTTP header' ]
    run --separate-stderr "$EMU" --cognito-identity $'{}\nX: y' --event "$ev" -- touch started
    [ "$status" -eq 1 ]
    [[ ${stderr%%$'\n'*} == 'lambda-emu: --cognito-identity "{}\nX: y": control characters'* ]]
    [ ! -e started ]
}

@test "--listen: a caller's client context cannot add headers to next (JSON whitespace becomes spaces; other control bytes: 400)" {
    command -v curl >/dev/null || skip "no curl"
    "$EMU" --log-format json --listen 127.0.0.1:0 -- "$EMU_PY" "$EMU_FIX/runtime.py" >emu.out 2>emu.err &
    EMU_PID=$!
    local i port=
    for ((i = 0; i < 200; i++)); do
        port=$(sed -n 's/.*"listening on 127.0.0.1:\([0-9]*\)".*/\1/p' emu.out 2>/dev/null || true)
        [[ -n $port ]] && break
        sleep 0.05
    done
    [ -n "$port" ]
    local url=http://127.0.0.1:$port/2015-03-31/functions/function/invocations
    run -0 curl -sS -H "X-Amz-Client-Context: $(printf '{\r\n"custom":{"a":1}\n}' | base64 -w0)" -d '{"do":"headers"}' "$url"
    [ "$(jq -r '."Lambda-Runtime-Client-Context"' <<<"$output")" = '{  "custom":{"a":1} }' ]
    [ "$(jq -r 'has("X-Injected")' <<<"$output")" = false ]
    run -0 curl -sS -w ' %{http_code}' -H "X-Amz-Client-Context: $(printf 'x\r\nX-Injected: yes' | base64 -w0)" -d '{"do":"headers"}' "$url"
    [ "$output" = '{"errorMessage":"Client context must be a valid Base64-encoded JSON object.","errorType":"InvalidRequestContentException"} 400' ]
    kill -TERM "$EMU_PID"
    wait "$EMU_PID"
}

# ---- Telemetry API: validation messages, the destination URI, logsDropped ----

@test "subscription errors say what is wrong: where the JSON breaks, a value of the wrong type, a URI with CR/LF" {
    local body want
    while IFS='|' read -r body want; do
        sub_run -e "SUB_BODY=$body" -- '{}'
        [ "$(fx_sel '.type=="extension"' .message | head -1)" = "\"tsub subscribe $want\"" ] || fx_fail "$body"
    done <<'EOF'
{"schemaVersion":"2022-12-13","types":["platform"],"buffering":{"maxBytes":Infinity},"destination":{"protocol":"HTTP","URI":"http://sandbox:1234"}}|400 {\"errorMessage\":\"the request body is not valid JSON: unexpected 'I' at offset 75\",\"errorType\":\"ValidationError\"}
{"schemaVersion":"2022-12-13","types":["platform"]|400 {\"errorMessage\":\"the request body is not valid JSON: it ends in the middle (after 50 bytes)\",\"errorType\":\"ValidationError\"}
{"schemaVersion":"2022-12-13","types":"platform","destination":{"protocol":"HTTP","URI":"http://sandbox:1234"}}|400 {\"errorMessage\":\"types must be an array of strings\",\"errorType\":\"ValidationError\"}
{"schemaVersion":"2022-12-13","destination":{"protocol":"HTTP","URI":"http://sandbox:1234"}}|400 {\"errorMessage\":\"types is required\",\"errorType\":\"ValidationError\"}
{"schemaVersion":"2022-12-13","types":["platform"],"buffering":{"maxBytes":1e400},"destination":{"protocol":"HTTP","URI":"http://sandbox:1234"}}|400 {\"errorMessage\":\"buffering.maxBytes must be an integer\",\"errorType\":\"ValidationError\"}
{"schemaVersion":"2022-12-13","types":["platform"],"destination":{"protocol":"TCP","port":"4321"}}|400 {\"errorMessage\":\"destination.port must be an integer between 1 and 65535\",\"errorType\":\"ValidationError\"}
{"schemaVersion":"2022-12-13","types":["platform"],"destination":{"protocol":"TCP"}}|400 {\"errorMessage\":\"destination.port is required for TCP\",\"errorType\":\"ValidationError\"}
{"schemaVersion":"2022-12-13","types":["platform"],"destination":{"protocol":"HTTP","URI":1234}}|400 {\"errorMessage\":\"destination.URI must be a string\",\"errorType\":\"ValidationError\"}
{"schemaVersion":"2022-12-13","types":["platform"],"destination":"http://sandbox:1234"}|400 {\"errorMessage\":\"destination must be an object\",\"errorType\":\"ValidationError\"}
{"schemaVersion":"2022-12-13","types":["platform"],"destination":{"protocol":"HTTP","URI":"http://sandbox:1234/a\r\nX-Evil: 1"}}|400 {\"errorMessage\":\"URI must not contain spaces, control characters or non-ASCII bytes (byte 21 is 0x0d)\",\"errorType\":\"ValidationError\"}
{"schemaVersion":"2022-12-13","types":["platform"],"destination":{"protocol":"HTTP","URI":"http://sandbox:1234/a b"}}|400 {\"errorMessage\":\"URI must not contain spaces, control characters or non-ASCII bytes (byte 21 is 0x20)\",\"errorType\":\"ValidationError\"}
[1]|400 {\"errorMessage\":\"the request body is not a JSON object\",\"errorType\":\"ValidationError\"}
EOF
}

@test "platform.logsDropped stands where the records went missing, and no batch holds more than maxItems" {
    sub_run -e SUB_DOWN_MS=1000 -e 'SUB_BUFFERING={"maxItems":1000,"timeoutMs":25}' -e SUB_TYPES=function \
        -- "$(jq -cn '{do:"print", lines:[range(1; 6001) | "t1 line \(.)"]}')" '{"do":"sleep","ms":2500}'
    [ "$status" -eq 0 ] || fx_fail
    # walk the records in delivery order: after a logsDropped of N records the next line is
    # the previous one + N + 1; without one it is the previous + 1
    run -0 jq -s -r '
        [.[] | select(.event) | {b: .batch, t: .event.type, r: .event.record}] as $ev
        | "largest batch \($ev | group_by(.b) | map(length) | max)",
          ($ev | reduce .[] as $e ({prev: 0, pend: 0, bad: [], drops: 0, markers: 0};
              if $e.t == "platform.logsDropped" then
                  .pend += $e.r.droppedRecords | .drops += $e.r.droppedRecords | .markers += 1
              elif $e.t == "function" then
                  ($e.r | capture("line (?<n>[0-9]+)").n | tonumber) as $n
                  | (if $n != .prev + 1 + .pend then .bad += ["after line \(.prev) came line \($n) with \(.pend) dropped between"] else . end)
                  | .prev = $n | .pend = 0
              else . end)
           | (.bad[]), "accounted for \(.prev + .pend)", (if .markers > 0 then "dropped some" else "dropped none" end))' "$SUB_OUT"
    [ "$output" = "largest batch 1000
accounted for 6000
dropped some" ] || { printf '%s\n' "$output"; grep -c . "$SUB_OUT"; false; }
}

# ---- error messages in INIT_REPORT / RESTORE_REPORT ----

# A message as Python's json.dumps writes it (every non-ASCII character as \uXXXX, a
# character outside the BMP as a surrogate pair), with a lone surrogate of each kind, a
# \u without four hex digits, and a newline and a tab.
UNI_BODY='{"errorMessage":"caf\u00e9 \u2603 \ud83d\ude00 [\ud800] [\udc00] [\u12G4] \"q\"\nsecond\tline","errorType":"Fixture.Uni"}'
UNI_TEXT=$'café ☃ 😀 [\uFFFD] [\uFFFD] [\uFFFD12G4] "q"\nsecond\tline'

@test "init/error's errorMessage is decoded as JSON (\\uXXXX to UTF-8, surrogate pairs, bad ones to U+FFFD); INIT_REPORT stays one line" {
    fx_emu -e EMU_FIXTURE_INIT=init-error-body -e "EMU_FIXTURE_INIT_BODY=$UNI_BODY" -- '{}'
    [ "$(fx_sel '.type=="platform.initError"' .message | head -1 | jq -r .)" = "$UNI_TEXT" ] || fx_fail "json message"
    run --separate-stderr timeout -k 10 120 "$EMU" -e EMU_FIXTURE_INIT=init-error-body -e "EMU_FIXTURE_INIT_BODY=$UNI_BODY" \
        --event "$(fx_event '{}')" -- "$EMU_PY" "$EMU_FIX/runtime.py"
    local line
    line=$(grep -m1 '^INIT_REPORT.*Status: error' <<<"$output")
    [ "$line" = $'INIT_REPORT Init Duration: '"$(sed 's/^INIT_REPORT Init Duration: \([0-9.]*\) ms.*/\1/' <<<"$line")"$' ms\tPhase: init\tStatus: error\tError Type: Runtime.Fixture\tcafé ☃ 😀 [\uFFFD] [\uFFFD] [\uFFFD12G4] "q"\\nsecond\\tline' ] || fx_fail "text: $line"
    # the line after it is the emulator's next, never the message's second line
    ! grep -q '^second' <<<"$output" || fx_fail "split report"
}

@test "restore/error's errorMessage is decoded as JSON; RESTORE_REPORT stays one line (control characters as \\n, \\t, \\u00XX)" {
    local body='{"errorMessage":"caf\u00e9 \u2603 \ud83d\ude00 [\ud800] [\udc00] [\u12G4] \u0007\nsecond\tline","errorType":"Fixture.Uni"}'
    fx_emu --snapstart -e "EMU_FIXTURE_SNAP=restore;rerr:Runtime.AfterRestoreError:$body" -- '{}'
    [ "$(fx_sel '.type=="platform.restoreReport" and .status=="error"' .message | head -1 | jq -r .)" = $'café ☃ 😀 [\uFFFD] [\uFFFD] [\uFFFD12G4] \a\nsecond\tline' ] || fx_fail "json message"
    run --separate-stderr timeout -k 10 120 "$EMU" --snapstart -e "EMU_FIXTURE_SNAP=restore;rerr:Runtime.AfterRestoreError:$body" \
        --event "$(fx_event '{}')" -- "$EMU_PY" "$EMU_FIX/runtime.py"
    [ "$(grep -m1 '^RESTORE_REPORT' <<<"$output" | cut -f2-)" = $'Status: error\tError Type: Runtime.AfterRestoreError\tcafé ☃ 😀 [\uFFFD] [\uFFFD] [\uFFFD12G4] \\u0007\\nsecond\\tline' ] || fx_fail "text"
    ! grep -q '^second' <<<"$output" || fx_fail "split report"
}

# ---- diagnostics and system lines ----

@test "every numeric option's error names the range it accepts" {
    local -a cases=(
        "--managed-instances abc|--managed-instances: want a whole number from 1 to 256"
        "--concurrency 0|--concurrency: want a whole number from 1 to 256"
        "--memory 99999|--memory: want a whole number from 128 to 10240"
        "--snapshot-pause -1|--snapshot-pause: want a whole number from 0 to 600000"
        "--timeout x|--timeout: want a number of seconds above 0 and at most 86400 (fractions allowed)"
        "--init-timeout 0|--init-timeout: want a number of seconds above 0 and at most 86400 (fractions allowed)"
        "--idle-timeout -1|--idle-timeout: want a number of seconds above 0 and at most 86400 (fractions allowed; 0 = never)"
        "--max-wall 1e9|--max-wall: want a number of seconds above 0 and at most 86400 (fractions allowed; 0 = never)"
        "--listen 127.0.0.1:70000|--listen port: want a whole number from 0 to 65535"
    )
    local c
    for c in "${cases[@]}"; do
        # shellcheck disable=SC2086 # the option and its value are two words
        run --separate-stderr "$EMU" ${c%%|*} -- /bin/true
        [ "$status" -eq 1 ] || fx_fail "$c: exit $status"
        [ "$(head -1 <<<"$stderr")" = "lambda-emu: ${c#*|}" ] || fx_fail "$c: $(head -1 <<<"$stderr")"
    done
}

@test "init/error while restoring gets Lambda's 403 naming the state (Restoring to InitError), not 'before the first next'" {
    fx_emu --snapstart -e 'EMU_FIXTURE_SNAP=restore;ierr' -- '{}'
    [ "$status" -eq 0 ] || fx_fail
    [ "$(fx_sel '.type=="function" and (.message|startswith("init/error"))' | jq -r .)" = 'init/error 403 {"errorMessage":"State transition from Restoring to InitError failed for runtime. Error: State transition is not allowed","errorType":"InvalidStateTransition"}' ] || fx_fail
}

@test "Managed Instances, text output: a crash and a failed init are JSON system records like the others (platform.fault, platform.initReport)" {
    run --separate-stderr timeout -k 10 120 "$EMU" --managed-instances 2 --event "$(fx_event '{"do":"exit","code":9}')" \
        -- "$EMU_PY" "$EMU_FIX/runtime.py"
    local sys
    sys=$(grep -v '^RESPONSE \|^exiting$' <<<"$output")
    [ -n "$sys" ] || fx_fail "no system lines"
    [ -z "$(jq -R -r '(fromjson? // {}) | select(type != "object" or ((.type // "") | startswith("platform.") | not)) | "bad"' <<<"$sys")" ] || fx_fail "a system line that is not a JSON record"
    [ "$(jq -r -R 'fromjson? | select(.type=="platform.fault") | .record' <<<"$output")" = "RequestId: $(jq -r -R 'fromjson? | select(.type=="platform.start") | .record.requestId' <<<"$output") Error: Runtime exited with error: exit status 9" ] || fx_fail "platform.fault"
    run --separate-stderr timeout -k 10 120 "$EMU" --managed-instances 2 -e EMU_FIXTURE_INIT=init-error --event "$(fx_event '{}')" \
        -- "$EMU_PY" "$EMU_FIX/runtime.py"
    ! grep -q '^INIT_REPORT' <<<"$output" || fx_fail "text INIT_REPORT"
    [ "$(jq -c -R 'fromjson? | select(.type=="platform.initReport") | .record | del(.metrics)' <<<"$output" | head -1)" = '{"initializationType":"lambda-managed-instances","phase":"init","status":"error","errorType":"Fixture.InitError"}' ] || fx_fail "initReport"
}

@test "Managed Instances: past 512 log-socket connections the refusal is said once, and counted when the runtime stops" {
    cat >"$BATS_TEST_TMPDIR/many.py" <<'PY'
import os, socket, http.client
socks = []
for i in range(600):
    s = socket.socket(socket.AF_UNIX)
    s.connect(os.environ["_LAMBDA_TELEMETRY_LOG_FD_PROVIDER_SOCKET"])
    socks.append(s)
h, p = os.environ["AWS_LAMBDA_RUNTIME_API"].split(":")
while True:
    c = http.client.HTTPConnection(h, int(p))
    c.request("GET", "/2018-06-01/runtime/invocation/next")
    r = c.getresponse()
    r.read()
    c.request("POST", "/2018-06-01/runtime/invocation/%s/response" % r.getheader("Lambda-Runtime-Aws-Request-Id"), b'"ok"')
    c.getresponse().read()
PY
    ulimit -n 4096 2>/dev/null || skip "cannot raise the open-file limit to 4096"
    run --separate-stderr timeout -k 10 120 "$EMU" --managed-instances 2 --event "$(fx_event '{}')" -- "$EMU_PY" "$BATS_TEST_TMPDIR/many.py"
    [ "$status" -eq 0 ] || fx_fail "exit $status"
    [ "$(grep -c 'more than 512' <<<"$stderr")" -eq 2 ] || fx_fail "lines"
    [ "$(grep 'log socket' <<<"$stderr")" = 'lambda-emu: log socket: more than 512 connections at once; refusing more (what they write is lost; the count follows when the runtime stops)
lambda-emu: log socket: 88 connections refused (more than 512 at once)' ] || fx_fail "text"
}
