#!/usr/bin/env bats
# LWRAP_NEXT: hand the edited runtime command to other vendors' exec wrappers, in order.
load test_helper

setup() {
    lwrap_test_setup
    NODEW=$FIXTURES/wrapper/vendor-node-wrapper
    JAVAW=$FIXTURES/wrapper/vendor-java-wrapper
}

@test "one wrapper (appends to NODE_OPTIONS) after lwrap's own edits; same PID throughout" {
    node=$(wr_stub_as node)
    STUB_PID=1 STUB_ENV='NODE_OPTIONS VENDOR_CHAIN' LWRAP_PRESETS=node-source-maps LWRAP_ARGS=--no-opt \
        LWRAP_NEXT=$NODEW run -0 --separate-stderr bash -c 'echo "pid $$"; exec "$@"' _ "$LWRAP" "$node" index.mjs
    [ -z "$stderr" ]
    [ "${lines[0]}" = "${lines[1]}" ]
    diff -u - <(printf '%s\n' "${lines[@]:2}") <<'OUT'
--no-opt
index.mjs
NODE_OPTIONS=--enable-source-maps --require /opt/vendor/node-agent.js
VENDOR_CHAIN=node-wrapper
OUT
}

@test "two wrappers run in the order given; the JVM flag lands right after java" {
    java=$(wr_stub_as java)
    STUB_ENV='NODE_OPTIONS JAVA_TOOL_OPTIONS VENDOR_CHAIN' LWRAP_PRESETS=java-fast-start LWRAP_ARGS=-Xss2m \
        LWRAP_NEXT="$NODEW:$JAVAW" run -0 --separate-stderr "$LWRAP" "$java" -XX:-TieredCompilation -cp /x Main h
    [ -z "$stderr" ]
    diff -u - <(printf '%s\n' "$output") <<'OUT'
-javaagent:/opt/vendor/agent.jar
-Xss2m
-cp
/x
Main
h
NODE_OPTIONS=--require /opt/vendor/node-agent.js
JAVA_TOOL_OPTIONS=-XX:+TieredCompilation -XX:TieredStopAtLevel=1
VENDOR_CHAIN=node-wrapper,java-wrapper
OUT
    # a wrapper that edits the arguments after the first one must come last: first in the
    # chain it would put its flag after the next wrapper's path, as it would in any chain
    STUB_ENV=VENDOR_CHAIN LWRAP_NEXT="$JAVAW:$NODEW" run --separate-stderr "$LWRAP" "$java" Main h
    [ "$status" -ne 0 ] && [ -z "$output" ]
}

@test "the runtime's exit status comes back through the chain" {
    STUB_EXIT=42 LWRAP_NEXT="$NODEW:$JAVAW" run -42 "$LWRAP" "$WR_STUB"
    STUB_SIGNAL=TERM LWRAP_NEXT="$NODEW" run -143 "$LWRAP" "$WR_STUB"
}

@test "a wrapper found through PATH; empty entries are skipped" {
    mkdir bin2
    ln -s "$NODEW" bin2/otel-instrument
    STUB_ENV=VENDOR_CHAIN PATH=$PWD/bin2:$PATH LWRAP_NEXT=':otel-instrument::' run -0 --separate-stderr "$LWRAP" "$WR_STUB" a
    [ -z "$stderr" ]
    [ "$output" = $'a\nVENDOR_CHAIN=node-wrapper' ]
}

@test "unusable wrappers: one line each, skipped; the others and the runtime still run" {
    printf '#!/bin/sh\nexec "$@"\n' >noexec
    chmod 644 noexec
    STUB_ENV=VENDOR_CHAIN LWRAP_NEXT="/nonexistent/wrapper:$NODEW:$PWD/noexec:no-such-wrapper-xyz:$LWRAP" \
        run -0 --separate-stderr "$LWRAP" "$WR_STUB" a
    [ "$output" = $'a\nVENDOR_CHAIN=node-wrapper' ]
    diff -u - <(printf '%s\n' "$stderr") <<ERR
lwrap: LWRAP_NEXT: /nonexistent/wrapper: not found; ignored
lwrap: LWRAP_NEXT: $PWD/noexec: not executable; ignored
lwrap: LWRAP_NEXT: no-such-wrapper-xyz: not found; ignored
lwrap: LWRAP_NEXT: $LWRAP: is lwrap itself; ignored
ERR
}

@test "a wrapper without #! (exec \"\$@\", as AWS_LAMBDA_EXEC_WRAPPER accepts it) runs with /bin/sh" {
    printf 'export VENDOR_CHAIN=no-shebang\nexec "$@"\n' >plain-wrapper
    chmod 755 plain-wrapper
    STUB_ENV=VENDOR_CHAIN LWRAP_NEXT=$PWD/plain-wrapper run -0 --separate-stderr "$LWRAP" "$WR_STUB" a
    [ -z "$stderr" ]
    [ "$output" = $'a\nVENDOR_CHAIN=no-shebang' ]
    # and so does a runtime command without #!, with its exit status
    printf 'echo "sh: $*"\nexit 3\n' >plain-runtime
    chmod 755 plain-runtime
    run -3 "$LWRAP" ./plain-runtime x y
    [ "$output" = 'sh: x y' ]
}

