#!/usr/bin/env bats
# LWRAP_STRICT=1 turns configuration errors into a failed start (125); otherwise
# each error is one line and the runtime starts anyway (fail-open).
load test_helper

STRICT_LINE='lwrap: LWRAP_STRICT=1: configuration error; not starting the runtime'

# strict_case SETTING... : with the settings, the runtime still runs without
# LWRAP_STRICT; with LWRAP_STRICT=1 it does not (125, the error, then the strict line).
strict_case() {
    run -0 --separate-stderr env "$@" "$LWRAP" "$WR_STUB" ran
    [ "${lines[0]}" = ran ] || { echo "not fail-open: $*"; return 1; }
    local err=$stderr
    [[ $err == "lwrap: "*"; ignored" ]] || { echo "no error line for $*: $err"; return 1; }
    run -125 --separate-stderr env LWRAP_STRICT=1 "$@" "$LWRAP" "$WR_STUB" ran
    [ -z "$output" ] || { echo "ran under strict: $*"; return 1; }
    [ "$stderr" = "$err"$'\n'"$STRICT_LINE" ] || { echo "strict stderr for $*: $stderr"; return 1; }
}

@test "strict: bad LWRAP_ARGS_AT, LWRAP_ARGS, names, presets" {
    strict_case LWRAP_ARGS_AT=middle
    strict_case LWRAP_ARGS="'open"
    strict_case LWRAP_SET_1X=1
    strict_case LWRAP_UNSET=a=b
    strict_case LWRAP_PRESETS=nope
    strict_case LWRAP_DEBUG=2
}

@test "strict: unusable LWRAP_NEXT, missing preload library, bad LWRAP_PRELOAD_PATH" {
    strict_case LWRAP_NEXT=/nonexistent/wrapper
    lw=$(wr_copy_lwrap "$PWD/x/y")
    LWRAP="$lw" strict_case LWRAP_TRACE=text
    strict_case LWRAP_TRACE=text LWRAP_PRELOAD_PATH=/nonexistent.so
}

@test "strict: config file errors and an unreadable LWRAP_CONFIG" {
    echo 'not a setting' >bad.conf
    strict_case LWRAP_CONFIG=$PWD/bad.conf
    strict_case LWRAP_CONFIG=$PWD/missing.conf
}

@test "LWRAP_STRICT=1 from the config file counts too (including errors found before it)" {
    printf '%s\n' 'oops' 'LWRAP_STRICT=1' >lwrap.conf
    LWRAP_CONFIG=$PWD/lwrap.conf run -125 --separate-stderr "$LWRAP" "$WR_STUB" ran
    [ -z "$output" ]
    [ "$stderr" = "lwrap: $PWD/lwrap.conf:1: expected NAME=value; ignored"$'\n'"$STRICT_LINE" ]
}

@test "LWRAP_STRICT=1 without errors starts normally; LWRAP_STRICT=0 and bad values are not strict" {
    LWRAP_STRICT=1 LWRAP_SET_A=1 STUB_ENV=A run -0 --separate-stderr "$LWRAP" "$WR_STUB" ran
    [ "$output" = $'ran\nA=1' ] && [ -z "$stderr" ]
    LWRAP_STRICT=0 LWRAP_ARGS_AT=bad run -0 --separate-stderr "$LWRAP" "$WR_STUB" ran
    [ "$output" = ran ]
    LWRAP_STRICT=true run -0 --separate-stderr "$LWRAP" "$WR_STUB" ran
    [ "$output" = ran ]
    [ "$stderr" = 'lwrap: LWRAP_STRICT: expected 1 or 0, got "true"; ignored' ]
}

@test "strict --explain still explains, then exits 125" {
    LWRAP_STRICT=1 LWRAP_ARGS_AT=bad run -125 --separate-stderr "$LWRAP" --explain "$WR_STUB" a
    [ "$output" = "argv $WR_STUB"$'\nargv a' ]
    [ "${stderr_lines[1]}" = "$STRICT_LINE" ]
}

@test "launcher failures keep their own codes under strict mode" {
    LWRAP_STRICT=1 run -127 --separate-stderr "$LWRAP" /nonexistent/runtime
    [ "$stderr" = 'lwrap: /nonexistent/runtime: not found' ]
}

# strict_preload_case SETTING LINE: a bad value of a preload setting is one line from lwrap
# (worded as the preload words it, so not always "; ignored"), fail-open without strict,
# 125 with it.
strict_preload_case() {
    run -0 --separate-stderr env "$1" "$LWRAP" "$WR_STUB" ran
    [ "${lines[0]}" = ran ] || { echo "not fail-open: $1"; return 1; }
    [ "$stderr" = "$2" ] || { echo "error line for $1: $stderr"; return 1; }
    run -125 --separate-stderr env LWRAP_STRICT=1 "$1" "$LWRAP" "$WR_STUB" ran
    [ -z "$output" ] || { echo "ran under strict: $1"; return 1; }
    [ "$stderr" = "$2"$'\n'"$STRICT_LINE" ] || { echo "strict stderr for $1: $stderr"; return 1; }
}

