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
