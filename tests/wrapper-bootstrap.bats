#!/usr/bin/env bats
# Custom runtimes (provided.al2023) ignore AWS_LAMBDA_EXEC_WRAPPER: lwrap installed as the
# function's `bootstrap` runs the real one (LWRAP_BOOTSTRAP, else bootstrap.real).
load test_helper

setup() {
    lwrap_test_setup
    mkdir task
    export LAMBDA_TASK_ROOT=$PWD/task
    ln -s "$LWRAP" task/bootstrap
}

@test "bootstrap.real in the task root runs in the same process with lwrap's edits" {
    ln -s "$WR_STUB" task/bootstrap.real
    STUB_PID=1 STUB_ENV=FOO LWRAP_SET_FOO=bar LWRAP_ARGS=--flag run -0 --separate-stderr \
        bash -c 'echo "pid $$"; exec "$@"' _ task/bootstrap
    [ -z "$stderr" ]
    [ "${lines[0]}" = "${lines[1]}" ]
    [ "${lines[2]}" = --flag ] && [ "${lines[3]}" = FOO=bar ] && [ "${#lines[@]}" -eq 4 ]
}

@test "arguments given to bootstrap follow the real bootstrap's; options are not lwrap's here" {
    ln -s "$WR_STUB" task/bootstrap.real
    run -0 task/bootstrap --explain --help a
    [ "$output" = $'--explain\n--help\na' ]
}

@test "LWRAP_BOOTSTRAP is a command line (quoting, \${NAME}); its family gets presets" {
    ln -s "$WR_STUB" task/bootstrap.real
    py=$(wr_stub_as python3.12)
    LWRAP_BOOTSTRAP="$py \"\${LAMBDA_TASK_ROOT}/my main.py\" --mode fast" LWRAP_PRESETS=python-faulthandler \
        run -0 task/bootstrap extra
    [ "$output" = $'-X\nfaulthandler\n'"$PWD/task/my main.py"$'\n--mode\nfast\nextra' ]
}

@test "the exit status of the real bootstrap comes back" {
    ln -s "$WR_STUB" task/bootstrap.real
    STUB_EXIT=3 run -3 task/bootstrap
    STUB_SIGNAL=SEGV run -139 task/bootstrap
}

@test "no real bootstrap: 127 and one line" {
    run -127 --separate-stderr task/bootstrap
    [ -z "$output" ]
    [ "$stderr" = 'lwrap: bootstrap: no real bootstrap: set LWRAP_BOOTSTRAP or add $LAMBDA_TASK_ROOT/bootstrap.real or /opt/bootstrap.real' ]
}

@test "a real bootstrap that is not executable: 126" {
    printf '#!/bin/sh\n' >task/bootstrap.real
    run -126 --separate-stderr task/bootstrap
    [ "$stderr" = "lwrap: $PWD/task/bootstrap.real: cannot execute: Permission denied" ]
}

@test "a bad LWRAP_BOOTSTRAP is reported and bootstrap.real runs instead" {
    ln -s "$WR_STUB" task/bootstrap.real
    LWRAP_BOOTSTRAP='"unterminated' run -0 --separate-stderr task/bootstrap a
    [ "$stderr" = 'lwrap: LWRAP_BOOTSTRAP: unterminated double quote; ignored' ]
    [ "$output" = a ]
    LWRAP_BOOTSTRAP='  ' run -0 --separate-stderr task/bootstrap a
    [ "$output" = a ]
}

@test "/opt/bootstrap.real is the fallback (a layer-provided runtime)" {
    wr_need_opt_ns
    mkdir opt
    ln -s "$WR_STUB" opt/bootstrap.real
    run -0 wr_with_opt "$PWD/opt" "$PWD/task/bootstrap" a
    [ "$output" = a ]
}

@test "LWRAP_DRY_RUN=1 explains bootstrap mode" {
    ln -s "$WR_STUB" task/bootstrap.real
    LWRAP_DRY_RUN=1 run -0 task/bootstrap a
    [ "$output" = "argv $PWD/task/bootstrap.real"$'\nargv a' ]
}

@test "an exec wrapper that happens to be named bootstrap wraps the command it is given" {
    # /var/runtime/bootstrap runs "$AWS_LAMBDA_EXEC_WRAPPER" CMD...: argv[0] is that very path
    py=$(wr_stub_as python3.12)
    AWS_LAMBDA_EXEC_WRAPPER=$PWD/task/bootstrap LWRAP_ARGS=-u run -0 --separate-stderr \
        "$PWD/task/bootstrap" "$py" /var/runtime/bootstrap.py
    [ -z "$stderr" ]
    [ "$output" = $'-u\n/var/runtime/bootstrap.py' ]
    # as a custom runtime's bootstrap (no command) it still runs bootstrap.real
    ln -s "$WR_STUB" task/bootstrap.real
    AWS_LAMBDA_EXEC_WRAPPER=$PWD/task/bootstrap LWRAP_ARGS=-u run -0 "$PWD/task/bootstrap"
    [ "$output" = -u ]
}
