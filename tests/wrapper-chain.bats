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
