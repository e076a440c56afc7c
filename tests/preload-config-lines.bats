#!/usr/bin/env bats
# The preload's own lines that quote a setting back (a bad LWRAP_TRACE, LWRAP_LOGS, ...)
# mask secrets as lwrap's own lines do: the value of any secret-looking variable (here
# API_TOKEN) wherever it turns up, NAME=value with a secret-looking NAME, a URL's password.
load test_helper

setup() {
    lwrap_test_setup
    preload_opts
}

# the preload's lines for a plain program started with the settings given (VAR=value ...)
preload_lines() {
    env -i PATH=/usr/bin:/bin LD_PRELOAD="$LIBLWRAP" "$@" /bin/true 2>&1
}

@test "every bad-value line masks a secret's value pasted into the setting (LWRAP_TRACE=\$API_TOKEN)" {
    local s=tokvalue1234
    run -0 preload_lines API_TOKEN=$s LWRAP_TRACE=$s LWRAP_LOGS=x-$s LWRAP_LOG_LEVEL=$s LWRAP_EXTENSION=$s \
        LWRAP_CRASH=$s LWRAP_TRACE_FILE=$s.json LWRAP_TRACE_OTLP=http://$s/ LWRAP_TRACE_OTLP_TIMEOUT_MS=$s \
        LWRAP_OBSERVER_LOG=$s
    [[ $output != *$s* ]]
    [ "$(grep -c '\*\*\*\*' <<<"$output")" -eq 8 ]
    grep -qxF 'lwrap: LWRAP_TRACE: unknown format "****" (want off, text, json or emf); ignored' <<<"$output"
    grep -qxF 'lwrap: LWRAP_LOGS: unknown mode "x-****" (want off, text or json); using off' <<<"$output"
    grep -qxF 'lwrap: LWRAP_TRACE_FILE: ****.json: not an absolute path; no timeline' <<<"$output"
    grep -qxF 'lwrap: LWRAP_EXTENSION: want 1, on or true, or 0 or off, got "****"; ignored' <<<"$output"
}

@test "the same lines through lwrap and the emulator: masked in the function's output too" {
    local s=wJalrXUtnFEMIsecretvalue
    trace_task python "$HANDLERS/python" echo.handler 1 -e "AWS_LAMBDA_EXEC_WRAPPER=$LWRAP" \
        -e "LWRAP_PRELOAD_PATH=$LIBLWRAP" -e "DB_PASSWORD=$s" -e "LWRAP_TRACE=$s"
    [ "$status" -eq 0 ]
    [[ $output != *$s* && $stderr != *$s* ]]
    [ "$(jq -r 'select(.type=="function") | .message' <<<"$output")" = \
        'lwrap: LWRAP_TRACE: unknown format "****" (want off, text, json or emf); ignored' ]
}

@test "a URL's password and NAME=value with a secret NAME are masked; a setting that only names a secret is not" {
    run -0 preload_lines 'LWRAP_TRACE=https://app:dbpass99@db/x' 'LWRAP_LOGS=api_key=abcd1234,x' \
        LWRAP_SECRET_API_KEY=prod/api 'LWRAP_CRASH=prod/api'
    [ "$output" = 'lwrap: LWRAP_TRACE: unknown format "https://app:****@db/x" (want off, text, json or emf); ignored
lwrap: LWRAP_CRASH: want 1, on or true, or 0 or off, got "prod/api"; ignored
lwrap: LWRAP_LOGS: unknown mode "api_key=****,x" (want off, text or json); using off' ]
}

@test "values shorter than 4 bytes are not masked (they would hide ordinary words)" {
    run -0 preload_lines API_TOKEN=abc LWRAP_TRACE=abc
    [ "$output" = 'lwrap: LWRAP_TRACE: unknown format "abc" (want off, text, json or emf); ignored' ]
}
