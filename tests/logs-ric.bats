#!/usr/bin/env bats
# The log pipeline under AWS's real Node.js runtime interface client (aws-lambda-ric).
load test_helper

@test "AWS's Node.js client, LWRAP_LOGS=json: its frames and plain writes become JSON records with the id" {
    local ric
    ric=$("$REPO/scripts/prepare-ric" 2>/dev/null) || skip "aws-lambda-ric not prepared"
    local index=$ric/node_modules/aws-lambda-ric/index.mjs
    [ -f "$index" ] || skip "aws-lambda-ric not prepared"
    printf '{}' >event.json
    run --separate-stderr "$EMU" --log-format json --event event.json -e "AWS_LAMBDA_EXEC_WRAPPER=$LWRAP" \
        -e LWRAP_LOGS=json --handler ric.handler --task-root "$LOGS_FIXTURES/node" -- node "$index" ric.handler
    [ "$status" -eq 0 ]
    local rid
    rid=$(jq -r 'select(.type=="response") | .requestId' <<<"$output")
    run -0 jq -r --arg rid "$rid" 'select(.type=="function") | [.frameType, (.message | fromjson | .level, (.requestId == $rid), .message)] | @json' <<<"$output"
    [ "${lines[0]}" = '["0xA55A000E","INFO",true,"hello from the ric"]' ]
    [ "${lines[1]}" = '["0xA55A000E","INFO",true,"plain write"]' ]
    [[ ${lines[2]} == '["0xA55A0016","ERROR",true,"Error: boom\n    at '* ]]
    [ "${#lines[@]}" -eq 3 ]
}
