#!/usr/bin/env bats
# The preload's corners: each way a program can start another program, move bytes to an
# fd without write(), close a range of fds or copy an fd, checked to be seen (each test
# fails with that hook removed from liblwrap.so); and what the preload cannot see.
load test_helper

CORNERS=$PRELOAD_FIXTURES/corners

setup() {
    lwrap_test_setup
    gcc -O1 -o child_kinds "$CORNERS/child_kinds.c"
}

# decorated HOW: child_kinds HOW with LWRAP_LOGS=text, stdout a pipe; prints the
# message field of each line (undecorated lines as they are).
decorated() {
    env LD_PRELOAD="$LIBLWRAP" LWRAP_LOGS=text ./child_kinds "$1" | sed 's/^[^\t]*\t[^\t]*\t[A-Z]*\t//'
}

@test "a child started with posix_spawn, posix_spawnp, system or popen writes after what was held" {
    local how
    for how in posix_spawn posix_spawnp system popen; do
        run -0 decorated $how
        [ "$output" = "one
two
three" ] || { echo "$how: $output"; return 1; }
    done
}

@test "execveat writes what is held before the new program runs" {
    run -0 decorated execveat
    [ "$output" = "one
two" ]
}

@test "bytes moved to stdout with splice or copy_file_range come after what was written before" {
    run -0 decorated splice
    [ "$output" = "one
two
three" ]
    # copy_file_range needs a regular file on both sides
    env LD_PRELOAD="$LIBLWRAP" LWRAP_LOGS=text ./child_kinds copy_file_range >out.txt
    run -0 sed 's/^[^\t]*\t[^\t]*\t[A-Z]*\t//' out.txt
    [ "$output" = "one
two
three" ]
}

@test "close_range and closefrom: what was held goes out first, a reused fd 1 is a plain file" {
    local how
    for how in close_range closefrom; do
        rm -f export.csv
        run -0 env LD_PRELOAD="$LIBLWRAP" LWRAP_LOGS=text ./child_kinds $how
        [[ $output == *$'\tINFO\tone' ]] || { echo "$how: $output"; return 1; }
        [ "$(cat export.csv)" = raw ] || { echo "$how: export.csv: $(cat export.csv)"; return 1; }
    done
}

@test "fcntl(F_DUPFD_CLOEXEC) of stdout: the copy is stdout, decorated as dup's are" {
    run -0 decorated fcntl_dupfd
    [ "$output" = "one
two
three" ]
    [ "$(env LD_PRELOAD="$LIBLWRAP" LWRAP_LOGS=text ./child_kinds fcntl_dupfd | grep -c $'\tINFO\t')" -eq 3 ]
    # both names reach the hook: fcntl, and fcntl64 (glibc >= 2.28 with _FILE_OFFSET_BITS=64)
    gcc -O1 -D_FILE_OFFSET_BITS=64 -o child_kinds64 "$CORNERS/child_kinds.c"
    local prog sym
    for prog in child_kinds:fcntl child_kinds64:fcntl64; do
        sym=${prog#*:} prog=${prog%:*}
        rm -f ld.*
        run -0 env LD_PRELOAD="$LIBLWRAP" LD_DEBUG=bindings LD_DEBUG_OUTPUT="$PWD/ld" ./$prog fcntl_dupfd
        grep -q "binding file ./$prog .* to $LIBLWRAP .*symbol \`$sym'" ld.* || { echo "$sym not bound to the hook"; return 1; }
    done
}

@test "fcntl(F_DUPFD) and os.dup of a Runtime API socket: the copy is observed" {
    runtime_python3
    preload_opts
    local how
    for how in os_dup fcntl; do
        rm -f "$OBSERVER_LOG"
        emu_three -e DUP_HOW=$how "${PRELOAD_OPTS[@]}" -- "$RUNTIME_PYTHON3" "$CORNERS/dup_runtime.py"
        [ "$status" -eq 0 ]
        assert_lifecycle_matches 3
        assert_out_attributed handled
    done
}

# uring_emu AT [EMU_OPTION...]: three invokes of the io_uring runtime (ring set up at AT)
# with LWRAP_LOGS=text and the debug channel; skips where the kernel refuses io_uring.
uring_emu() {
    gcc -O1 -o uring_runtime "$CORNERS/uring_runtime.c"
    run ./uring_runtime
    [ "$status" -ne 2 ] || skip "io_uring_setup is refused here: $output"
    preload_opts LWRAP_LOGS=text
    local at=$1
    shift
    emu_three -e URING_AT="$at" "${PRELOAD_OPTS[@]}" "$@" -- ./uring_runtime
}

@test "io_uring: a runtime that writes through a ring is told so once; its lines pass undecorated" {
    local at
    for at in init invoke; do
        rm -f "$OBSERVER_LOG"
        uring_emu $at
        [ "$status" -eq 0 ]
        [ "$(emu_responses | wc -l)" -eq 3 ]
        # the ring's writes reach stdout as written (no prefix, not in telemetry frames)
        [ "$(emu_stream stdout | grep -c '^handled ')" -eq 3 ]
        run -0 emu_stream stderr
        [[ $output =~ ^"lwrap: the runtime set up io_uring (fd "[0-9]+"): what it writes through the ring passes lwrap by, undecorated"$ ]] ||
            { echo "$at: $output"; return 1; }
        [ "$(grep -c '^io-uring ' "$OBSERVER_LOG")" -eq 1 ]
    done
}

@test "io_uring: the same runtime writing with write() gets no notice, and its lines are decorated" {
    uring_emu never
    [ "$status" -eq 0 ]
    [ -z "$(emu_stream stderr)" ]
    ! grep -q '^io-uring ' "$OBSERVER_LOG"
    [ "$(emu_stream telemetry | grep -c $'\tINFO\thandled ')" -eq 3 ]
}

# --- alternate signal stacks for threads ---------------------------------------------

@test "a stack overflow in a thread other than the main one: report, held lines, same death" {
    gcc -O1 -pthread -o thread_overflow "$CORNERS/thread_overflow.c"
    ulimit -c 0
    run -139 --separate-stderr ./thread_overflow
    [ "$output" = "main: before
altstack: no" ]
    [ -z "$stderr" ]
    run -139 --separate-stderr env LD_PRELOAD="$LIBLWRAP" LWRAP_CRASH=1 LWRAP_LOGS=text ./thread_overflow
    local pid=${stderr#*pid=}
    pid=${pid%% *}
    rm -f "/tmp/lwrap-crash-init-$pid.txt"
    [[ $stderr == "LWRAP CRASH signal=SIGSEGV (11) code=2 "*" tid="* ]] || { echo "$stderr"; return 1; }
    [[ $stderr != *" pid=$pid tid=$pid "* ]] # the worker, not the main thread
    # the lines held when it died were written, and the worker had a signal stack of ours
    [ "$(cut -f4 <<<"$output")" = "main: before
altstack: yes" ]
}

@test "a thread's own alternate signal stack is kept, and the report still comes" {
    gcc -O1 -pthread -o thread_overflow "$CORNERS/thread_overflow.c"
    ulimit -c 0
    run -139 --separate-stderr env THREAD_ALTSTACK=own LD_PRELOAD="$LIBLWRAP" LWRAP_CRASH=1 ./thread_overflow
    [ "$output" = "main: before
altstack: own" ]
    local pid=${stderr#*pid=}
    rm -f "/tmp/lwrap-crash-init-${pid%% *}.txt"
    [[ $stderr == "LWRAP CRASH signal=SIGSEGV "* ]]
}

@test "threads' signal stacks: only with a fatal-signal feature, and none left behind" {
    gcc -O1 -pthread -o thread_overflow "$CORNERS/thread_overflow.c"
    # the startup trace alone installs no handler: threads are left as they are
    run -0 env THREAD_NO_OVERFLOW=1 LD_PRELOAD="$LIBLWRAP" LWRAP_TRACE=text ./thread_overflow
    [ "$output" = "main: before
altstack: no
main: after" ]
    run -0 env THREAD_NO_OVERFLOW=1 LD_PRELOAD="$LIBLWRAP" LWRAP_CRASH=1 ./thread_overflow
    [ "$output" = "main: before
altstack: yes
main: after" ]
    # 2,000 threads started and ended (return, pthread_exit): no mapping is left
    run -0 env THREAD_CHURN=2000 LD_PRELOAD="$LIBLWRAP" LWRAP_CRASH=1 LWRAP_LOGS=text ./thread_overflow
    [[ $output =~ mappings:\ \+([0-9]+)$ ]]
    [ "${BASH_REMATCH[1]}" -lt 20 ] || { echo "$output"; return 1; }
}

# --- the internal extension's registration failing -------------------------------------

# fake_api_start MODE: the fake Runtime API (fixtures/preload/corners/fake_api.py) with
# REGISTER=MODE in the background; sets FAKE_PID and FAKE_API (host:port).
fake_api_start() {
    rm -f port api.log
    REGISTER=$1 "$EMU_PY" "$CORNERS/fake_api.py" port api.log 3>&- &
    FAKE_PID=$!
    local i
    for i in $(seq 100); do [[ -s port ]] && break; sleep 0.1; done
    FAKE_API=127.0.0.1:$(cat port)
}

fake_api_stop() {
    kill "$FAKE_PID" 2>/dev/null || true
    wait "$FAKE_PID" 2>/dev/null || true
}

# ext_runtime [VAR=VALUE...]: the runtime loop against $FAKE_API (two invocations).
ext_runtime() {
    env AWS_LAMBDA_RUNTIME_API="$FAKE_API" DUP_HOW=none "$@" "$EMU_PY" "$CORNERS/dup_runtime.py"
}

@test "extension registration answered 4xx, 5xx, 200 without id, closed, reset, silent or not HTTP: one line, the runtime runs on" {
    local mode want
    for mode in 403 500 no-id close reset silent garbage; do
        case $mode in
        403 | 500) want="HTTP $mode Extension.Fake$mode" ;;
        no-id) want="HTTP 200 without an extension identifier" ;;
        close) want="the connection closed without an answer" ;;
        reset) want="Connection reset by peer" ;;
        silent) want="no answer in time" ;;
        garbage) want="the answer is not HTTP" ;;
        esac
        fake_api_start $mode
        SECONDS=0
        run -0 --separate-stderr ext_runtime LD_PRELOAD="$LIBLWRAP" LWRAP_EXTENSION=1
        local took=$SECONDS
        fake_api_stop
        [ "$stderr" = "lwrap: LWRAP_EXTENSION: registration failed ($want); the extension is off" ] ||
            { echo "$mode: $stderr"; return 1; }
        [ "$output" = "handled r1
handled r2" ] || { echo "$mode: $output"; return 1; }
        # one registration attempt, then the runtime's own requests, all answered
        [ "$(grep -c /extension/ api.log)" -eq 1 ]
        [ "$(grep -c '/response HTTP' api.log)" -eq 2 ]
        # init waits at most the one-second timeout of that attempt
        [ "$took" -le 5 ]
    done
}

@test "extension registration refused (nothing listens): one line, the runtime fails as it would have" {
    # a port nothing listens on
    fake_api_start 500
    fake_api_stop
    run -1 --separate-stderr ext_runtime
    local plain=$stderr
    [[ $plain == *ConnectionRefusedError* ]]
    run -1 --separate-stderr ext_runtime LD_PRELOAD="$LIBLWRAP" LWRAP_EXTENSION=1
    [ "${stderr%%$'\n'*}" = "lwrap: LWRAP_EXTENSION: registration failed (Runtime API unreachable: Connection refused); the extension is off" ]
    [ "${stderr#*$'\n'}" = "$plain" ]
}

@test "extension name already taken under lambda-emu (403): one line, every invoke unaffected" {
    runtime_python3
    # an external extension named lwrap registers first (through lwrap, only the runtime
    # gets the preload: -e LD_PRELOAD would give it to the extension process too)
    fx_extensions lwrap >/dev/null
    OBSERVER_LOG=$BATS_TEST_TMPDIR/observer.log
    emu_three -e EMU_EXT_EVENTS=INVOKE --extensions-dir "$BATS_TEST_TMPDIR/extensions" \
        -e AWS_LAMBDA_EXEC_WRAPPER="$LWRAP" -e LWRAP_EXTENSION=1 -e LWRAP_OBSERVER_LOG="$OBSERVER_LOG" \
        -- "$RUNTIME_PYTHON3" "$PRELOAD_FIXTURES/fragments_runtime.py"
    [ "$status" -eq 0 ]
    [ "$(emu_stream stderr)" = "lwrap: LWRAP_EXTENSION: registration failed (HTTP 403 Extension.InvalidExtensionState); the extension is off" ]
    [ "$(emu_responses | wc -l)" -eq 3 ]
    [ "$(jq -r 'select(.type=="response") | .status' <<<"$output" | sort -u)" = success ]
    assert_lifecycle_matches 3
    grep -q '^ext-error .* type=register$' "$OBSERVER_LOG"
}
