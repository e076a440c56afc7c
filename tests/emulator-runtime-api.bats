#!/usr/bin/env bats
# lambda-emu's Runtime API: next's headers, response/error, Lambda's status codes.
load test_helper

uuid_re='^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$'

@test "next carries the request id, deadline, function ARN and trace id headers" {
    local before
    before=$(($(date +%s%N) / 1000000))
    fx_emu --timeout 7 --function-name fn1 -- '{"do":"headers"}'
    [ "$status" -eq 0 ] || fx_fail
    local h id
    h=$(fx_sel '.type=="response"' '.body|fromjson')
    id=$(fx_sel '.type=="response"' '.requestId' | tr -d '"')
    [[ $id =~ $uuid_re ]] || fx_fail "request id $id"
    [ "$(jq -r '."Lambda-Runtime-Aws-Request-Id"' <<<"$h")" = "$id" ]
    [ "$(jq -r '."Lambda-Runtime-Invoked-Function-Arn"' <<<"$h")" = "arn:aws:lambda:us-east-1:012345678912:function:fn1" ]
    [[ $(jq -r '."Lambda-Runtime-Trace-Id"' <<<"$h") =~ ^Root=1-[0-9a-f]{8}-[0-9a-f]{24}\;Parent=[0-9a-f]{16}\;Sampled=0$ ]]
    local deadline
    deadline=$(jq -r '."Lambda-Runtime-Deadline-Ms"' <<<"$h")
    # epoch milliseconds, about --timeout after the invoke started
    ((deadline >= before + 7000 && deadline < before + 60000)) || fx_fail "deadline $deadline"
    # only when non-empty
    [ "$(jq -r 'has("Lambda-Runtime-Client-Context"), has("Lambda-Runtime-Cognito-Identity")' <<<"$h" | sort -u)" = false ]
}

@test "client context and cognito identity headers are sent when given" {
    fx_emu --client-context '{"custom":{"a":1}}' --cognito-identity '{"cognitoIdentityId":"x"}' -- '{"do":"headers"}'
    [ "$status" -eq 0 ] || fx_fail
    run -0 jq -r '."Lambda-Runtime-Client-Context", ."Lambda-Runtime-Cognito-Identity"' < <(fx_sel '.type=="response"' '.body|fromjson')
    [ "$output" = $'{"custom":{"a":1}}\n{"cognitoIdentityId":"x"}' ]
}

