#!/usr/bin/env bats
# The java test runtime (tests/runtimes/java) and its sample handlers, through lambda-emu.
load test_helper
load runtimes/suite

# A JVM start costs about half a second: few tests, several invokes per emulator run.
@test "java: echo returns each event, several invokes in a row" {
    rt_check_echo java
}

@test "java: prints go to stdout, logger records to telemetry frames with their level" {
    rt_check_log_telemetry java
}

@test "java: without the telemetry fd, logger records are stdout lines" {
    rt_check_log_stdout java
}

@test "java: handler errors are reported with type and stack trace" {
    rt_check_error java
}

@test "java: a multi-line logger record is one telemetry event" {
    rt_check_multiline java
}

@test "java: AWS_LAMBDA_MAX_CONCURRENCY runs invokes at once" {
    rt_check_concurrency java
}

@test "java: AWS_LAMBDA_EXEC_WRAPPER adds an argument the runtime sees" {
    rt_check_exec_wrapper java
}

@test "java: a missing handler module is an init error" {
    rt_check_init_error java
}

