#!/usr/bin/env bats
# The libFuzzer targets (tests/fuzz/, make fuzz): they build, every committed seed and
# regression input passes through its target, and a short fresh fuzzing pass of each finds
# nothing (CI's short pass: FUZZ_CI_SECONDS per target, default 12).
load test_helper

FUZZ_CI_SECONDS=${FUZZ_CI_SECONDS:-12}

setup_file() {
    # One build for the file; a missing clang/libFuzzer fails the first test, loudly.
    make -s -C "$REPO" BUILD="$BUILD" fuzz-build >"$BATS_FILE_TMPDIR/build.log" 2>&1 ||
        echo failed >"$BATS_FILE_TMPDIR/build.failed"
}

fuzz_built() {
    if [[ -e $BATS_FILE_TMPDIR/build.failed ]]; then
        cat "$BATS_FILE_TMPDIR/build.log"
        echo "the fuzz targets did not build (make fuzz-build; see above)"
        return 1
    fi
}

# fuzz_replay TARGET / fuzz_pass TARGET: tests/fuzz/run's two modes.
fuzz_replay() {
    fuzz_built || return 1
    run -0 "$REPO/tests/fuzz/run" --build "$BUILD" --replay "$1"
    [[ $output == *"$1"*"inputs: ok" ]]
}

fuzz_pass() {
    fuzz_built || return 1
    run "$REPO/tests/fuzz/run" --build "$BUILD" --seconds "$FUZZ_CI_SECONDS" "$1"
    echo "$output"
    ((status == 0))
    [[ $output =~ $1\ +execs\ [0-9]+ ]]
}

@test "make fuzz-build builds every target in tests/fuzz (clang with libFuzzer)" {
    fuzz_built
    local f t
    for f in "$REPO"/tests/fuzz/*.c; do
        t=$(basename "$f" .c)
        [[ -x $BUILD/fuzz/$t ]] || { echo "$t: not built (missing from FUZZ_TARGETS?)"; false; }
        [[ -n $(ls -A "$REPO/tests/fuzz/corpus/$t" 2>/dev/null) ]] || { echo "$t: no seed corpus"; false; }
    done
}

@test "make fuzz-build without libFuzzer fails with one clear line" {
    run -2 --separate-stderr make -s -C "$REPO" BUILD="$PWD/b" FUZZ_CC=/bin/false fuzz-build
    [[ $stderr == *"cannot build libFuzzer targets; install clang with libFuzzer"* ]]
}

@test "preload_http: every seed and regression input passes" {
    fuzz_replay preload_http
}

@test "preload_http: a fresh short pass finds nothing" {
    fuzz_pass preload_http
}

@test "wrapper_split: every seed and regression input passes" {
    fuzz_replay wrapper_split
}

@test "wrapper_split: a fresh short pass finds nothing" {
    fuzz_pass wrapper_split
}

@test "wrapper_conf: every seed and regression input passes" {
    fuzz_replay wrapper_conf
}

@test "wrapper_conf: a fresh short pass finds nothing" {
    fuzz_pass wrapper_conf
}

@test "wrapper_fetch: every seed and regression input passes" {
    fuzz_replay wrapper_fetch
}

@test "wrapper_fetch: a fresh short pass finds nothing" {
    fuzz_pass wrapper_fetch
}

@test "log_records: every seed and regression input passes" {
    fuzz_replay log_records
}

@test "log_records: a fresh short pass finds nothing" {
    fuzz_pass log_records
}

@test "json_utf8: every seed and regression input passes" {
    fuzz_replay json_utf8
}

@test "json_utf8: a fresh short pass finds nothing" {
    fuzz_pass json_utf8
}

@test "emu_http: every seed and regression input passes" {
    fuzz_replay emu_http
}

@test "emu_http: a fresh short pass finds nothing" {
    fuzz_pass emu_http
}

@test "emu_frames: every seed and regression input passes" {
    fuzz_replay emu_frames
}

@test "emu_frames: a fresh short pass finds nothing" {
    fuzz_pass emu_frames
}

@test "emu_json: every seed and regression input passes" {
    fuzz_replay emu_json
}

@test "emu_json: a fresh short pass finds nothing" {
    fuzz_pass emu_json
}
