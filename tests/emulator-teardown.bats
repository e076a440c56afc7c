#!/usr/bin/env bats
# lambda-emu never outlives what started it, never leaves a runtime behind, and gives up
# (exit 1) when it waits for something that cannot happen: a test tool must not keep an
# emulator and its runtime spinning for the rest of a CI run after a test timed out.
load test_helper

teardown() {
    # whatever a failed test left behind
    local p
    for p in ${LEFT_PIDS:-}; do kill -9 "$p" 2>/dev/null || true; done
    lwrap_test_teardown
}

@test "the emulator dies with its parent and takes the runtime and the runtime's children along" {
    printf '%s' '{"do":"sleep","ms":1000000,"child":true,"pid":true}' >ev.json
    # the parent: a shell that started the emulator and dies without cleaning up
    bash -c '"$@" >out.json 2>err.txt & echo $! >emu.pid; wait' _ \
        "$EMU" --log-format json --timeout 2000 --event ev.json -- "$EMU_PY" "$EMU_FIX/runtime.py" </dev/null >/dev/null 2>&1 3>&- &
    local parent=$! emu rt child
    child=$(fx_wait_for out.json 'child [0-9]+') || { kill -9 "$parent"; false; }
    child=${child#child }
    rt=$(fx_wait_for out.json 'pid [0-9]+')
    rt=${rt#pid }
    emu=$(<emu.pid)
    LEFT_PIDS="$emu $rt $child"
    kill -9 "$parent"
    fx_gone "$emu"
    fx_gone "$rt"
    fx_gone "$child"
    # it shut down the normal way: the invoke in flight was reported
    grep -q '"signal 15: shutting down"' out.json
}

@test "a SIGKILLed emulator still takes its runtime along" {
    printf '%s' '{"do":"sleep","ms":1000000,"pid":true}' >ev.json
    "$EMU" --log-format json --timeout 2000 --event ev.json -- "$EMU_PY" "$EMU_FIX/runtime.py" </dev/null >out.json 2>err.txt 3>&- &
    local emu=$! rt
    LEFT_PIDS=$emu
    rt=$(fx_wait_for out.json 'pid [0-9]+')
    rt=${rt#pid }
    LEFT_PIDS="$emu $rt"
    kill -9 "$emu"
    fx_gone "$rt"
}

@test "waiting for a runtime that never comes back to next: after --idle-timeout of silence, exit 1" {
    fx_emu --idle-timeout 1 -- '{"do":"hang-after"}' '{"n":2}'
    [ "$status" -eq 1 ] || fx_fail
    [ "$(fx_sel '.type=="response"' '[.status,.body]')" = '["success","{\"do\":\"hang-after\"}"]' ] || fx_fail
    [ "$(fx_sel '.type=="emu"')" = '"nothing happened for 1 s (no request, output or exit) with work pending: shutting down"' ] || fx_fail
}

@test "the idle guard leaves invokes with a deadline ahead alone, and --idle-timeout 0 turns it off" {
    # a silent 1.5 s invoke: its timeout (3 s) is the deadline that moves things on
    fx_emu --idle-timeout 0.5 -- '{"do":"sleep","ms":1500}' '{"n":2}'
    [ "$status" -eq 0 ] || fx_fail
    [ "$(fx_sel '.type=="response"' .status)" = "$(printf '"success"\n"success"')" ]
    [ -z "$(fx_sel '.type=="emu"')" ] || fx_fail
    run -1 "$EMU" --idle-timeout -3 -- true
    run -1 "$EMU" --idle-timeout soon -- true
}

@test "--max-wall bounds the whole run, whatever is going on: emu line, runtime killed, exit 1" {
    fx_emu --max-wall 1 --timeout 100 -- '{"do":"sleep","ms":60000,"pid":true}'
    [ "$status" -eq 1 ] || fx_fail
    [ "$(fx_sel '.type=="emu"')" = '"--max-wall 1 s reached: killing the runtime and stopping"' ] || fx_fail
    local rt
    rt=$(fx_sel '.type=="function"' | sed -n 's/^"pid \([0-9]*\)"$/\1/p')
    [ -n "$rt" ] || fx_fail
    LEFT_PIDS=$rt
    fx_gone "$rt"
    run -1 "$EMU" --max-wall x -- true
}
