#!/usr/bin/env bats
# The crash report (LWRAP_CRASH=1): signal, fault address, request id and a native
# backtrace, to stderr and /tmp/lwrap-crash-<id>.txt; the exit status stays what it was.
load test_helper

setup() {
    lwrap_test_setup
    preload_opts LWRAP_CRASH=1
}

teardown() {
    [[ -n ${REPORT:-} ]] && rm -f "$REPORT"
    lwrap_test_teardown
}

exit_message() {
    jq -r 'select(.type=="platform.runtimeExit") | .message' <<<"$output"
}

stderr_messages() {
    jq -r 'select(.type=="function" and .stream=="stderr") | .message' <<<"$output"
}

# crash EVENT EXPECTED_EXIT_MESSAGE SIGNAME SIGNUM: same runtime exit with and without the
# report; the record names the signal and the request in flight; the file holds it too.
crash() {
    emu_invoke python crash "$1"
    [ "$status" -eq 0 ]
    [ "$(exit_message)" = "$2" ]
    emu_invoke python crash "$1" "${PRELOAD_OPTS[@]}" "${@:5}"
    [ "$status" -eq 0 ]
    [ "$(exit_message)" = "$2" ]
    local id first
    id=$(emu_ids platform.start)
    REPORT=/tmp/lwrap-crash-$id.txt
    first=$(stderr_messages | grep '^LWRAP CRASH ')
    [[ $first == "LWRAP CRASH signal=$3 ($4) code="*" requestId=$id pid="*" report=$REPORT" ]]
    # the whole record reached stderr: header, "backtrace:", frames through the interpreter
    stderr_messages | grep -qx 'backtrace:'
    [ "$(stderr_messages | grep -c '^/.*\[0x[0-9a-f]*\]$')" -ge 5 ]
    [ -f "$REPORT" ]
    [ "$(head -n 1 "$REPORT")" = "$first" ]
    [ "$(sed -n 2p "$REPORT")" = backtrace: ]
    [ "$(wc -l <"$REPORT")" -ge 7 ]
}

@test "python ctypes segfault: report with address 0x0, exit status still SIGSEGV" {
    crash '{"how":"segfault"}' 'Runtime exited with error: signal: segmentation fault' SIGSEGV 11
    stderr_messages | grep -q '^LWRAP CRASH .* address=0x0 '
}

@test "abort(): report, exit status still SIGABRT" {
    crash '{"how":"abort"}' 'Runtime exited with error: signal: aborted' SIGABRT 6
}

@test "a handler installed before ours still runs after the report" {
    runtime_python3
    gcc -shared -fPIC -o "$BATS_TEST_TMPDIR/prior.so" "$PRELOAD_FIXTURES/prior_handler.c"
    # the later LD_PRELOAD entry is initialised first: prior.so's handler predates ours
    PRELOAD_OPTS[1]="LD_PRELOAD=$LIBLWRAP $BATS_TEST_TMPDIR/prior.so"
    crash '{"how":"segfault"}' 'Runtime exited with error: signal: segmentation fault' SIGSEGV 11
    [ "$(stderr_messages | grep -E '^(LWRAP CRASH|prior handler)' | cut -c1-13)" = "LWRAP CRASH s
prior handler" ]
}

@test "a clean exit writes no report" {
    emu_invoke python crash '{"how":"exit","code":3}' "${PRELOAD_OPTS[@]}"
    [ "$(exit_message)" = 'Runtime exited with error: exit status 3' ]
    ! stderr_messages | grep -q 'LWRAP CRASH'
    REPORT=/tmp/lwrap-crash-$(emu_ids platform.start).txt
    [ ! -e "$REPORT" ]
}

@test "a report path taken by a symlink or a FIFO: the line says it was not written, and why" {
    runtime_python3
    local kind
    for kind in symlink fifo; do
        # exec keeps the pid, so the init report's name is known before the crash
        run -139 --separate-stderr timeout 20 env KIND=$kind TARGET="$BATS_TEST_TMPDIR/target" LIB="$LIBLWRAP" \
            bash -c 'REPORT=/tmp/lwrap-crash-init-$$.txt
                if [ "$KIND" = symlink ]; then ln -s "$TARGET" "$REPORT"; else mkfifo "$REPORT"; fi
                exec env LD_PRELOAD="$LIB" LWRAP_CRASH=1 /usr/bin/python3 -c "import ctypes; ctypes.string_at(0)"'
        local first=${stderr%%$'\n'*} why='a symlink is there'
        [[ $kind == symlink ]] || why='not a regular file'
        REPORT=${first##* report=}
        REPORT=${REPORT%% *}
        [[ $first == "LWRAP CRASH signal=SIGSEGV (11) "*" report=/tmp/lwrap-crash-init-"*".txt (not written: $why)" ]] ||
            { echo "$stderr"; rm -f "$REPORT"; return 1; }
        [ ! -e "$BATS_TEST_TMPDIR/target" ]
        rm -f "$REPORT"
    done
}
