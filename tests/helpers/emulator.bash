# lambda-emu's own suites (tests/emulator-*.bats): a small fixture runtime and extension
# in tests/fixtures/emulator, driven by the "do" member of each event (see runtime.py).

EMU_FIX=$FIXTURES/emulator
# A real python3 (not pyenv's bash shim, which costs ~0.6 s per start).
if [[ -x /usr/bin/python3 ]]; then EMU_PY=/usr/bin/python3; else EMU_PY=$(command -v python3); fi

# fx_event JSON: writes an event file, prints its path.
fx_event() {
    local f
    f=$(mktemp "$BATS_TEST_TMPDIR/event.XXXXXX")
    printf '%s' "$1" >"$f"
    printf '%s\n' "$f"
}

# fx_emu [EMU_OPTION...] [-- EVENT_JSON...]: runs lambda-emu --log-format json with the
# fixture runtime, one invoke per EVENT_JSON; leaves $status, $output, $stderr.
fx_emu() {
    local -a opts=() evs=()
    while (($#)) && [[ $1 != -- ]]; do opts+=("$1"); shift; done
    [[ ${1:-} == -- ]] && shift
    while (($#)); do evs+=(--event "$(fx_event "$1")"); shift; done
    # timeout: a stuck emulator fails its test instead of the whole run
    run --separate-stderr timeout -k 10 120 "$EMU" --log-format json "${opts[@]}" "${evs[@]}" -- "$EMU_PY" "$EMU_FIX/runtime.py"
}

# fx_sel JQ_CONDITION [FIELD]: FIELD (default .message) of each JSON event in $output
# matching the condition, compact JSON, one per line.
fx_sel() {
    jq -c -R "fromjson? | select($1) | ${2:-.message}" <<<"$output"
}

# fx_types: the sequence of event types in $output, one per line.
fx_types() {
    jq -r -R 'fromjson? | .type' <<<"$output"
}

# fx_fail MSG: fail showing the emulator's output.
fx_fail() {
    printf '%s\n' "$*" "--- stdout:" "$output" "--- stderr:" "${stderr:-}" >&2
    return 1
}

# fx_extensions NAME...: an extensions dir with the fixture extension under each NAME.
fx_extensions() {
    mkdir -p "$BATS_TEST_TMPDIR/extensions"
    local n
    for n in "$@"; do cp "$EMU_FIX/extension.py" "$BATS_TEST_TMPDIR/extensions/$n"; done
    printf '%s\n' "$BATS_TEST_TMPDIR/extensions"
}

# fx_raw_http PORT FILE: sends FILE's bytes to 127.0.0.1:PORT (in pieces when
# FX_SPLIT=1), prints the whole answer until the server closes (or 2 s of silence).
fx_raw_http() {
    "$EMU_PY" "$EMU_FIX/rawhttp.py" "$@"
}

# fx_attribution: checks $output for the lines "tK line J" a handler wrote in invoke K
# (K counts invokes from 1, in order): each must carry the request id of the K-th
# platform.start and come before that invoke's platform.end. Prints the count of such
# lines, or the offending events (and fails).
fx_attribution() {
    local bad
    bad=$(jq -R -n -r '
        [inputs | fromjson?] | to_entries as $e
        | [$e[] | select(.value.type=="platform.start") | .value.requestId] as $starts
        | ($e | map(select(.value.type=="platform.end")) | map({key: .value.requestId, value: .key}) | from_entries) as $ends
        | [$e[] | select(.value.type=="function") | .key as $i | .value
            | (.message | capture("(?<k>t[0-9]+) line [0-9]+\n?$")?) as $m | select($m != null)
            | ($starts[($m.k[1:] | tonumber) - 1]) as $want
            | if .requestId != $want or $i > ($ends[$want] // -1) then "BAD \($i) \(.requestId) \(.message)" else "ok" end]
        | (map(select(startswith("BAD"))) | .[]), "count \(length)"' <<<"$output")
    printf '%s\n' "$bad"
    ! grep -q '^BAD' <<<"$bad"
}

# fx_wait_for FILE REGEX: waits (up to 60 s, for a loaded machine) until a line of FILE
# matches the extended REGEX; prints that line's first match.
fx_wait_for() {
    local end=$((SECONDS + 60))
    while ((SECONDS < end)); do
        if grep -qE "$2" "$1" 2>/dev/null; then
            grep -oE "$2" "$1" | head -1
            return 0
        fi
        sleep 0.1
    done
    echo "fx_wait_for: no '$2' in $1" >&2
    return 1
}

# fx_gone PID: true once PID has exited (gone, or a zombie nobody reaped yet); waits up to
# 60 s for it. A process still there after that is a leak.
fx_gone() {
    local end=$((SECONDS + 60)) state
    while ((SECONDS < end)); do
        state=$(awk '/^State:/ {print $2}' "/proc/$1/status" 2>/dev/null || true)
        [[ -z $state || $state == Z ]] && return 0
        sleep 0.1
    done
    echo "process $1 still running ($state)" >&2
    return 1
}
