#!/usr/bin/env bats
# lwrap runs the runtime command in its own process: same PID, argv byte for byte,
# environment untouched, exit status and signals passed through; its own failures
# are 125, 126 and 127 with one "lwrap: ..." line.
load test_helper

@test "no runtime command: usage on stderr, exit 125" {
    run -125 --separate-stderr "$LWRAP"
    [ -z "$output" ]
    [[ ${stderr_lines[0]} == "usage: lwrap [--explain] RUNTIME [ARGS...]" ]]
    run -125 --separate-stderr "$LWRAP" --explain
    [[ ${stderr_lines[0]} == "usage: lwrap [--explain] RUNTIME [ARGS...]" ]]
}

@test "--help lists usage and presets on stdout; --version prints the version" {
    run -0 --separate-stderr "$LWRAP" --help
    [ -z "$stderr" ]
    [[ ${lines[0]} == "usage: lwrap [--explain] RUNTIME [ARGS...]" ]]
    [[ $output == *"  python-importtime     -X importtime, summarised by liblwrap.so"* ]]
    [[ $output == *"  java-fast-start       JAVA_TOOL_OPTIONS += "* ]]
    run -0 --separate-stderr "$LWRAP" --version
    [[ $output =~ ^lwrap\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
}

@test "an unknown option is lwrap's own error: 125 and nothing runs" {
    run -125 --separate-stderr "$LWRAP" --frobnicate "$WR_STUB" a
    [ -z "$output" ]
    [ "${stderr_lines[0]}" = "lwrap: unknown option --frobnicate" ]
}

@test "-- ends lwrap's options" {
    run -0 --separate-stderr "$LWRAP" -- "$WR_STUB" --explain
    [ "$output" = "--explain" ]
}

@test "same PID: lwrap execs the runtime, it does not fork" {
    STUB_PID=1 run -0 --separate-stderr bash -c 'echo "pid $$"; exec "$@"' _ "$LWRAP" "$WR_STUB" x
    [ "${#lines[@]}" -eq 3 ]
    [ "${lines[0]}" = "${lines[1]}" ]
    [ "${lines[2]}" = x ]
}

@test "same PID with every feature on (edits, presets, args, preload, chain)" {
    py=$(wr_stub_as python3.12)
    STUB_PID=1 LWRAP_SET_A=1 LWRAP_ARGS=-v LWRAP_PRESETS=python-importtime \
        LWRAP_PRELOAD_PATH=$(wr_fake_lib "$BATS_TEST_TMPDIR/lib/liblwrap.so") LWRAP_NEXT=$FIXTURES/wrapper/vendor-node-wrapper \
        run -0 --separate-stderr bash -c 'echo "pid $$"; exec "$@"' _ "$LWRAP" "$py" app.py
    [ "${lines[0]}" = "${lines[1]}" ]
    [ -z "$stderr" ]
}

@test "argv reaches the runtime byte for byte: blanks, quotes, empty, non-ASCII, newlines, globs" {
    args=("a b" "" "  lead" "trail  " "'single'" '"double"' 'back\slash' '$HOME' '${HOME}'
        '*' '-' '--' $'new\nline' $'tab\there' 'ünïcødé ✓' $'\x01\x7f\xff' '=' 'a=b')
    STUB_NUL=$BATS_TEST_TMPDIR/got run -0 "$LWRAP" "$WR_STUB" "${args[@]}"
    printf '%s\0' "${args[@]}" >"$BATS_TEST_TMPDIR/want"
    cmp "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
}

@test "a very long argument list passes through unchanged" {
    mapfile -t args < <(seq -f 'argument-%g-with some text' 1 20000)
    STUB_NUL=$BATS_TEST_TMPDIR/got run -0 "$LWRAP" "$WR_STUB" "${args[@]}"
    printf '%s\0' "${args[@]}" >"$BATS_TEST_TMPDIR/want"
    cmp "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
}

@test "without LWRAP_* settings the environment reaches the runtime unchanged, in order" {
    export AWS_SECRET_ACCESS_KEY=s3cr3t LD_PRELOAD= NODE_OPTIONS='--a  --b' WEIRD=$'x\ny' EMPTY=
    STUB_ENVIRON=$BATS_TEST_TMPDIR/direct "$WR_STUB"
    STUB_ENVIRON=$BATS_TEST_TMPDIR/wrapped "$LWRAP" "$WR_STUB"
    # the only differences allowed: bash's own "_" (the path it ran) and the file name
    grep -zv -e '^_=' -e '^STUB_ENVIRON=' "$BATS_TEST_TMPDIR/direct" >"$BATS_TEST_TMPDIR/a"
    grep -zv -e '^_=' -e '^STUB_ENVIRON=' "$BATS_TEST_TMPDIR/wrapped" >"$BATS_TEST_TMPDIR/b"
    cmp "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/b"
}

@test "with edits, every other variable is unchanged and keeps its place" {
    export KEEP1=one KEEP2=two
    STUB_ENVIRON=$BATS_TEST_TMPDIR/direct "$WR_STUB"
    LWRAP_SET_NEWVAR=x STUB_ENVIRON=$BATS_TEST_TMPDIR/wrapped "$LWRAP" "$WR_STUB"
    grep -zv -e '^_=' -e '^STUB_ENVIRON=' -e '^LWRAP_SET_NEWVAR=' -e '^NEWVAR=' "$BATS_TEST_TMPDIR/direct" >"$BATS_TEST_TMPDIR/a"
    grep -zv -e '^_=' -e '^STUB_ENVIRON=' -e '^LWRAP_SET_NEWVAR=' -e '^NEWVAR=' "$BATS_TEST_TMPDIR/wrapped" >"$BATS_TEST_TMPDIR/b"
    cmp "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/b"
    grep -qz '^NEWVAR=x$' "$BATS_TEST_TMPDIR/wrapped"
}

@test "every exit status 0..255 of the runtime passes through" {
    for n in $(seq 0 255); do
        rc=0
        "$LWRAP" /bin/sh -c 'exit $0' "$n" || rc=$?
        [ "$rc" -eq "$n" ] || { echo "status $n came back as $rc"; return 1; }
    done
}

@test "a runtime killed by a signal is seen killed by that signal" {
    for sig in TERM KILL SEGV ABRT INT HUP USR1; do
        STUB_SIGNAL=$sig run "$LWRAP" "$WR_STUB"
        [ "$status" -eq $((128 + $(kill -l "$sig"))) ] || { echo "$sig gave $status"; return 1; }
    done
    # the parent sees WIFSIGNALED, not an exit code: python reports a negative returncode
    run -0 "$(wr_real_cmd python3)" -c 'import subprocess,sys; print(subprocess.run([sys.argv[1], "/bin/sh", "-c", "kill -SEGV $$"]).returncode)' "$LWRAP"
    [ "$output" = "-11" ]
}

@test "runtime not found: 127 and one line" {
    run -127 --separate-stderr "$LWRAP" /nonexistent/python3 x
    [ -z "$output" ]
    [ "$stderr" = "lwrap: /nonexistent/python3: not found" ]
    PATH=/usr/bin:/bin run -127 --separate-stderr "$LWRAP" no-such-runtime-xyz
    [ "$stderr" = "lwrap: no-such-runtime-xyz: not found" ]
}

@test "runtime not executable: 126 and one line" {
    printf '#!/bin/sh\necho ran\n' >rt
    chmod 644 rt
    run -126 --separate-stderr "$LWRAP" ./rt
    [ -z "$output" ]
    [ "$stderr" = "lwrap: ./rt: cannot execute: Permission denied" ]
    mkdir -p d
    run -126 --separate-stderr "$LWRAP" ./d
    [ "$stderr" = "lwrap: ./d: cannot execute: Permission denied" ]
}

@test "a bare runtime name is found through PATH, including PATH edited by lwrap" {
    mkdir bin2
    ln -s "$WR_STUB" bin2/my-runtime
    PATH=$PWD/bin2:$PATH run -0 "$LWRAP" my-runtime a
    [ "$output" = a ]
    LWRAP_PREPEND_PATH=$PWD/bin2 run -0 "$LWRAP" my-runtime b
    [ "$output" = b ]
}

@test "the kernel sees two execve calls and no fork or clone" {
    command -v strace >/dev/null || skip "strace not installed"
    LWRAP_SET_A=1 LWRAP_ARGS=-x strace -f -qq -o trace -e trace=fork,vfork,clone,clone3,execve "$LWRAP" /bin/true
    run -0 grep -cE 'execve\(' trace
    [ "$output" -eq 2 ]
    run -1 grep -E '(fork|clone3?)\(' trace
}

# (The budget was 64 KiB until the values fetched from AWS's extensions (an HTTP client and
# a JSON reader, about 13 KiB) and the list units, hash indexes and ELF check (about 12 KiB)
# came; a static binary's pages are mapped as they are touched, and what lwrap costs a
# start is measured by make bench and make wrapper-cost.)
@test "lwrap is a static executable under 96 KiB" {
    run -0 readelf -lW "$SHIP_LWRAP"
    [[ $output != *INTERP* ]]
    [[ $output != *DYNAMIC* ]]
    [ "$(stat -c %s "$SHIP_LWRAP")" -lt 98304 ]
}

@test "lwrap runs clean under valgrind memcheck (every feature, errors, explain and exec)" {
    command -v valgrind >/dev/null || skip "valgrind not installed"
    printf '%s\n' 'LWRAP_SET_FROM_FILE=1' 'bad line' 'LWRAP_LOGS=json' 'LWRAP_ARGS="unterminated' >lwrap.conf
    lib=$(wr_fake_lib "$PWD/lib/liblwrap.so")
    py=$(wr_stub_as python3.12)
    settings=(LAMBDA_TASK_ROOT=$PWD AWS_SECRET_ACCESS_KEY=abcdefgh LWRAP_SET_A=1 LWRAP_DEFAULT_B=2
        LWRAP_APPEND_PATH=/opt/bin LWRAP_PREPEND_NODE_OPTIONS=--x LWRAP_UNSET=HOME,bad=name LWRAP_SET_9=x
        LWRAP_PRESETS=python-importtime,python-faulthandler,nope LWRAP_ARGS_AT=script LWRAP_PRELOAD_PATH=$lib
        LWRAP_NEXT=/nonexistent:$FIXTURES/wrapper/vendor-node-wrapper LWRAP_DEBUG=1)
    for mode in --explain --; do
        run -0 --separate-stderr env "${settings[@]}" valgrind -q --error-exitcode=99 "$SHIP_LWRAP" "$mode" "$py" a 'b c'
        [[ $stderr != *'=='* ]] || { echo "$stderr"; return 1; }
    done
    [ "$output" = $'-X\nimporttime\n-X\nfaulthandler\na\nb c' ]
}
