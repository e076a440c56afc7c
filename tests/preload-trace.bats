#!/usr/bin/env bats
# The startup trace (LWRAP_TRACE=text|json|emf): one record when init ends, with phases
# that add up and are never negative, as a telemetry frame or one stderr line.
load test_helper

setup() {
    lwrap_test_setup
    preload_opts
    runtime_python3
}

# checks on a JSON record: phases add up (to rounding), nothing negative, counts sane
assert_json_phases() {
    jq -e '.totalMs >= 0 and .runtimeInitMs > 0 and (.execMs // 0) >= 0
        and ((.totalMs - (.execMs // 0) - .runtimeInitMs) | fabs) <= 0.002
        and .filesOpened > 0 and .bytesRead > 0 and .dlopenCount == (.dlopen | length)
        and .dlopenMs >= 0 and ([.dlopen[].ms | select(. < 0)] | length) == 0
        and ((.dlopenMs - ([.dlopen[].ms] | add // 0)) | fabs) <= 0.001 * (.dlopenCount + 1)' <<<"$1"
}

@test "json through lwrap: exec and runtime-init phases add up, as a telemetry frame" {
    emu_invoke python echo '{}' -e "AWS_LAMBDA_EXEC_WRAPPER=$LWRAP" -e "LWRAP_PRELOAD_PATH=$LIBLWRAP" \
        -e LWRAP_TRACE=json
    [ "$status" -eq 0 ]
    run -0 trace_record
    local rec=$output
    assert_json_phases "$rec"
    jq -e '.type == "lwrap.trace" and .outcome == "ready" and .execMs > 0' <<<"$rec"
}

@test "json without lwrap: no exec phase, total is the runtime's init" {
    emu_invoke python echo '{}' "${PRELOAD_OPTS[@]}" -e LWRAP_TRACE=json
    [ "$status" -eq 0 ]
    run -0 trace_record
    assert_json_phases "$output"
    jq -e 'has("execMs") | not' <<<"$output"
    jq -e '.totalMs == .runtimeInitMs' <<<"$output"
}

@test "dlopen'd objects during init are listed with their time (java loads several)" {
    emu_invoke java echo '{}' "${PRELOAD_OPTS[@]}" -e LWRAP_TRACE=json
    [ "$status" -eq 0 ]
    run -0 trace_record
    assert_json_phases "$output"
    jq -e '.dlopenCount >= 1 and ([.dlopen[].path | select(endswith(".so"))] | length) >= 1' <<<"$output"
}

@test "text without a telemetry fd: one stderr line with every field" {
    emu_invoke python echo '{}' --no-telemetry-fd "${PRELOAD_OPTS[@]}" -e LWRAP_TRACE=text
    [ "$status" -eq 0 ]
    STREAM=stderr run -0 trace_record
    [[ $output =~ ^LWRAP\ TRACE\ init\ ready\ total_ms=([0-9]+\.[0-9]{3})\ runtime_init_ms=([0-9]+\.[0-9]{3})\ files_opened=[1-9][0-9]*\ bytes_read=[1-9][0-9]*\ dlopen_count=[0-9]+\ dlopen_ms=[0-9]+\.[0-9]{3}\ dlopen_untimed=[0-9]+ ]]
    [ "${BASH_REMATCH[1]}" = "${BASH_REMATCH[2]}" ]
}

@test "emf: CloudWatch metrics in the configured namespace with the function name" {
    emu_invoke node echo '{}' -e "AWS_LAMBDA_EXEC_WRAPPER=$LWRAP" -e "LWRAP_PRELOAD_PATH=$LIBLWRAP" \
        -e LWRAP_TRACE=emf -e LWRAP_TRACE_NAMESPACE=coldstarts --function-name trace-fn
    [ "$status" -eq 0 ]
    run -0 trace_record
    local rec=$output
    jq -e '._aws.CloudWatchMetrics[0].Namespace == "coldstarts"
        and ._aws.CloudWatchMetrics[0].Dimensions == [["FunctionName"]]
        and .FunctionName == "trace-fn" and (._aws.Timestamp | type) == "number"
        and ([._aws.CloudWatchMetrics[0].Metrics[].Name] | sort) ==
            ["InitBytesRead","InitDlopenCount","InitDlopenMs","InitExecMs","InitFilesOpened","InitRuntimeMs","InitTotalMs"]
        and .InitRuntimeMs > 0 and .InitExecMs > 0
        and ((.InitTotalMs - .InitExecMs - .InitRuntimeMs) | fabs) <= 0.002' <<<"$rec"
    # every declared metric has a numeric value
    jq -e '. as $r | [._aws.CloudWatchMetrics[0].Metrics[].Name | $r[.] | type] | all(. == "number")' <<<"$rec"
}

@test "emf: credential values in the namespace and function name are masked, and non-UTF-8 bytes escaped (valid JSON)" {
    local secret=wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY token=FwoGZXIvYXdzSESSIONTOKENVALUE123
    emu_invoke node echo '{}' -e "AWS_LAMBDA_EXEC_WRAPPER=$LWRAP" -e "LWRAP_PRELOAD_PATH=$LIBLWRAP" \
        -e LWRAP_TRACE=emf -e "LWRAP_TRACE_NAMESPACE=ns-$token-"$'\xff' --function-name "fn-$secret" \
        -e "AWS_SECRET_ACCESS_KEY=$secret" -e "AWS_SESSION_TOKEN=$token"
    [ "$status" -eq 0 ]
    [[ $output != *"$secret"* && $output != *"$token"* ]]
    run -0 trace_record
    [[ $output == *'"Namespace":"ns-****-\u00ff"'* ]]
    jq -e '.FunctionName == "fn-****" and ._aws.CloudWatchMetrics[0].Namespace == "ns-****-\u00ff"' <<<"$output"
}

@test "init error: the record still comes, marked initError" {
    emu_invoke python no_such_module '{}' "${PRELOAD_OPTS[@]}" -e LWRAP_TRACE=json
    run -0 trace_record
    jq -e '.outcome == "initError" and .runtimeInitMs > 0' <<<"$output"
}

@test "one record per process, never repeated on later invokes" {
    emu_invoke_events python echo '{}' '{}' '{}' -- "${PRELOAD_OPTS[@]}" -e LWRAP_TRACE=json
    [ "$status" -eq 0 ]
    run -0 trace_record
}

@test "an unknown format gets one stderr line and no record" {
    emu_invoke python echo '{}' "${PRELOAD_OPTS[@]}" -e LWRAP_TRACE=yaml
    [ "$status" -eq 0 ]
    [ "$(jq -r 'select(.type=="function") | .message' <<<"$output")" = \
        'lwrap: LWRAP_TRACE: unknown format "yaml" (want off, text, json or emf); ignored' ]
}
