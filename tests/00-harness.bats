#!/usr/bin/env bats
# The harness itself: the build produced every program and tests start clean.
load test_helper

@test "make built the wrapper, the preload and the emulator" {
    [ -x "$LWRAP" ]
    [ -f "$LIBLWRAP" ]
    [ -x "$EMU" ]
}

@test "each test starts in an empty directory without lwrap or Lambda variables" {
    [ "$PWD" = "$BATS_TEST_TMPDIR" ]
    [ -z "$(ls -A)" ]
    run -0 bash -c 'env | grep -E "^(LWRAP_|_LWRAP_|AWS_|LAMBDA_|_HANDLER=|LD_PRELOAD=)" || true'
    [ -z "$output" ]
}

