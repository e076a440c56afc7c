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
    run --separate-stderr "$EMU" --log-format json "${opts[@]}" "${evs[@]}" -- "$EMU_PY" "$EMU_FIX/runtime.py"
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