@test "strict: bad values of the preload's settings stop the start too, one line each" {
    strict_preload_case LWRAP_TRACE=jsn \
        'lwrap: LWRAP_TRACE: unknown format "jsn" (want off, text, json or emf); ignored'
    strict_preload_case LWRAP_LOGS=jsn 'lwrap: LWRAP_LOGS: unknown mode "jsn" (want off, text or json); using off'
    strict_preload_case LWRAP_LOG_LEVEL=verbose \
        'lwrap: LWRAP_LOG_LEVEL: unknown level "verbose" (want TRACE, DEBUG, INFO, WARN, ERROR or FATAL); ignored'
    strict_preload_case LWRAP_TRACE_FILE=rel.json 'lwrap: LWRAP_TRACE_FILE: rel.json: not an absolute path; no timeline'
    strict_preload_case LWRAP_TRACE_OTLP=https://127.0.0.1:4318 \
        'lwrap: LWRAP_TRACE_OTLP: https://127.0.0.1:4318: want http://HOST:PORT (plain HTTP to a collector on the sandbox); no spans sent'
    strict_preload_case LWRAP_TRACE_OTLP=http://collector.example:4318 \
        'lwrap: LWRAP_TRACE_OTLP: http://collector.example:4318: the host must be an IP address or localhost; no spans sent'
    strict_preload_case LWRAP_TRACE_OTLP_TIMEOUT_MS=20000 \
        'lwrap: LWRAP_TRACE_OTLP_TIMEOUT_MS: want 1 to 10000, got "20000"; using 200'
    strict_preload_case LWRAP_EXTENSION=yes 'lwrap: LWRAP_EXTENSION: want 1, on or true, or 0 or off, got "yes"; ignored'
    strict_preload_case LWRAP_CRASH=yes 'lwrap: LWRAP_CRASH: want 1, on or true, or 0 or off, got "yes"; ignored'
    strict_preload_case LWRAP_OBSERVER_LOG=/ 'lwrap: LWRAP_OBSERVER_LOG: /: not a regular file; ignored'
    strict_preload_case LWRAP_IMPORTTIME_TOP=-1 \
        'lwrap: LWRAP_IMPORTTIME_TOP: want a number from 0 to 100, got "-1"; using 15'
    # what the preload takes is no error: its other words for on and off, levels in any case
    for s in LWRAP_EXTENSION=true LWRAP_CRASH=on LWRAP_KEEP_PRELOAD=off LWRAP_LOG_LEVEL=warning LWRAP_TRACE_FILE=off \
        LWRAP_TRACE_OTLP=http://[::1]:4318/base LWRAP_TRACE_OTLP_TIMEOUT_MS=10000 LWRAP_IMPORTTIME_TOP=0; do
        run -0 --separate-stderr env LWRAP_STRICT=1 LWRAP_PRELOAD_PATH="$LIBLWRAP" "$s" "$LWRAP" --explain "$WR_STUB"
        [ -z "$stderr" ] || { echo "$s: $stderr"; return 1; }
    done
}

@test "a bad preload value from the config file names the file and line, and is not exported" {
    printf '%s\n' 'LWRAP_STRICT=1' 'LWRAP_LOGS=jsn' >lwrap.conf
    LWRAP_CONFIG=$PWD/lwrap.conf run -125 --separate-stderr "$LWRAP" "$WR_STUB" ran
    [ "$stderr" = "lwrap: $PWD/lwrap.conf:2: LWRAP_LOGS: unknown mode \"jsn\" (want off, text or json); using off"$'\n'"$STRICT_LINE" ]
    printf '%s\n' 'LWRAP_LOGS=jsn' 'LWRAP_TRACE=json' >lwrap.conf
    LWRAP_CONFIG=$PWD/lwrap.conf STUB_ENV='LWRAP_LOGS LWRAP_TRACE' LWRAP_PRELOAD_PATH=/nonexistent/ \
        run -0 --separate-stderr "$LWRAP" "$WR_STUB" ran
    [ "$output" = $'ran\nLWRAP_LOGS unset\nLWRAP_TRACE=json' ]
}

@test "a bad preload value from the environment is not passed on (the preload would only say it again)" {
    STUB_ENV='LWRAP_TRACE LWRAP_LOGS LD_PRELOAD' LWRAP_TRACE=jsn LWRAP_LOGS=text LWRAP_PRELOAD_PATH=/nonexistent/ \
        run -0 --separate-stderr "$LWRAP" "$WR_STUB" ran
    [ "${lines[1]}" = 'LWRAP_TRACE unset' ] && [ "${lines[2]}" = 'LWRAP_LOGS=text' ]
    # alone, it asks for no preload: the preload would ignore it
    STUB_ENV='LWRAP_TRACE LD_PRELOAD' LWRAP_TRACE=jsn run -0 --separate-stderr "$LWRAP" "$WR_STUB" ran
    [ "$output" = $'ran\nLWRAP_TRACE unset\nLD_PRELOAD unset' ]
    [ "$stderr" = 'lwrap: LWRAP_TRACE: unknown format "jsn" (want off, text, json or emf); ignored' ]
}

