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


@test "make check adds up both passes' counts in one line, and fails when either pass fails or has no summary" {
    # a stand-in make: what each pass of scripts/check would print
    mkdir bin
    cat >bin/make <<'SH'
#!/bin/bash
echo "make $*" >>"$CALLS"
case "$* $FAKE" in
*SANITIZE=*\ sanfail*) echo "7 passed, 2 failed"; exit 1 ;;
*SANITIZE=*\ nosummary*) echo "build-asan: error"; exit 2 ;;
*SANITIZE=*) echo "7 passed, 0 failed" ;;
*) echo "ok 1 x"; echo "30 passed, 0 failed" ;;
esac
SH
    chmod +x bin/make
    CALLS=$PWD/calls PATH=$PWD/bin:$PATH run -0 "$REPO/scripts/check" wrapper
    [ "${lines[-1]}" = "37 passed, 0 failed" ]
    [ "$(cat calls)" = "make --no-print-directory test T=wrapper
make --no-print-directory test SANITIZE=address,undefined TEST_SANITIZED_ONLY=1 T=wrapper" ]
    FAKE=sanfail CALLS=$PWD/calls PATH=$PWD/bin:$PATH run -1 "$REPO/scripts/check"
    [ "${lines[-1]}" = "37 passed, 2 failed" ]
    FAKE=nosummary CALLS=$PWD/calls PATH=$PWD/bin:$PATH run -1 "$REPO/scripts/check"
    [ "${lines[-1]}" = "30 passed, 1 failed" ]
}