@test "unusable wrappers are each named in one accurate line: CRLF #!, missing interpreter, directory" {
    printf '#!/bin/sh\r\nexec "$@"\r\n' >crlf-wrapper
    printf '#!/nonexistent/bash\nexec "$@"\n' >nointerp-wrapper
    chmod 755 crlf-wrapper nointerp-wrapper
    mkdir dir-wrapper
    STUB_ENV=VENDOR_CHAIN LWRAP_NEXT="$PWD/crlf-wrapper:$PWD/nointerp-wrapper:$PWD/dir-wrapper:$NODEW" \
        run -0 --separate-stderr "$LWRAP" "$WR_STUB" a
    [ "$output" = $'a\nVENDOR_CHAIN=node-wrapper' ]
    diff -u - <(printf '%s\n' "$stderr") <<ERR
lwrap: LWRAP_NEXT: $PWD/crlf-wrapper: its #! line ends in a carriage return (CRLF line ends; save it with LF) (#!/bin/sh\x0d); ignored
lwrap: LWRAP_NEXT: $PWD/nointerp-wrapper: its #! interpreter is missing or cannot run (#!/nonexistent/bash); ignored
lwrap: LWRAP_NEXT: $PWD/dir-wrapper: is a directory; ignored
ERR
}

# Nesting: an lwrap that another lwrap execs (same PID) only execs; the settings apply once.

@test "lwrap lwrap CMD: LWRAP_ARGS, notes and chained wrappers once; the inner lwrap stays in argv" {
    py=$(wr_stub_as python3.12)
    STUB_PID=1 STUB_ENV='_LWRAP_PID VENDOR_CHAIN NODE_OPTIONS' LWRAP_ARGS='-X dev' LWRAP_DEBUG=1 \
        LWRAP_APPEND_NODE_OPTIONS=--a LWRAP_NEXT=$NODEW run -0 --separate-stderr \
        bash -c 'echo "pid $$"; exec "$@"' _ "$LWRAP" "$LWRAP" -- "$py" /var/runtime/bootstrap.py
    [ "${lines[0]}" = "${lines[1]}" ]
    diff -u - <(printf '%s\n' "${lines[@]:2}") <<'OUT'
-X
dev
/var/runtime/bootstrap.py
_LWRAP_PID unset
VENDOR_CHAIN=node-wrapper
NODE_OPTIONS=--a --require /opt/vendor/node-agent.js
OUT
    diff -u - <(printf '%s\n' "$stderr") <<ERR
lwrap: set NODE_OPTIONS=--a (LWRAP_APPEND_NODE_OPTIONS)
lwrap: insert -X (LWRAP_ARGS at interpreter)
lwrap: insert dev (LWRAP_ARGS at interpreter)
lwrap: chain $NODEW (LWRAP_NEXT)
ERR
    LWRAP_ARGS=-v run -0 wr_explained_argv "$LWRAP" "$py" app.py
    [ "$output" = "$LWRAP"$'\n'"$py"$'\n-v\napp.py' ]
}

@test "LWRAP_NEXT naming another copy of lwrap: the settings apply once" {
    other=$(wr_copy_lwrap "$PWD/layer")
    STUB_ENV='_LWRAP_PID X' LWRAP_ARGS=-v LWRAP_APPEND_X=a LWRAP_NEXT=$NODEW:$other run -0 --separate-stderr \
        "$LWRAP" "$WR_STUB" a
    [ -z "$stderr" ]
    [ "$output" = $'-v\na\n_LWRAP_PID unset\nX=a' ]
    # and a bad setting is reported by the outer lwrap only
    LWRAP_ARGS_AT=middle LWRAP_NEXT=$other run -0 --separate-stderr "$LWRAP" "$WR_STUB" a
    [ "$stderr" = 'lwrap: LWRAP_ARGS_AT: unknown position "middle" (want interpreter, script or end); ignored' ]
}

@test "a _LWRAP_PID of another process (a child the runtime started) does not stop lwrap" {
    _LWRAP_PID=1 STUB_ENV=_LWRAP_PID LWRAP_ARGS=-v run -0 "$LWRAP" "$WR_STUB" a
    [ "$output" = $'-v\na\n_LWRAP_PID=1' ]
    # the runtime's own child: lwrap (pid P) -> runtime (P) -> child (another pid)
    printf '"$1" "$2" a\nexit $?\n' >child.sh
    STUB_ENV=_LWRAP_PID LWRAP_ARGS=-e LWRAP_NEXT=$NODEW run -0 --separate-stderr "$LWRAP" bash child.sh "$LWRAP" "$WR_STUB"
    [[ $output =~ ^-e$'\n'a$'\n'_LWRAP_PID=[0-9]+$ ]]
}

@test "an LWRAP_NEXT wrapper that runs lwrap again without exec: applied once, said once, no endless recursion" {
    printf '#!/bin/sh\n"%s" "$@"\nexit $?\n' "$LWRAP" >runs-lwrap
    chmod 755 runs-lwrap
    STUB_ENV=X LWRAP_ARGS=-v LWRAP_APPEND_X=a LWRAP_NEXT=$PWD/runs-lwrap:$NODEW STUB_EXIT=5 run -5 --separate-stderr \
        timeout 20 "$LWRAP" "$WR_STUB" a
    diff -u - <(printf '%s\n' "$output") <<'OUT'
-v
a
X=a
OUT
    [ "$stderr" = "lwrap: $NODEW: lwrap's settings were applied to this command already (an LWRAP_NEXT wrapper ran lwrap again without exec); running it as it is" ]
}
