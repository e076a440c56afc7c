#!/usr/bin/env bats
# ThreadSanitizer on the preload (README "Sanitizer builds"): liblwrap.so, lwrap and
# lambda-emu built with make SANITIZE=thread into $BUILD-tsan, and a program built with
# -fsanitize=thread (tests/fixtures/sanitizer/threads_runtime.c) whose threads write
# stdout and stderr every way at once, and fetch and answer invocations concurrently.
# The program is instrumented, so the TSan runtime is loaded before libc without any
# LD_PRELOAD of ours. Every report is a failure; TSAN_OPTIONS sends them to a file.
load test_helper

BATS_TEST_TIMEOUT=150

setup_file() {
    export TSAN_BUILD=$BUILD-tsan TSAN_PROG=$BATS_FILE_TMPDIR/threads_runtime
    local out
    if ! out=$(make -C "$REPO" --no-print-directory -j"$(nproc)" SANITIZE=thread BUILD="$TSAN_BUILD" \
        "$TSAN_BUILD/lwrap" "$TSAN_BUILD/liblwrap.so" "$TSAN_BUILD/lambda-emu" 2>&1) ||
        ! out=$(gcc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -O1 -g -fsanitize=thread -pthread \
            -o "$TSAN_PROG" "$FIXTURES/sanitizer/threads_runtime.c" 2>&1); then
        printf '%s\n' "$out" >"$BATS_FILE_TMPDIR/build-failed"
    fi
}

setup() {
    lwrap_test_setup
    if [[ -e $BATS_FILE_TMPDIR/build-failed ]]; then
        cat "$BATS_FILE_TMPDIR/build-failed"
        return 1
    fi
    export TSAN_OPTIONS="halt_on_error=0 exitcode=86 log_path=$BATS_TEST_TMPDIR/tsan"
}

# no_reports: fails, showing them, when ThreadSanitizer wrote any report.
no_reports() {
    local f found=0
    for f in "$BATS_TEST_TMPDIR"/tsan.*; do
        [[ -e $f ]] || continue
        found=1
        cat "$f"
    done
    return "$found"
}

# messages MODE FILE...: the message of every record in the files (text: the fourth
# tab-separated field; json: .message), one a line.
messages() {
    local mode=$1
    shift
    if [[ $mode == json ]]; then jq -r .message "$@"; else cut -f4- "$@"; fi
}

@test "TSan: the harness sees a report (a deliberately racy program is caught)" {
    printf '%s\n' '#include <pthread.h>' 'static int x;' \
        'static void *f(void *a) { x++; return a; }' \
        'int main(void) { pthread_t t; pthread_create(&t, 0, f, 0); x++; pthread_join(t, 0); return x - 2; }' >racy.c
    gcc -O0 -g -fsanitize=thread -pthread -o racy racy.c
    run -86 ./racy
    run ! no_reports
    [[ $output == *"WARNING: ThreadSanitizer: data race"* ]]
}

@test "TSan: 8 threads x 2,000 lines, every way of writing, to stdout and stderr pipes, LWRAP_LOGS=text and json: every line once, no report" {
    local mode
    for mode in text json; do
        run -0 bash -c 'LWRAP_LOGS=$1 LD_PRELOAD=$2 "$3" writers 8 2000 2> >(cat >err) | cat >out; wait' \
            _ "$mode" "$TSAN_BUILD/liblwrap.so" "$TSAN_PROG"
        no_reports
        run -0 messages "$mode" out err
        diff -u <(for t in 0 1 2 3 4 5 6 7; do for ((n = 0; n < 2000; n++)); do echo "w$t #$n"; done; done | sort) \
            <(sort <<<"$output") >/dev/null || { echo "$mode: lines differ"; return 1; }
    done
}

# concurrent MODE [EMU_OPTION...]: 40 invocations, 8 in flight, through lwrap with
# LWRAP_LOGS=MODE, the startup trace and the internal extension on.
concurrent() {
    local mode=$1 i
    shift
    local -a events=()
    for i in $(seq 40); do
        printf '{"n":%d}' "$i" >"ev$i.json"
        events+=(--event "ev$i.json")
    done
    run -0 --separate-stderr "$TSAN_BUILD/lambda-emu" --log-format json --concurrency 8 "$@" \
        -e AWS_LAMBDA_EXEC_WRAPPER="$TSAN_BUILD/lwrap" -e LWRAP_LOGS="$mode" -e LWRAP_TRACE=json \
        -e LWRAP_EXTENSION=1 -e "LWRAP_TRACE_FILE=$PWD/tl-%p.json" "${events[@]}" -- "$TSAN_PROG" runtime 8
    no_reports
    "$EMU_PY" "$REPO/tests/fixtures/trace/check_timeline.py" tl-*.json >/dev/null # rewritten while 8 threads run
    [ "$(jq -c 'select(.type=="response" and .status=="success")' <<<"$output" | wc -l)" -eq 40 ]
    # the extension registered (no "registration failed" line)
    [ -z "$(jq -r 'select(.type=="function") | .message' <<<"$output" | grep 'LWRAP_EXTENSION')" ]
    # every line once; each invocation's own lines carry its request id
    jq -r 'select(.type=="function") | .message' <<<"$output" | grep -v '"type":"lwrap.trace"' >records
    if [[ $mode == json ]]; then
        jq -r '[.requestId // "-", .message] | @tsv' records >pairs
    else
        cut -f2,4- records >pairs
    fi
    [ "$(wc -l <pairs)" -eq 1600 ]
    [ "$(cut -f2 pairs | sort -u | wc -l)" -eq 1600 ]
    [ "$(grep -c $'\ti' pairs)" -eq 800 ]
    run awk -F'\t' '$2 ~ /^i/ { split($2, w, " "); if (w[2] != $1) { print; bad++ } } END { exit bad > 0 }' pairs
    [ "$status" -eq 0 ] || { echo "lines not attributed to their own invocation:"; echo "$output"; return 1; }
}

@test "TSan: 8 threads fetch and answer 40 invocations at once through lwrap under lambda-emu, LWRAP_LOGS=json, trace, extension: lines once and attributed, no report" {
    concurrent json
}

@test "TSan: the same with LWRAP_LOGS=text and no telemetry fd: lines once and attributed, no report" {
    concurrent text --no-telemetry-fd
}