@test "differential: lwrap and liblwrap.so accept and refuse the same values of the preload's settings, in the same words" {
    local kv got want n=0
    # (LWRAP_IMPORTTIME_TOP: the preload reads it only inside Lambda, with importtime lines)
    for kv in LWRAP_TRACE=jsn LWRAP_TRACE=JSON LWRAP_TRACE=emf LWRAP_TRACE=off LWRAP_LOGS=Text LWRAP_LOGS=json \
        LWRAP_LOG_LEVEL=verbose LWRAP_LOG_LEVEL=warning LWRAP_LOG_LEVEL=Critical LWRAP_LOG_LEVEL=off \
        LWRAP_TRACE_FILE=rel.json LWRAP_TRACE_FILE=off LWRAP_TRACE_FILE=/tmp/t-%p.json \
        LWRAP_TRACE_FILE=/ LWRAP_TRACE_FILE=/tmp/ LWRAP_TRACE_FILE=/tmp/tl.json/ \
        "LWRAP_TRACE_FILE=/$(printf 'a%.0s' {1..255})" \
        LWRAP_OBSERVER_LOG=off LWRAP_OBSERVER_LOG=/ LWRAP_OBSERVER_LOG=rel.log \
        LWRAP_EXTENSION=yes LWRAP_EXTENSION=true LWRAP_EXTENSION=on LWRAP_EXTENSION=TRUE LWRAP_CRASH=2 LWRAP_CRASH=0 \
        LWRAP_KEEP_PRELOAD=no \
        LWRAP_TRACE_OTLP=https://127.0.0.1:4318 LWRAP_TRACE_OTLP=http://collector.example:4318 \
        LWRAP_TRACE_OTLP=http://127.0.0.1:0 LWRAP_TRACE_OTLP=http://127.0.0.1:65536 LWRAP_TRACE_OTLP=http://127.0.0.1:x \
        'LWRAP_TRACE_OTLP=http://[::1:4318' LWRAP_TRACE_OTLP=http://:4318 LWRAP_TRACE_OTLP=http:// \
        'LWRAP_TRACE_OTLP=http://[::1]:4318/base/' LWRAP_TRACE_OTLP=http://localhost LWRAP_TRACE_OTLP=http://127.0.0.1:4318 \
        'LWRAP_TRACE_OTLP=http://127.0.0.1:+4318' 'LWRAP_TRACE_OTLP=http://127.0.0.1:043180' \
        'LWRAP_TRACE_OTLP=http://127.0.0.1:4318/a b' $'LWRAP_TRACE_OTLP=http://127.0.0.1:4318/a\r\nX-Injected: 1' \
        'LWRAP_TRACE_OTLP=http://127.0.0.1:4318/x?y' 'LWRAP_TRACE_OTLP=http://127.0.0.1:4318/%zz' \
        'LWRAP_TRACE_OTLP=http://127.0.0.1:4318/a%2Fb' 'LWRAP_TRACE_OTLP=http://u:collectorpass@127.0.0.1:4318' \
        'LWRAP_TRACE_OTLP=http://[::1]x:4318' \
        "LWRAP_TRACE_OTLP=http://127.0.0.1/$(printf 'p%.0s' {1..240})" \
        "LWRAP_TRACE_OTLP=http://127.0.0.1/$(printf 'p%.0s' {1..250})"; do
        # the timeout is read once the URL is good; the same timeouts with each URL
        for t in '' 0 10001 abc 1; do
            got=$(env -i "$kv" ${t:+LWRAP_TRACE_OTLP_TIMEOUT_MS=$t} "$LWRAP" --explain /bin/true 2>&1 >/dev/null)
            want=$(env -i "$kv" ${t:+LWRAP_TRACE_OTLP_TIMEOUT_MS=$t} LD_PRELOAD="$LIBLWRAP" /bin/true 2>&1)
            if [[ $kv != LWRAP_TRACE_OTLP=* || $want == *"LWRAP_TRACE_OTLP: "* ]]; then
                # no good URL: the preload does not read the timeout; lwrap checks it all the same
                got=$(grep -v '^lwrap: LWRAP_TRACE_OTLP_TIMEOUT_MS: ' <<<"$got" || true)
            fi
            [ "$got" = "$want" ] || { printf '%s %s\n lwrap:   %s\n preload: %s\n' "$kv" "$t" "$got" "$want"; return 1; }
            [ -n "$want" ] && n=$((n + 1))
        done
    done
    ((n >= 100)) # most of them are refused, by both
}
