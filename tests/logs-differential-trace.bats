#!/usr/bin/env bats
# The differential harness (tests/logs-differential.bats) with the cold-start timeline on
# as well (LWRAP_TRACE_FILE): writing it at exit must change nothing the program does or
# shows (bytes per stream, order, files, exit status, signal), in every LWRAP_LOGS mode,
# through fork, threads, multiprocessing, subprocesses and deaths by signal; and every
# timeline file written is one valid JSON document.
load test_helper

# trace_diff PROG MODE [any]: diff_check_env with LWRAP_TRACE_FILE in a directory of its
# own; then each file written there parses, and there is one per run (one run per
# destination: the program's own process writes it, never a forked child); "any" for a
# death by signal, where what is written is the crash path's business
# (tests/preload-trace-timeline.bats).
trace_diff() {
    mkdir -p "$BATS_TEST_TMPDIR/tl"
    diff_check_env "$1" "$2" "LWRAP_TRACE_FILE=$BATS_TEST_TMPDIR/tl/%p.json"
    local f n=0
    for f in "$BATS_TEST_TMPDIR"/tl/*; do
        [[ -e $f ]] || continue
        n=$((n + 1))
        "$EMU_PY" -c 'import json, sys; json.load(open(sys.argv[1]))' "$f" ||
            { echo "not JSON: $f"; head -c 600 "$f"; return 1; }
    done
    local dests
    dests=$(diff_harness list | awk -v p="$1" '$1 == p { print $2 }')
    local runs=$(($(tr -cd , <<<"$dests" | wc -c) + 1))
    echo "$n timeline file(s) from $runs run(s)"
    [[ ${3:-} == any || $n -eq $runs ]]
}

@test "timeline on: bash command and process substitution (bash-subst), LWRAP_LOGS=off" {
    trace_diff bash-subst off
}

@test "timeline on: bash command and process substitution (bash-subst), LWRAP_LOGS=text" {
    trace_diff bash-subst text
}

@test "timeline on: bash command and process substitution (bash-subst), LWRAP_LOGS=json" {
    trace_diff bash-subst json
}

@test "timeline on: bash subshells and pipelines (bash-pipeline), LWRAP_LOGS=off" {
    trace_diff bash-pipeline off
}

@test "timeline on: bash subshells and pipelines (bash-pipeline), LWRAP_LOGS=text" {
    trace_diff bash-pipeline text
}

@test "timeline on: bash subshells and pipelines (bash-pipeline), LWRAP_LOGS=json" {
    trace_diff bash-pipeline json
}

@test "timeline on: python 8 threads (py-threads), LWRAP_LOGS=off" {
    trace_diff py-threads off
}

@test "timeline on: python 8 threads (py-threads), LWRAP_LOGS=text" {
    trace_diff py-threads text
}

@test "timeline on: python 8 threads (py-threads), LWRAP_LOGS=json" {
    trace_diff py-threads json
}

@test "timeline on: python 200 thread start/join cycles (py-thread-join-many), LWRAP_LOGS=off" {
    trace_diff py-thread-join-many off
}

@test "timeline on: python 200 thread start/join cycles (py-thread-join-many), LWRAP_LOGS=text" {
    trace_diff py-thread-join-many text
}

@test "timeline on: python 200 thread start/join cycles (py-thread-join-many), LWRAP_LOGS=json" {
    trace_diff py-thread-join-many json
}

@test "timeline on: python os.fork while a thread writes (py-fork), LWRAP_LOGS=off" {
    trace_diff py-fork off
}

@test "timeline on: python os.fork while a thread writes (py-fork), LWRAP_LOGS=text" {
    trace_diff py-fork text
}

@test "timeline on: python os.fork while a thread writes (py-fork), LWRAP_LOGS=json" {
    trace_diff py-fork json
}

@test "timeline on: python multiprocessing Pool (py-mp-pool), LWRAP_LOGS=off" {
    trace_diff py-mp-pool off
}

@test "timeline on: python multiprocessing Pool (py-mp-pool), LWRAP_LOGS=text" {
    trace_diff py-mp-pool text
}

@test "timeline on: python multiprocessing Pool (py-mp-pool), LWRAP_LOGS=json" {
    trace_diff py-mp-pool json
}

@test "timeline on: python subprocesses (py-subprocess), LWRAP_LOGS=off" {
    trace_diff py-subprocess off
}

@test "timeline on: python subprocesses (py-subprocess), LWRAP_LOGS=text" {
    trace_diff py-subprocess text
}

@test "timeline on: python subprocesses (py-subprocess), LWRAP_LOGS=json" {
    trace_diff py-subprocess json
}

@test "timeline on: python killed by SIGTERM (py-sigterm), LWRAP_LOGS=off" {
    trace_diff py-sigterm off any
}

@test "timeline on: python killed by SIGTERM (py-sigterm), LWRAP_LOGS=text" {
    trace_diff py-sigterm text any
}

@test "timeline on: python killed by SIGTERM (py-sigterm), LWRAP_LOGS=json" {
    trace_diff py-sigterm json any
}

@test "timeline on: python segfault (py-segv), LWRAP_LOGS=off" {
    trace_diff py-segv off any
}

@test "timeline on: python segfault (py-segv), LWRAP_LOGS=text" {
    trace_diff py-segv text any
}

@test "timeline on: python segfault (py-segv), LWRAP_LOGS=json" {
    trace_diff py-segv json any
}

@test "timeline on: python os._exit (py-os-exit), LWRAP_LOGS=off" {
    trace_diff py-os-exit off
}

@test "timeline on: python os._exit (py-os-exit), LWRAP_LOGS=text" {
    trace_diff py-os-exit text
}

@test "timeline on: python os._exit (py-os-exit), LWRAP_LOGS=json" {
    trace_diff py-os-exit json
}

@test "timeline on: node worker threads (node-workers), LWRAP_LOGS=off" {
    trace_diff node-workers off
}

@test "timeline on: node worker threads (node-workers), LWRAP_LOGS=text" {
    trace_diff node-workers text
}

@test "timeline on: node worker threads (node-workers), LWRAP_LOGS=json" {
    trace_diff node-workers json
}
