#!/usr/bin/env bats
# The node test runtime (tests/runtimes/node) and its sample handlers, through lambda-emu.
load test_helper
load runtimes/suite

@test "node: echo returns each event, several invokes in a row" {
    rt_check_echo node
}

@test "node: prints go to stdout, logger records to telemetry frames with their level" {
    rt_check_log_telemetry node
}

@test "node: without the telemetry fd, logger records are stdout lines" {
    rt_check_log_stdout node
}

@test "node: handler errors are reported with type and stack trace" {
    rt_check_error node
}

@test "node: a multi-line logger record is one telemetry event" {
    rt_check_multiline node
}

@test "node: AWS_LAMBDA_MAX_CONCURRENCY runs invokes at once" {
    rt_check_concurrency node
}

@test "node: AWS_LAMBDA_EXEC_WRAPPER adds an argument the runtime sees" {
    rt_check_exec_wrapper node
}

@test "node: a missing handler module is an init error" {
    rt_check_init_error node
}

@test "node: AWS_LAMBDA_LOG_FORMAT=JSON makes JSON frames" {
    rt_check_log_json node
}

@test "node: the runtime removes _LAMBDA_TELEMETRY_LOG_FD from its environment" {
    rt_check_telemetry_var_removed node
}

@test "node: a child's output into a pipe is returned byte for byte" {
    rt_check_subprocess node
}

@test "node: the crash handler exits the runtime" {
    rt_check_crash_exit node
}

@test "node: a streamifyResponse handler streams its response" {
    emu_invoke node stream '{"chunks":["x","yy","z"]}'
    [ "$status" -eq 0 ] || rt_fail "emulator exit $status"
    [ "$(emu_select '.type=="response"' '[.status,.streamed,.body]')" = '["success",true,"xyyz"]' ] || rt_fail "stream"
}

@test "node: an error after streaming started travels in the trailers" {
    emu_invoke node stream '{"chunks":["x"],"fail":"late"}'
    [ "$status" -eq 0 ] || rt_fail "emulator exit $status"
    [ "$(emu_select '.type=="response"' '[.status,.streamed,.errorType]')" = '["error",true,"Error"]' ] || rt_fail "stream error"
}

@test "node: a CommonJS callback-style handler answers through its callback" {
    emu_invoke node callback '{"k":"v"}'
    [ "$status" -eq 0 ] || rt_fail "emulator exit $status"
    id=$(emu_select '.type=="response"' .requestId | jq -r .)
    [ "$(emu_responses | jq -c .)" = "{\"echo\":{\"k\":\"v\"},\"requestId\":\"$id\"}" ] || rt_fail "callback"
}
