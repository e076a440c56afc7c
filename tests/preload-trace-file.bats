#!/usr/bin/env bats
# Where LWRAP_TRACE_FILE writes: a new name or a regular file gets the finished file renamed
# over it; a device, FIFO, directory or symbolic link is refused with one line and left as
# it was; nothing is ever left next to the path (no PATH.tmp), whatever fails or however
# the process ends; lines name the user's path. Device nodes are made in the test's own
# directory, never under /dev.
load test_helper

setup() {
    lwrap_test_setup
    preload_opts
    TASK=$BATS_TEST_TMPDIR/task
    mkdir -p "$TASK"
    printf 'def handler(event, context):\n    return {}\n' >"$TASK/app.py"
}

# the function lines of the run (the preload's own lines among them)
lines() {
    jq -r 'select(.type=="function") | .message' <<<"$output"
}

# the node's type, mode, owner and device numbers, and a symlink's target
node_id() {
    stat -c '%F %a %u %t:%T %s' "$1"
    [ -L "$1" ] && readlink "$1"
    return 0
}

@test "a device node, a FIFO, a directory, a symbolic link: one line each, and the node is left as it was" {
    local d=$BATS_TEST_TMPDIR/nodes
    mkdir -p "$d/dir"
    mkfifo "$d/fifo"
    printf 'target' >"$d/target"
    ln -s "$d/target" "$d/link"
    local nodes=(fifo dir link)
    # a private "null" (1,3): root can make one here; the real /dev/null is never used
    if mknod -m 666 "$d/null" c 1 3 2>/dev/null; then nodes+=(null); fi
    local n before
    for n in "${nodes[@]}"; do
        before=$(node_id "$d/$n")
        trace_task python "$TASK" app.handler 1 "${PRELOAD_OPTS[@]}" -e "LWRAP_TRACE_FILE=$d/$n"
        [ "$status" -eq 0 ]
        [ "$(emu_responses)" = '{}' ]
        case $n in
        link) [ "$(lines)" = "lwrap: LWRAP_TRACE_FILE: $d/link: a symbolic link (give the file's own path); no timeline" ] ;;
        *) [ "$(lines)" = "lwrap: LWRAP_TRACE_FILE: $d/$n: not a regular file (a device, FIFO or directory is never replaced); no timeline" ] ;;
        esac
        [ "$(node_id "$d/$n")" = "$before" ]
    done
    [ "$(cat "$d/target")" = target ]
    [ -z "$(ls "$d/dir")" ]
    [ "$(ls "$d" | sort | tr '\n' ' ')" = "$(printf '%s\n' "${nodes[@]}" target | sort | tr '\n' ' ')" ]
}

@test "a regular file is replaced whole by the timeline; a new path is created; nothing else is left in the directory" {
    local d=$BATS_TEST_TMPDIR/out
    mkdir -p "$d"
    printf 'old' >"$d/old.json"
    local p
    for p in old.json new.json; do
        trace_task python "$TASK" app.handler 1 "${PRELOAD_OPTS[@]}" -e "LWRAP_TRACE_FILE=$d/$p"
        [ "$status" -eq 0 ]
        [ -z "$(lines)" ]
        run -0 timeline_check "$d/$p"
    done
    [ "$(ls -A "$d" | tr '\n' ' ')" = "new.json old.json " ]
}

@test "a path ending in '/': one line naming it, no file anywhere" {
    local d=$BATS_TEST_TMPDIR/out
    mkdir -p "$d"
    trace_task python "$TASK" app.handler 1 "${PRELOAD_OPTS[@]}" -e "LWRAP_TRACE_FILE=$d/"
    [ "$status" -eq 0 ]
    [ "$(lines)" = "lwrap: LWRAP_TRACE_FILE: $d/: ends in '/' (want a file's path, not a directory's); no timeline" ]
    [ -z "$(ls -A "$d")" ]
}

@test "a directory that is not there: the line names the user's path, not a temporary one" {
    trace_task python "$TASK" app.handler 1 "${PRELOAD_OPTS[@]}" -e "LWRAP_TRACE_FILE=$BATS_TEST_TMPDIR/nodir/tl.json"
    [ "$status" -eq 0 ]
    [ "$(lines)" = "lwrap: LWRAP_TRACE_FILE: $BATS_TEST_TMPDIR/nodir/tl.json: No such file or directory" ]
}

@test "3,000 imports and three back-to-back invokes, then SIGKILL at shutdown: a complete file with the invokes, no temporary file left" {
    local d=$BATS_TEST_TMPDIR/out i
    mkdir -p "$d" "$TASK/mods"
    for ((i = 0; i < 3000; i++)); do printf 'X = %d\n' "$i" >"$TASK/mods/m$i.py"; done
    cat >"$TASK/app.py" <<'PY'
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "mods"))
for i in range(3000):
    __import__("m%d" % i)


def handler(event, context):
    return {}
PY
    local try
    for try in 1 2 3; do
        rm -f "$d"/*
        trace_task python "$TASK" app.handler 3 "${PRELOAD_OPTS[@]}" -e "LWRAP_TRACE_FILE=$d/tl.json"
        [ "$status" -eq 0 ]
        [ -z "$(lines)" ]
        [ "$(ls -A "$d")" = tl.json ]
        run -0 timeline_check "$d/tl.json"
        # the file after the first invoke is built from the one at init's end: the same rows
        jq -e '.outcome == "ready" and .files >= 3000 and .otherData.spansNotDrawn == 0' <<<"$output"
    done
}
