#!/usr/bin/env bats
# What an invocation's end does to lines other threads have not finished (README "Records"):
# with other invocations still in flight (Managed Instances, --concurrency) nothing freezes,
# so a line written in parts stays one record; and with the last one ending, a line whose
# end could begin a credential stays held, so a secret written in parts is masked whole
# (an attacker's finding: both halves went out in clear, as two records).
load test_helper

FIX=$FIXTURES/logs/invoke_end
SECRET=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY

# invoke_end_emu MODE EVENT_JSON... [-- EMU_OPTION...]: the fixture runtime through lwrap
# with LWRAP_LOGS=MODE and the secret in the environment; output lines in $output.
invoke_end_emu() {
    local mode=$1
    shift
    emu_event_files "$@"
    shift "$EMU_EVENTS_USED"
    run --separate-stderr timeout -k 5 60 "$EMU" --init-timeout 30 -e "AWS_LAMBDA_EXEC_WRAPPER=$LWRAP" \
        -e "LWRAP_LOGS=$mode" -e "AWS_SECRET_ACCESS_KEY=$SECRET" "$@" "${EMU_EVENT_ARGS[@]}" \
        --handler x.handler --task-root "$FIX" -- "$EMU_PY" "$FIX/runtime.py"
}

# no_secret: not even the first or last 8 bytes of the secret anywhere
no_secret() {
    [[ $output != *"${SECRET:0:8}"* && $output != *"${SECRET: -8}"* && $stderr != *"${SECRET:0:8}"* ]] ||
        { echo "secret in the output:"; echo "$output"; return 1; }
}

@test "another invocation ends while a line is half written (--concurrency 2): one record, the secret masked whole" {
    local mode
    for mode in text json; do
        invoke_end_emu "$mode" '{"split": "secret wJalrXUtnFEMI/K7M|DENG/bPxRfiCYEXAMPLEKEY end", "gap": 0.3}' \
            '{"sleep": 0.05}' -- --concurrency 2
        [ "$status" -eq 0 ]
        no_secret
        [ "$(grep -c 'secret \*\*\*\* end' <<<"$output")" -eq 1 ] || { echo "$output"; false; }
        invoke_end_emu "$mode" '{"split": "first-half |second-half", "gap": 0.3}' '{"sleep": 0.05}' \
            -- --managed-instances 2
        [ "$status" -eq 0 ]
        [ "$(grep -c 'first-half second-half' <<<"$output")" -eq 1 ] || { echo "$output"; false; }
        if grep -E 'first-half( |\\")*$|^[^ ]*second-half' <<<"$output"; then false; fi
    done
}

@test "one invocation at a time: a background thread's secret written across the invoke's end is masked whole" {
    local mode
    for mode in text json; do
        invoke_end_emu "$mode" '{"background": "bg secret wJalrXUtnFEMI/K7M|DENG/bPxRfiCYEXAMPLEKEY end", "gap": 0.15}' \
            '{"sleep": 0.3}'
        [ "$status" -eq 0 ]
        no_secret
        [ "$(grep -c 'bg secret \*\*\*\* end' <<<"$output")" -eq 1 ] || { echo "$output"; false; }
    done
}

@test "one invocation at a time: an ordinary unfinished line is still cut at the invoke's end, with that invoke's id" {
    invoke_end_emu text '{"background": "bg plain start |and its end", "gap": 0.15}' '{"sleep": 0.3}'
    [ "$status" -eq 0 ]
    local first
    first=$(grep -m1 'START RequestId' <<<"$output" | sed 's/.*RequestId: \([^ ]*\).*/\1/')
    grep -qP "\t$first\tINFO\tbg plain start \$" <<<"$output" || { echo "$output"; false; }
    grep -qP "\tINFO\tand its end\$" <<<"$output"
}
