#!/usr/bin/env bats
# `make demo` (scripts/demo): a sample Python function under lambda-emu through lwrap.
load test_helper

@test "the demo runs invokes through lwrap and shows START, END and REPORT" {
    run --separate-stderr env BUILD="$BUILD" "$REPO/scripts/demo"
    [ "$status" -eq 0 ] || { printf '%s\n' "$output" "$stderr" >&2; return 1; }
    [ "$(grep -c '^START RequestId: ' <<<"$output")" -eq 3 ]
    [ "$(grep -c '^END RequestId: ' <<<"$output")" -eq 3 ]
    [ "$(grep -c '^REPORT RequestId: .*Init Duration: ' <<<"$output")" -eq 2 ]
    grep -qx 'lwrap: set DEMO_GREETING=hello (LWRAP_SET_DEMO_GREETING)' <<<"$output"
    grep -q '^RESPONSE RequestId: [0-9a-f-]*'$'\t''{"printed": 1, "logged": 1}$' <<<"$output"
}
