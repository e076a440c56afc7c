#!/usr/bin/env bats
# A custom runtime whose Runtime API calls are made by child processes (AWS's tutorial
# shape: a bash loop running curl for `next` and the response): the preload watches the
# runtime's own process, which never calls the API, so there is no trace for it. One line
# says so, once for the whole process tree, instead of silence; a runtime that runs other
# programs in init gets no such line.
load test_helper

setup() {
    lwrap_test_setup
    command -v curl >/dev/null || skip "no curl"
    TASK=$BATS_TEST_TMPDIR/task
    mkdir -p "$TASK"
    printf '{}' >"$BATS_TEST_TMPDIR/e.json"
}

# run the task's bootstrap through lwrap with two invokes and the settings given (-e K=V)
run_bootstrap() {
    run --separate-stderr timeout -k 5 60 "$EMU" --log-format json --init-timeout 30 \
        -e "AWS_LAMBDA_EXEC_WRAPPER=$LWRAP" -e "LWRAP_PRELOAD_PATH=$LIBLWRAP" "$@" \
        --event "$BATS_TEST_TMPDIR/e.json" --event "$BATS_TEST_TMPDIR/e.json" --task-root "$TASK" -- "$TASK/bootstrap"
}

@test "bash + curl (AWS's custom-runtime tutorial): one line naming curl, once over both invokes; no timeline; the invokes are fine" {
    cat >"$TASK/bootstrap" <<'SH'
#!/bin/bash
while true; do
    hdr=$(mktemp)
    curl -sS -o /dev/null -D "$hdr" "http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation/next"
    rid=$(grep -i '^lambda-runtime-aws-request-id:' "$hdr" | tr -d '\r' | awk '{print $2}')
    curl -sS -o /dev/null -d '"ok"' "http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation/$rid/response"
done
SH
    chmod +x "$TASK/bootstrap"
    run_bootstrap -e LWRAP_TRACE=text -e "LWRAP_TRACE_FILE=$BATS_TEST_TMPDIR/tl.json"
    [ "$status" -eq 0 ]
    [ "$(emu_responses | tr '\n' ' ')" = '"ok" "ok" ' ]
    [ "$(jq -r 'select(.type=="function") | .message' <<<"$output")" = \
        "lwrap: LWRAP_TRACE: the Runtime API is called by a child process (curl), not by the runtime's own process: no trace record, timeline or OTLP spans for this runtime" ]
    [ ! -e "$BATS_TEST_TMPDIR/tl.json" ]
}

@test "the line names the setting that is on (LWRAP_TRACE_FILE alone)" {
    cat >"$TASK/bootstrap" <<'SH'
#!/bin/bash
while true; do
    rid=$(curl -sS -D - -o /dev/null "http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation/next" |
        tr -d '\r' | awk -F': ' 'tolower($1) == "lambda-runtime-aws-request-id" {print $2}')
    curl -sS -o /dev/null -d '"ok"' "http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation/$rid/response"
done
SH
    chmod +x "$TASK/bootstrap"
    run_bootstrap -e "LWRAP_TRACE_FILE=$BATS_TEST_TMPDIR/tl.json"
    [ "$status" -eq 0 ]
    [[ "$(jq -r 'select(.type=="function") | .message' <<<"$output")" == \
        "lwrap: LWRAP_TRACE_FILE: the Runtime API is called by a child process (curl), not by the runtime's own process:"* ]]
}

@test "a runtime that runs other programs in init and calls the API itself: no such line, its record and timeline come" {
    cat >"$TASK/bootstrap" <<'SH'
#!/usr/bin/python3
import http.client, os, subprocess
subprocess.run(["curl", "-sS", "-o", "/dev/null", "file:///etc/hostname"], check=True)
subprocess.run(["/bin/echo", os.environ["AWS_LAMBDA_RUNTIME_API"]], stdout=subprocess.DEVNULL, check=True)
h, p = os.environ["AWS_LAMBDA_RUNTIME_API"].split(":")
while True:
    c = http.client.HTTPConnection(h, int(p)); c.request("GET", "/2018-06-01/runtime/invocation/next"); r = c.getresponse(); r.read()
    rid = r.getheader("Lambda-Runtime-Aws-Request-Id")
    c = http.client.HTTPConnection(h, int(p)); c.request("POST", f"/2018-06-01/runtime/invocation/{rid}/response", b'"ok"'); c.getresponse().read()
SH
    chmod +x "$TASK/bootstrap"
    run_bootstrap -e LWRAP_TRACE=text -e "LWRAP_TRACE_FILE=$BATS_TEST_TMPDIR/tl.json"
    [ "$status" -eq 0 ]
    [ -z "$(jq -r 'select(.type=="function") | .message' <<<"$output" | grep 'child process')" ]
    [ "$(jq -r 'select(.type=="function") | .message' <<<"$output" | grep -c '^LWRAP TRACE')" -eq 1 ]
    [ -s "$BATS_TEST_TMPDIR/tl.json" ]
}
