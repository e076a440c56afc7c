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

@test "unit: the level fields of common JSON loggers, first level-like key wins, unknown values marked" {
    local unit
    unit=$(logs_build_unit)
    run -0 "$unit" level '{"level":60}' '{"level":50}' '{"level":40}' '{"level":30}' '{"level":20}' '{"level":10}' \
        '{"levelname":"WARNING"}' '{"levelname":"CRITICAL"}' '{"severity":"ERROR"}' '{"severity":"WARNING"}' \
        '{"severity":"CRITICAL"}' '{"severity":"NOTICE"}' '{"severity":"EMERGENCY"}' '{"severity":"ALERT"}' \
        '{"log.level":"warn"}' '{"log":{"logger":"x","level":"error"},"message":"m"}' \
        '{"level":"ERR"}' '{"level":"err"}' '{"level":"Warning"}' '{"level":"crit"}' '{"level":"panic"}' \
        '{"LogLevel":"Information"}' '{"Level":"Trace"}' '{"@l":"Verbose"}' '{"severity":500}' \
        '{"msg":"x","level":"warn","severity":"DEBUG"}' '{"log":"docker text","LEVEL":"error"}' \
        '{"msg":"no level"}' '{"log":{"file":"a"}}' '{"level":"loud"}' '{"level":35}' '{"level":null}' \
        '{"severity":"DEFAULT"}' '{"level":"loud","severity":"ERROR"}' \
        $'2026-01-01T00:00:00.000Z\tid\tERR\tm' 'ERR:root:m'
    [ "$output" = "json FATAL
json ERROR
json WARN
json INFO
json DEBUG
json TRACE
json WARN
json FATAL
json ERROR
json WARN
json FATAL
json INFO
json FATAL
json FATAL
json WARN
json ERROR
json ERROR
json ERROR
json WARN
json FATAL
json FATAL
json INFO
json TRACE
json TRACE
json ERROR
json WARN
json ERROR
json -
json -
json ?
json ?
json ?
json ?
json ?
plain -
plain -" ]
}

@test "LWRAP_LOG_LEVEL=WARN keeps the warnings and errors of JSON loggers and drops their info" {
    local lines=(
        '{"level":60,"msg":"pino fatal"}' '{"level":50,"msg":"pino error"}' '{"level":40,"msg":"pino warn"}'
        '{"level":30,"msg":"pino info"}'
        '{"levelname":"ERROR","message":"pyjson error"}' '{"levelname":"INFO","message":"pyjson info"}'
        '{"severity":"CRITICAL","message":"gcp critical"}' '{"severity":"NOTICE","message":"gcp notice"}'
        '{"log.level":"warn","message":"ecs warn"}' '{"log":{"level":"error"},"message":"ecs nested"}'
        '{"level":"ERR","message":"short err"}' '{"LogLevel":"Information","Message":"dotnet info"}'
    )
    local ev
    ev=$(jq -cn '{print: $ARGS.positional}' --args "${lines[@]}")
    logs_py "$ev" -- -e LWRAP_LOGS=json -e LWRAP_LOG_LEVEL=WARN
    [ "$status" -eq 0 ]
    run -0 jq -r -R 'fromjson? | select(.type=="function") | [.level, (.message|fromjson|.msg // .message // .Message)] | @tsv' <<<"$output"
    [ "$output" = "FATAL	pino fatal
ERROR	pino error
WARN	pino warn
ERROR	pyjson error
FATAL	gcp critical
WARN	ecs warn
ERROR	ecs nested
ERROR	short err
WARN	lwrap: 4 log records below WARN dropped" ]
}

@test "LWRAP_LOG_LEVEL: a level field that names no known level is kept (fail open), labelled by its stream" {
    logs_py '{"print":["{\"level\":\"loud\",\"m\":\"unknown name\"}","{\"level\":35,\"m\":\"custom number\"}","{\"severity\":\"DEFAULT\",\"m\":\"gcp default\"}","{\"level\":\"info\",\"m\":\"known info\"}","plain info"]}' \
        -- -e LWRAP_LOGS=text -e LWRAP_LOG_LEVEL=FATAL
    [ "$status" -eq 0 ]
    run -0 jq -r -R 'fromjson? | select(.type=="function") | .level + " " + (.message|split("\t")|.[2:]|join(" "))' <<<"$output"
    # the frame's level and the text prefix's: the stream's default (stdout: INFO)
    [ "$output" = 'INFO INFO {"level":"loud","m":"unknown name"}
INFO INFO {"level":35,"m":"custom number"}
INFO INFO {"severity":"DEFAULT","m":"gcp default"}
FATAL FATAL lwrap: 2 log records below FATAL dropped' ]
}

@test "LWRAP_LOG_LEVEL: a bash runtime's subshells do not report their parent's dropped records again" {
    run -0 env LD_PRELOAD="$LIBLWRAP" LWRAP_LOGS=text LWRAP_LOG_LEVEL=ERROR bash -c \
        'echo info line; for i in 1 2 3; do x=$(echo sub); (echo inner >/dev/null); done; echo done'
    [ "$(grep -c 'dropped' <<<"$output")" = 1 ]
    [[ $output == *"lwrap: 2 log records below ERROR dropped"* ]]
}
