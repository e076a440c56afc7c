#!/usr/bin/env bats
# node-cpu-prof end to end: Node must write its profile inside Lambda's shutdown window
# (500 ms with only an internal extension registered). Under make test SANITIZE=... this
# suite checks the normal build outside the sanitizer namespace: a node that every
# allocation takes through ASan's allocator cannot serialize its profile in that window.
load test_helper

setup() {
    lwrap_test_setup
    wr_emu_ready
}

@test "node-cpu-prof under lambda-emu: the shutdown's SIGTERM (an internal extension registered) writes the profile" {
    [ -f "$LIBLWRAP" ]
    runtime_cmd node
    mkdir prof
    wr_emu env.handler "$HANDLERS/node" '{}' -e LWRAP_PRESETS=node-cpu-prof -e LWRAP_EXTENSION=1 \
        -e LWRAP_ARGS="--cpu-prof-dir=$PWD/prof" -- "${RUNTIME_CMD[@]}"
    [ "$status" -eq 0 ]
    [ "$(emu_select '.type=="response"' .status)" = '"success"' ]
    pid=$(wr_body .pid)
    prof=(prof/CPU.*."$pid".*.cpuprofile)
    [ -f "${prof[0]}" ]
    jq -e '[.nodes[].callFrame.url] | any(endswith("index.mjs"))' "${prof[0]}"
}
