#!/usr/bin/env bats
# The ruby test runtime (tests/runtimes/ruby) and its sample handlers, through lambda-emu.
load test_helper
load runtimes/suite

@test "ruby: echo returns each event, several invokes in a row" {
    rt_check_echo ruby
}

@test "ruby: prints go to stdout, logger records to telemetry frames with their level" {
    rt_check_log_telemetry ruby
}

@test "ruby: without the telemetry fd, logger records are stdout lines" {
    rt_check_log_stdout ruby
}

@test "ruby: handler errors are reported with type and stack trace" {
    rt_check_error ruby
}

@test "ruby: a multi-line logger record is one telemetry event" {
    rt_check_multiline ruby
}

@test "ruby: AWS_LAMBDA_MAX_CONCURRENCY runs invokes at once" {
    rt_check_concurrency ruby
}

@test "ruby: AWS_LAMBDA_EXEC_WRAPPER adds an argument the runtime sees" {
    rt_check_exec_wrapper ruby
}

@test "ruby: a missing handler module is an init error" {
    rt_check_init_error ruby
}

@test "ruby: AWS_LAMBDA_LOG_FORMAT=JSON makes JSON frames" {
    rt_check_log_json ruby
}

@test "ruby: the runtime removes _LAMBDA_TELEMETRY_LOG_FD from its environment" {
    rt_check_telemetry_var_removed ruby
}

@test "ruby: a child's output into a pipe is returned byte for byte" {
    rt_check_subprocess ruby
}

@test "ruby: the crash handler exits the runtime" {
    rt_check_crash_exit ruby
}