@test "each invoke gets its own request id and the body is passed through byte for byte" {
    fx_emu -- '{"a":"é\n"}' '[1, 2]' '"x"'
    [ "$status" -eq 0 ] || fx_fail
    [ "$(fx_sel '.type=="response"' .body)" = "$(printf '%s\n' '"{\"a\":\"é\\n\"}"' '"[1, 2]"' '"\"x\""')" ]
    [ "$(fx_sel '.type=="response"' .requestId | sort -u | wc -l)" -eq 3 ]
    [ "$(fx_sel '.type=="response"' .status | sort -u)" = '"success"' ]
}

@test "invocation error is reported with its errorType" {
    fx_emu -- '{"do":"error"}' '{}' # the runtime prints after posting: before its next next
    [ "$status" -eq 0 ] || fx_fail
    [ "$(fx_sel '.type=="response"' '[.status,.errorType,.body]' | head -1)" = '["error","Fixture.Error","{\"errorMessage\": \"boom\", \"errorType\": \"Fixture.Error\", \"stackTrace\": [\"x\"]}"]' ]
    [ "$(fx_sel '.type=="function"')" = '"error-post 202"' ]
}

@test "a response for an unknown request id gets 400 InvalidRequestID" {
    fx_emu -- '{"do":"unknown-id"}'
    [ "$status" -eq 0 ] || fx_fail
    [ "$(fx_sel '.type=="function"')" = '"unknown-id 400 {\"errorMessage\":\"Invalid request ID\",\"errorType\":\"InvalidRequestID\"}"' ]
    [ "$(fx_sel '.type=="emu"' | grep -c '400 InvalidRequestID')" -eq 1 ]
}

@test "a second response for the same invoke gets 403 and the first one counts" {
    fx_emu -- '{"do":"twice"}' '{}'
    [ "$status" -eq 0 ] || fx_fail
    [ "$(fx_sel '.type=="response"' .body | head -1)" = '"first"' ]
    [[ $(fx_sel '.type=="function"') == '"twice 202 403 {\"errorMessage\":'*'\"errorType\":\"InvalidStateTransition\"}"' ]] || fx_fail
}

@test "next while an invoke is in flight gets 403" {
    fx_emu -- '{"do":"next-again"}' '{"b":2}'
    [ "$status" -eq 0 ] || fx_fail
    [[ $(fx_sel '.type=="function"') == '"next-again 403 '*InvalidStateTransition* ]] || fx_fail
    [ "$(fx_sel '.type=="response"' .status)" = "$(printf '"success"\n"success"')" ]
}

@test "a response over 6,291,556 bytes gets 413 and Lambda's message naming its size; exactly that is fine" {
    fx_emu -- '{"do":"big","bytes":6291557}' '{"do":"big","bytes":6291556}'
    [ "$status" -eq 0 ] || fx_fail
    [ "$(fx_sel '.type=="response"' '[.status,.errorType]')" = "$(printf '%s\n' '["error","Function.ResponseSizeTooLarge"]' '["success",null]')" ]
    [ "$(fx_sel '.type=="response" and .status=="error"' '.body|fromjson|.errorMessage')" = \
      '"Response payload size (6291557 bytes) exceeded maximum allowed payload size (6291556 bytes)."' ]
    [[ $(fx_sel '.type=="function"' | head -1) == '"response-post 413 '*RequestEntityTooLarge* ]] || fx_fail
    [ "$(fx_sel '.type=="response" and .status=="success"' '.body|length')" -eq 6291556 ]
    # REPORT names the failure, as CloudWatch shows it
    [ "$(fx_sel '.type=="platform.report"' '[.status,.errorType]' | head -1)" = '["error","Function.ResponseSizeTooLarge"]' ]
}

@test "a streamed (chunked) response is reassembled and marked streamed" {
    fx_emu -- '{"do":"stream","chunks":["a","bc","d\nef"]}' '{}'
    [ "$status" -eq 0 ] || fx_fail
    [ "$(fx_sel '.type=="response"' '[.status,.body,.streamed]' | head -1)" = '["success","abcd\nef",true]' ]
    [ "$(fx_sel '.type=="function"')" = '"stream-post 202"' ]
}

@test "init/error fails the init: the invoke gets the error and the exit status is 2" {
    EMU_FIXTURE_INIT=init-error fx_emu -- '{}'
    [ "$status" -eq 2 ] || fx_fail
    [ "$(fx_sel '.type=="platform.initError"' .errorType)" = '"Fixture.InitError"' ]
    [ "$(fx_sel '.type=="response"' '[.status,.errorType]')" = '["error","Fixture.InitError"]' ]
    [ "$(fx_types | grep -v '^emu$' | tr '\n' ' ')" = "platform.initStart function platform.initError platform.start response platform.end platform.report " ]
}

@test "the runtime gets Lambda's environment, -e values and the concurrency" {
    local names='["AWS_LAMBDA_RUNTIME_API","_HANDLER","LAMBDA_TASK_ROOT","AWS_LAMBDA_FUNCTION_NAME","AWS_LAMBDA_FUNCTION_VERSION","AWS_LAMBDA_FUNCTION_MEMORY_SIZE","AWS_LAMBDA_LOG_GROUP_NAME","AWS_REGION","AWS_DEFAULT_REGION","_LAMBDA_TELEMETRY_LOG_FD","MY_VAR","AWS_LAMBDA_MAX_CONCURRENCY"]'
    mkdir root
    fx_emu --handler app.main --task-root root --function-name fn2 --memory 256 -e MY_VAR=a=b -- "{\"do\":\"env\",\"names\":$names}"
    [ "$status" -eq 0 ] || fx_fail
    local env
    env=$(fx_sel '.type=="response"' '.body|fromjson')
    [[ $(jq -r .AWS_LAMBDA_RUNTIME_API <<<"$env") =~ ^127\.0\.0\.1:[0-9]+$ ]]
    [ "$(jq -c 'del(.AWS_LAMBDA_RUNTIME_API)' <<<"$env")" = "{\"_HANDLER\":\"app.main\",\"LAMBDA_TASK_ROOT\":\"$PWD/root\",\"AWS_LAMBDA_FUNCTION_NAME\":\"fn2\",\"AWS_LAMBDA_FUNCTION_VERSION\":\"\$LATEST\",\"AWS_LAMBDA_FUNCTION_MEMORY_SIZE\":\"256\",\"AWS_LAMBDA_LOG_GROUP_NAME\":\"/aws/lambda/fn2\",\"AWS_REGION\":\"us-east-1\",\"AWS_DEFAULT_REGION\":\"us-east-1\",\"_LAMBDA_TELEMETRY_LOG_FD\":\"3\",\"MY_VAR\":\"a=b\",\"AWS_LAMBDA_MAX_CONCURRENCY\":null}" ] || fx_fail "$env"
    fx_emu --concurrency 2 --no-telemetry-fd -- "{\"do\":\"env\",\"names\":$names}"
    [ "$(fx_sel '.type=="response"' '.body|fromjson|[._LAMBDA_TELEMETRY_LOG_FD,.AWS_LAMBDA_MAX_CONCURRENCY]')" = '[null,"2"]' ]
}

@test "credentials and the execution environment are set, never printed" {
    fx_emu -- '{"do":"env","names":["AWS_ACCESS_KEY_ID","AWS_SECRET_ACCESS_KEY","AWS_SESSION_TOKEN","AWS_EXECUTION_ENV","AWS_LAMBDA_LOG_STREAM_NAME"]}'
    [ "$status" -eq 0 ] || fx_fail
    [ "$(fx_sel '.type=="response"' '.body|fromjson|[.[]|type=="string" and length>0]|all')" = true ]
    [[ $(fx_sel '.type=="response"' '.body|fromjson|.AWS_LAMBDA_LOG_STREAM_NAME') =~ ^\"[0-9]{4}/[0-9]{2}/[0-9]{2}/\[\$LATEST\][0-9a-f]{32}\"$ ]]
    ! grep -q "$(fx_sel '.type=="response"' '.body|fromjson|.AWS_SECRET_ACCESS_KEY' | tr -d '"')" <<<"$stderr"
}
