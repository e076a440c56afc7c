#!/usr/bin/env bats
# LWRAP_LOG_LEVEL: records below the threshold are dropped, whatever says their level.
load test_helper

# messages: the message of every function event, one per line (text records).
messages() {
    jq -r -R 'fromjson? | select(.type=="function") | .message' <<<"$output"
}

@test "level from the Python runtime's [LEVEL] prefix and from Lambda's Node prefix" {
    logs_py '{"print":["[DEBUG]\t2026-01-01T00:00:00.000Z\tid-1\tpy debug","[WARNING]\t2026-01-01T00:00:00.000Z\tid-1\tpy warn","2026-01-01T00:00:00.000Z\tid-2\tDEBUG\tnode debug","2026-01-01T00:00:00.000Z\tid-2\tERROR\tnode error"]}' \
        -- -e LWRAP_LOGS=text -e LWRAP_LOG_LEVEL=INFO --no-telemetry-fd
    [ "$status" -eq 0 ]
    run -0 messages
    [[ $output != *"py debug"* && $output != *"node debug"* ]]
    # kept records are not prefixed a second time
    [[ $output == *$'[WARNING]\t2026-01-01T00:00:00.000Z\tid-1\tpy warn'* ]]
    [[ $output == *$'\n2026-01-01T00:00:00.000Z\tid-2\tERROR\tnode error'* ]]
}

@test "level from a JSON object's \"level\" field" {
    logs_py '{"print":["{\"level\":\"debug\",\"m\":\"json debug\"}","{\"level\":\"Error\",\"m\":\"json error\"}"]}' \
        -- -e LWRAP_LOGS=json -e LWRAP_LOG_LEVEL=warn --no-telemetry-fd
    [ "$status" -eq 0 ]
    run -0 messages
    [[ $output != *"json debug"* ]]
    [[ $output == *'"level":"Error","m":"json error"}'* ]]
}

@test "stream defaults: stdout is INFO, stderr is ERROR; the drop count is reported" {
    logs_py '{"print":["plain stdout"],"writes":[[2,"706c61696e207374646572720a"]]}' \
        -- -e LWRAP_LOGS=text -e LWRAP_LOG_LEVEL=WARN --no-telemetry-fd
    [ "$status" -eq 0 ]
    run -0 messages
    [[ $output != *"plain stdout"* ]]
    [[ $output =~ $'\tERROR\tplain stderr' ]]
    [[ $output =~ $'\tWARN\tlwrap: 1 log records below WARN dropped' ]]
}

@test "AWS_LAMBDA_LOG_LEVEL is the default threshold" {
    logs_py '{"print":["plain stdout"],"writes":[[2,"706c61696e207374646572720a"]]}' \
        -- -e LWRAP_LOGS=text -e AWS_LAMBDA_LOG_LEVEL=ERROR --no-telemetry-fd
    [ "$status" -eq 0 ]
    run -0 messages
    [[ $output != *"plain stdout"* ]]
    [[ $output == *"plain stderr"* ]]
}

@test "frames the runtime writes are filtered by their level bits, even with LWRAP_LOGS=off" {
    logs_handler python log '{"log":["logged at info"]}' '{"log":["logged at error"],"level":"ERROR","print":["printed"]}' \
        -- -e LWRAP_LOG_LEVEL=WARN --raw raw
    [ "$status" -eq 0 ]
    run -0 jq -r -R 'fromjson? | select(.type=="function" and .stream=="telemetry") | .message' <<<"$output"
    [[ $output != *"logged at info"* ]]
    [[ $output == *"logged at error"* ]]
    # logs off: stdout is untouched
    run -0 cat raw/stdout
    [ "$output" = printed ]
}

@test "LWRAP_LOG_LEVEL: a bad value is one clear line and filters nothing" {
    logs_py '{"print":["still here"]}' -- -e LWRAP_LOGS=text -e LWRAP_LOG_LEVEL=LOUD --no-telemetry-fd
    [ "$status" -eq 0 ]
    run -0 jq -r -R 'fromjson? | select(.type=="function") | .message' <<<"$output"
    [[ $output == *'lwrap: LWRAP_LOG_LEVEL: unknown level "LOUD" (want TRACE, DEBUG, INFO, WARN, ERROR or FATAL); ignored'* ]]
    [[ $output == *$'\tINFO\tstill here'* ]]
}
