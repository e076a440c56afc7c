#!/usr/bin/env bats
# Redaction: AWS key ids and the credential values always (LWRAP_LOGS not off), plus
# LWRAP_REDACT's extended regular expressions.
load test_helper

SECRET=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
TOKEN=IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKENvalue0123456789

messages() {
    jq -r -R 'fromjson? | select(.type=="function") | .message' <<<"$output"
}

@test "access key ids and credential values are masked" {
    logs_py '{"print":["id AKIAIOSFODNN7EXAMPLE end","temp ASIAY34FZKBOKMUTVV7A,","not a key AKIAIOSFODNN7EXAMPLEX","secret '"$SECRET"' token '"$TOKEN"'"]}' \
        -- -e LWRAP_LOGS=text --no-telemetry-fd -e "AWS_SECRET_ACCESS_KEY=$SECRET" -e "AWS_SESSION_TOKEN=$TOKEN"
    [ "$status" -eq 0 ]
    run -0 messages
    [[ $output == *$'\tid AKIA**** end'* ]]
    [[ $output == *$'\ttemp ASIA****,'* ]]
    [[ $output == *$'\tnot a key AKIAIOSFODNN7EXAMPLEX'* ]]
    [[ $output == *$'\tsecret **** token ****'* ]]
    [[ $output != *"$SECRET"* && $output != *"$TOKEN"* ]]
}

@test "a key id split across two writes is still masked" {
    logs_py "{\"writes\":[[1,\"$(logs_hex 'key AKIAIOSF')\"],[1,\"$(logs_hex $'ODNN7EXAMPLE!\n')\"],[2,\"$(logs_hex "${SECRET:0:20}")\"],[2,\"$(logs_hex "${SECRET:20}"$'\n')\"]]}" \
        -- -e LWRAP_LOGS=json --no-telemetry-fd -e "AWS_SECRET_ACCESS_KEY=$SECRET"
    [ "$status" -eq 0 ]
    run -0 jq -r -R 'fromjson? | select(.type=="function") | .message | fromjson | .message' <<<"$output"
    [ "${lines[0]}" = 'key AKIA****!' ]
    [ "${lines[1]}" = '****' ]
}

@test "LWRAP_REDACT: EREs separated by ;; mask their match, or their first subexpression" {
    logs_py '{"print":["login password=hunter2 ok","call 555-1234 now"]}' \
        -- -e LWRAP_LOGS=text --no-telemetry-fd -e 'LWRAP_REDACT=password=([^ ]+);;[0-9]{3}-[0-9]{4}'
    [ "$status" -eq 0 ]
    run -0 messages
    [[ $output == *$'\tlogin password=**** ok'* ]]
    [[ $output == *$'\tcall **** now'* ]]
}

@test "LWRAP_REDACT: a bad pattern is one clear line and the others still apply" {
    logs_py '{"print":["drop me: abcd and (x"]}' \
        -- -e LWRAP_LOGS=text --no-telemetry-fd -e 'LWRAP_REDACT=(x;;abcd'
    [ "$status" -eq 0 ]
    run -0 messages
    [ "$(grep -c 'LWRAP_REDACT' <<<"$output")" -eq 1 ]
    [[ $output == *'lwrap: LWRAP_REDACT: bad pattern "(x": '*'; ignored'* ]]
    [[ $output == *$'\tdrop me: **** and (x'* ]]
}

@test "with LWRAP_LOGS=off nothing is masked (byte-exact)" {
    logs_py '{"print":["id AKIAIOSFODNN7EXAMPLE end"]}' \
        -- -e LWRAP_TRACE=text --no-telemetry-fd --raw raw
    [ "$status" -eq 0 ]
    run -0 cat raw/stdout
    [ "$output" = "id AKIAIOSFODNN7EXAMPLE end" ]
}
