#!/usr/bin/env bats
# C stdio of a native extension (printf/fputs never call the write symbol) is captured.
load test_helper

@test "stdio: a native extension's printf and fputs(stderr) become records with the request id" {
    local so
    so=$(logs_build_native)
    logs_py "{\"native\":\"$so\",\"text\":\"hi from C\",\"tag\":\"x\"}" -- -e LWRAP_LOGS=text --no-telemetry-fd
    [ "$status" -eq 0 ]
    local rid
    rid=$(jq -r -R 'fromjson? | select(.type=="response") | .requestId' <<<"$output")
    run -0 jq -r -R 'fromjson? | select(.type=="function") | [.stream, .message] | @tsv' <<<"$output"
    [[ $output =~ stdout$'\t'[0-9T:.Z-]{24}'\t'"$rid"'\tINFO\tnative stdout: hi from C' ]]
    [[ $output =~ stdout$'\t'[0-9T:.Z-]{24}'\t'"$rid"'\tINFO\tnative second line' ]]
    [[ $output =~ stderr$'\t'[0-9T:.Z-]{24}'\t'"$rid"'\tERROR\tnative stderr: hi from C' ]]
}

@test "stdio: with the telemetry fd, C stdio records are frames too" {
    local so
    so=$(logs_build_native)
    logs_py "{\"native\":\"$so\",\"text\":\"framed\"}" -- -e LWRAP_LOGS=json
    [ "$status" -eq 0 ]
    run -0 jq -r -R 'fromjson? | select(.type=="function" and .stream=="telemetry") | .message | fromjson | [.level, .message] | @tsv' <<<"$output"
    [[ $output == *$'INFO\tnative stdout: framed'* ]]
    [[ $output == *$'ERROR\tnative stderr: framed'* ]]
}
