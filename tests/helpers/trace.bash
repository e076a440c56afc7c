# Startup trace suites (tests/preload-trace*.bats): the trace record, the timeline file
# (LWRAP_TRACE_FILE) and the OTLP spans (LWRAP_TRACE_OTLP).
# shellcheck disable=SC2154 # status and output are set by bats' run

TRACE_FIXTURES=$REPO/tests/fixtures/trace

# trace_record: the one trace record's message, from the telemetry stream (or stderr with
# STREAM=stderr); fails unless there is exactly one. (EMF's per-package records, which
# start {"_aws" too, are told apart by their "Package" member.)
trace_record() {
    local stream=${STREAM:-telemetry} rec
    rec=$(jq -r --arg s "$stream" 'select(.type=="function" and .stream==$s) | .message' <<<"$output" |
        grep -E '^(LWRAP TRACE|\{"type":"lwrap.trace"|\{"_aws")' | grep -v '"Package":')
    [ "$(wc -l <<<"$rec")" -eq 1 ] || { echo "records: $rec"; return 1; }
    printf '%s\n' "$rec"
}

# trace_task LANG TASK_ROOT HANDLER N [EMU_OPTION...]: N invokes of {} of HANDLER in
# TASK_ROOT through lambda-emu (JSON), with the language's test runtime; leaves $status,
# $output and $stderr.
trace_task() {
    local lang=$1 root=$2 handler=$3 n=$4 i
    shift 4
    local -a ev=()
    printf '{}' >"$BATS_TEST_TMPDIR/empty.json"
    for ((i = 0; i < n; i++)); do ev+=(--event "$BATS_TEST_TMPDIR/empty.json"); done
    runtime_cmd "$lang" || return 1
    run --separate-stderr timeout -k 5 120 "$EMU" --log-format json --init-timeout 30 "$@" "${ev[@]}" \
        --handler "$handler" --task-root "$root" -- "${RUNTIME_CMD[@]}"
}

# timeline_check FILE: the strict checker's summary of a timeline file (fails on any flaw).
timeline_check() {
    "$EMU_PY" "$TRACE_FIXTURES/check_timeline.py" "$1"
}

# the only timeline file in the test's directory (tl-<pid>.json)
timeline_file() {
    local files=("$BATS_TEST_TMPDIR"/tl-*.json)
    [ "${#files[@]}" -eq 1 ] && [ -f "${files[0]}" ] || { echo "timeline files: ${files[*]}" >&2; return 1; }
    printf '%s\n' "${files[0]}"
}
