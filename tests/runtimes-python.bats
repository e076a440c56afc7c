#!/usr/bin/env bats
# The python test runtime (tests/runtimes/python) and its sample handlers, through lambda-emu.
load test_helper
load runtimes/suite

@test "python: echo returns each event, several invokes in a row" {
    rt_check_echo python
}

@test "python: prints go to stdout, logger records to telemetry frames with their level" {
    rt_check_log_telemetry python
}

@test "python: without the telemetry fd, logger records are stdout lines" {
    rt_check_log_stdout python
}

@test "python: handler errors are reported with type and stack trace" {
    rt_check_error python
}

@test "python: a multi-line logger record is one telemetry event" {
    rt_check_multiline python
}

@test "python: AWS_LAMBDA_MAX_CONCURRENCY runs invokes at once" {
    rt_check_concurrency python
}

@test "python: AWS_LAMBDA_EXEC_WRAPPER adds an argument the runtime sees" {
    rt_check_exec_wrapper python
}

@test "python: a missing handler module is an init error" {
    rt_check_init_error python
}

@test "python: AWS_LAMBDA_LOG_FORMAT=JSON makes JSON frames" {
    rt_check_log_json python
}

@test "python: the runtime removes _LAMBDA_TELEMETRY_LOG_FD from its environment" {
    rt_check_telemetry_var_removed python
}

@test "python: a child's output into a pipe is returned byte for byte" {
    rt_check_subprocess python
}

@test "python: the crash handler exits the runtime" {
    rt_check_crash_exit python
}

@test "python: the crash handler can segfault the interpreter" {
    rt_check_crash_segfault python
}

