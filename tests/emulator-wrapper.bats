#!/usr/bin/env bats
# lambda-emu starts the runtime the way the managed runtimes' bootstrap does with
# AWS_LAMBDA_EXEC_WRAPPER: the wrapper gets the runtime command; 127 / 126 checks.
load test_helper

argv_json() {
    printf '["%s"' "$EMU_FIX/runtime.py"
    printf ',"%s"' "$@"
    printf ']'
}

@test "without a wrapper the runtime gets exactly its command line" {
    fx_emu -- '{"do":"argv"}'
    [ "$status" -eq 0 ] || fx_fail
    [ "$(fx_sel '.type=="response"' '.body|fromjson|.[1:]')" = '[]' ]
}

@test "a wrapper given with -e runs with the runtime command and can add an argument" {
    printf '#!/bin/sh\necho "wrapper saw: $*"\nexec "$@" --added "two words"\n' >wrap
    chmod +x wrap
    fx_emu -e AWS_LAMBDA_EXEC_WRAPPER="$PWD/wrap" -- '{"do":"argv"}'
    [ "$status" -eq 0 ] || fx_fail
    [ "$(fx_sel '.type=="response"' '.body|fromjson|.[1:]')" = '["--added","two words"]' ]
    [ "$(fx_sel '.type=="function"' .message)" = "\"wrapper saw: $EMU_PY $EMU_FIX/runtime.py\"" ]
}

@test "a wrapper inherited from the emulator's environment is honoured" {
    printf '#!/bin/sh\nexec "$@" inherited\n' >wrap
    chmod +x wrap
    AWS_LAMBDA_EXEC_WRAPPER=$PWD/wrap fx_emu -- '{"do":"argv"}'
    [ "$status" -eq 0 ] || fx_fail
    [ "$(fx_sel '.type=="response"' '.body|fromjson|.[1:]')" = '["inherited"]' ]
}

@test "a missing wrapper: '<path>: does not exist', exit status 127, init fails" {
    fx_emu -e AWS_LAMBDA_EXEC_WRAPPER="$PWD/missing" -- '{}'
    [ "$status" -eq 2 ] || fx_fail
    [ "$(fx_sel '.type=="function"' '[.stream,.message]')" = "[\"stdout\",\"$PWD/missing: does not exist\"]" ]
    [ "$(fx_sel '.type=="platform.runtimeExit"')" = '"Runtime exited with error: exit status 127"' ]
    [ "$(fx_sel '.type=="response"' '[.status,.errorType]')" = '["error","Runtime.ExitError"]' ]
}

@test "a directory as wrapper does not exist either (the bootstrap tests -f)" {
    mkdir dir
    fx_emu -e AWS_LAMBDA_EXEC_WRAPPER="$PWD/dir" -- '{}'
    [ "$status" -eq 2 ] || fx_fail
    [ "$(fx_sel '.type=="function"')" = "\"$PWD/dir: does not exist\"" ]
}

@test "a wrapper that is not executable: '<path>: is not an executable', exit status 126" {
    printf '#!/bin/sh\nexec "$@"\n' >wrap
    chmod 644 wrap
    fx_emu -e AWS_LAMBDA_EXEC_WRAPPER="$PWD/wrap" -- '{}'
    [ "$status" -eq 2 ] || fx_fail
    [ "$(fx_sel '.type=="function"')" = "\"$PWD/wrap: is not an executable\"" ]
    [ "$(fx_sel '.type=="platform.runtimeExit"')" = '"Runtime exited with error: exit status 126"' ]
}

@test "an empty AWS_LAMBDA_EXEC_WRAPPER means no wrapper" {
    fx_emu -e AWS_LAMBDA_EXEC_WRAPPER= -- '{"do":"argv"}'
    [ "$status" -eq 0 ] || fx_fail
    [ "$(fx_sel '.type=="response"' '.body|fromjson|.[1:]')" = '[]' ]
}

@test "the runtime runs in its own process group with stdin from /dev/null" {
    printf '#!/bin/sh\nps -o pid=,pgid= -p $$ | awk "{print (\\$1==\\$2) ? \\"own group\\" : \\"shared\\"}"\nreadlink /proc/self/fd/0\nexec "$@"\n' >wrap
    chmod +x wrap
    fx_emu -e AWS_LAMBDA_EXEC_WRAPPER="$PWD/wrap" -- '{}'
    [ "$status" -eq 0 ] || fx_fail
    [ "$(fx_sel '.type=="function"')" = "$(printf '"own group"\n"/dev/null"')" ]
}
