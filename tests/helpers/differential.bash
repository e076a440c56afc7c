# The differential harness and the stress tests of the log pipeline (issue 10):
# tests/logs-differential.bats, tests/logs-stress.bats. The work is done by
# tests/fixtures/differential/harness.py (its docstring says what is compared and how
# the decoration is removed); these helpers run it and show what it found.
# shellcheck disable=SC2154 # status and output are set by bats' run

DIFF_FIX=$FIXTURES/differential

# diff_harness ARGS...: the harness under a plain python3 (not a version manager's shim),
# the corpus' Python programs under the real interpreter (DIFF_PYTHON).
diff_harness() {
    runtime_python3 || return 1
    local py=/usr/bin/python3
    [[ -x $py ]] || py=$RUNTIME_PYTHON3
    DIFF_PYTHON=$RUNTIME_PYTHON3 "$py" "$DIFF_FIX/harness.py" "$@"
}

# diff_need_tools PROG: skip when the program's language is not installed.
diff_need_tools() {
    case $1 in
    node-*) command -v node >/dev/null || skip "node is not installed" ;;
    java-*) if ! command -v java >/dev/null || ! command -v javac >/dev/null; then skip "java/javac are not installed"; fi ;;
    c-*) command -v gcc >/dev/null || skip "gcc is not installed" ;;
    esac
}

# diff_check PROG MODE [DEST,...]: run corpus program PROG with no preload (once per
# file, shared by the modes) and with LD_PRELOAD=liblwrap.so LWRAP_LOGS=MODE, to each of
# its destinations (or the ones given); fail with the harness' report of every difference.
diff_check() {
    diff_need_tools "$1"
    local -a dests=()
    [[ -n ${3:-} ]] && dests=(--dests "$3")
    run diff_harness check "$1" "$2" "${dests[@]}" --lib "$LIBLWRAP" --ref "$BATS_FILE_TMPDIR/ref" \
        --out "$BATS_TEST_TMPDIR" --cache "${BATS_RUN_TMPDIR:-/tmp}/differential"
    printf '%s\n' "$output"
    [ "$status" -eq 0 ]
}

# diff_stress MODE DEST [THREADS LINES]: 8 threads x 20,000 short lines (one os.write
# each) through DEST (slow: a pipe read 0.5 s late; slowtele: telemetry frames to a pipe
# read 0.5 s late); every line must arrive exactly once, whole, in per-thread order.
diff_stress() {
    run diff_harness stress "$1" "$2" --threads "${3:-8}" --lines "${4:-20000}" --lib "$LIBLWRAP" \
        --out "$BATS_TEST_TMPDIR/run"
    printf '%s\n' "$output"
    [ "$status" -eq 0 ]
}

# diff_stress_emu MODE [EMU_OPTION...]: the same lines written by a Lambda handler
# (tests/fixtures/differential/stress_handler.py) under lambda-emu through lwrap with
# LWRAP_LOGS=MODE; checks the runtime's raw telemetry bytes (or its stdout with
# --no-telemetry-fd) and that the emulator never met a bad frame header.
diff_stress_emu() {
    local mode=$1
    shift
    runtime_cmd python || return 1
    printf '{"threads":8,"lines":20000}' >"$BATS_TEST_TMPDIR/stress.json"
    local kind=frames file=raw/telemetry
    [[ " $* " == *" --no-telemetry-fd "* ]] && kind=lines file=raw/stdout
    local emu_status=0 bad=0
    timeout -k 5 100 "$EMU" --log-format json --raw raw --timeout 50 --init-timeout 30 \
        -e "AWS_LAMBDA_EXEC_WRAPPER=$LWRAP" -e "LWRAP_LOGS=$mode" "$@" \
        --event "$BATS_TEST_TMPDIR/stress.json" --handler stress_handler.handler --task-root "$DIFF_FIX" \
        -- "${RUNTIME_CMD[@]}" >emu.out 2>emu.err || emu_status=$?
    if [ "$emu_status" -ne 0 ]; then
        echo "lambda-emu exited with status $emu_status: $(tail -5 emu.err)"
        bad=1
    fi
    if grep -q 'bad frame header' emu.out emu.err; then
        echo "lambda-emu: $(grep -oh 'telemetry fd: bad frame header[^"]*' emu.out emu.err | head -1)"
        bad=1
    fi
    if ! grep -v '"type":"function"' emu.out |
        jq -e -n -R '[inputs | fromjson? | select(.type=="response" and .status=="success" and .body=="\"ok\"")] | length == 1' >/dev/null; then
        echo "no successful response: $(grep -v '"type":"function"' emu.out | head -8)"
        bad=1
    fi
    if [[ $kind == lines && -s raw/stderr ]]; then
        echo "runtime stderr: $(head -c 300 raw/stderr)"
        bad=1
    fi
    run diff_harness stress-verify "$mode" "$file" --kind "$kind" --threads 8 --lines 20000
    printf '%s\n' "$output"
    [ "$status" -eq 0 ] && [ "$bad" -eq 0 ]
}
