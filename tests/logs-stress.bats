#!/usr/bin/env bats
# Bounded stress of the log pipeline (issue 10, "Prove it"): 8 threads each os.write
# 20,000 short lines (tests/fixtures/differential/stress_lines.py: "S<thread>#<n> ..."
# with a payload whose length varies, so a torn or merged line never looks whole). Every
# line must arrive exactly once, whole, in per-thread order: through a pipe whose reader
# starts 0.5 s late, through telemetry frames to such a pipe, and through lambda-emu
# (frames, and lines with --no-telemetry-fd) with no "bad frame header".
# Each test takes a few seconds; its own limit is 60 s.
load test_helper

BATS_TEST_TIMEOUT=60

@test "stress: 8 threads x 20,000 lines, slow pipe reader, LWRAP_LOGS=off: every line once, whole, in order" {
    diff_stress off slow
}

@test "stress: 8 threads x 20,000 lines, slow pipe reader, LWRAP_LOGS=text: every line once, whole, in order" {
    diff_stress text slow
}

@test "stress: 8 threads x 20,000 lines, slow pipe reader, LWRAP_LOGS=json: every line once, whole, in order" {
    diff_stress json slow
}

@test "stress: 8 threads x 20,000 lines, telemetry frames to a slow reader, LWRAP_LOGS=text: every line once, whole frames" {
    diff_stress text slowtele
}

@test "stress: 8 threads x 20,000 lines, telemetry frames to a slow reader, LWRAP_LOGS=json: every line once, whole frames" {
    diff_stress json slowtele
}

@test "stress: 8 threads x 20,000 lines in a handler under lambda-emu, LWRAP_LOGS=text: frames whole, every line once" {
    diff_stress_emu text
}

@test "stress: 8 threads x 20,000 lines in a handler under lambda-emu, LWRAP_LOGS=json: frames whole, every line once" {
    diff_stress_emu json
}

@test "stress: 8 threads x 20,000 lines in a handler under lambda-emu without the telemetry fd, LWRAP_LOGS=text" {
    diff_stress_emu text --no-telemetry-fd
}
