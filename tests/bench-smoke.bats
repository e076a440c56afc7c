#!/usr/bin/env bats
# `make bench` must not rot: CI runs the quick mode once and checks that the table has
# every row, each with a value or an explicit "n/a: <reason>". Times are never asserted
# (the machines are shared and noisy); a harness bug shows as "n/a: bench error".
load test_helper

setup_file() {
    lwrap_clean_env
    export BENCH_OUT=$BATS_FILE_TMPDIR/results.md
    BUILD=$BUILD "$REPO/scripts/bench" --quick --out "$BENCH_OUT" \
        >"$BATS_FILE_TMPDIR/stdout" 2>"$BATS_FILE_TMPDIR/stderr"
    echo $? >"$BATS_FILE_TMPDIR/status"
}

# The figure column of every table row, in order.
bench_rows() {
    sed -n 's/^| \([0-9]\. [^|]*\) | .*/\1/p' "$BENCH_OUT"
}

# The cells of the row whose figure is $1, one per line (figure, median, spread, goal, met?).
bench_cells() {
    local row
    row=$(grep -F "| $1 |" "$BENCH_OUT") || return 1
    sed 's/^| //; s/ |$//; s/ | /\n/g' <<<"$row"
}

@test "bench --quick exits 0, prints the table and writes the same to --out" {
    [ "$(cat "$BATS_FILE_TMPDIR/status")" = 0 ]
    cmp "$BATS_FILE_TMPDIR/stdout" "$BENCH_OUT"
    run -0 grep -c '^| figure | median | spread | goal | met? |$' "$BENCH_OUT"
    [ "$output" = 1 ]
}

@test "bench header names the machine and the date, quick mode" {
    run -0 grep -E '^Taken [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2} UTC on .+, [0-9]+ cores, Linux .+; quick mode, ' "$BENCH_OUT"
}

@test "bench table has every row, once, in order" {
    run -0 bench_rows
    diff -u - <(printf '%s\n' "$output") <<'EOF'
1. start: program alone, median wall
1. added per start: minimal static exec shim
1. added per start: lwrap (preset + 2 env edits + LWRAP_ARGS)
1. added per start: bash sample (-X importtime)
1. added per start: dash sample (-X importtime)
1. added per start: python sample (-X importtime)
1. ratio lwrap / shim (whole start, wall)
1. ratio lwrap / shim (whole start, CPU time)
1. ratio lwrap / shim (added cost only, wall)
1. ratio lwrap / bash sample (whole start, wall)
1. instructions (callgrind): lwrap up to its execve
1. instructions (callgrind): shim up to its execve
1. added per start: fetching 1 SSM value (local stand-in), vs lwrap without
1. added per start: fetching 10 SSM values at once (local stand-in), vs lwrap without
1. config: 10,000-line lwrap.conf (LWRAP_SET_ lines), lwrap CPU to exec
1. config: 50,000-line lwrap.conf (LWRAP_SET_ lines), lwrap CPU to exec
2. cold start python: direct, Init Duration
2. cold start python: lwrap, preload off, vs direct
2. cold start python: lwrap + preload + LWRAP_TRACE=json, vs direct
2. cold start python: bash wrapper (exec "$@"), vs direct
2. cold start python: LWRAP_TRACE=json + LWRAP_TRACE_FILE, vs LWRAP_TRACE=json
2. cold start python: LWRAP_TRACE=json + LWRAP_TRACE_OTLP, vs LWRAP_TRACE=json
2. cold start node: direct, Init Duration
2. cold start node: lwrap, preload off, vs direct
2. cold start node: lwrap + preload + LWRAP_TRACE=json, vs direct
2. cold start node: bash wrapper (exec "$@"), vs direct
2. cold start node: LWRAP_TRACE=json + LWRAP_TRACE_FILE, vs LWRAP_TRACE=json
2. cold start node: LWRAP_TRACE=json + LWRAP_TRACE_OTLP, vs LWRAP_TRACE=json
2. cold start java: direct, Init Duration
2. cold start java: lwrap, preload off, vs direct
2. cold start java: lwrap + preload + LWRAP_TRACE=json, vs direct
2. cold start java: bash wrapper (exec "$@"), vs direct
3. per invoke python: lwrap, no preload, wall per invoke
3. per invoke python: wall added by the preload's observer
3. per invoke python: lwrap, no preload, runtime CPU per invoke
3. per invoke python: runtime CPU added by the preload's observer
4. short lines to /dev/null: no preload
4. short lines to /dev/null: LWRAP_LOGS=off, vs no preload
4. short lines to /dev/null: LWRAP_LOGS=text
4. short lines to /dev/null: LWRAP_LOGS=json
4. short lines to /dev/null: LWRAP_LOGS=text + LWRAP_REDACT
4. short lines: CPU the preload adds per line, LWRAP_LOGS=text
4. 64 KiB lines to /dev/null: no preload
4. 64 KiB lines to /dev/null: LWRAP_LOGS=off, vs no preload
4. 64 KiB lines to /dev/null: LWRAP_LOGS=text
4. 64 KiB lines to /dev/null: LWRAP_LOGS=json
4. 64 KiB lines to /dev/null: LWRAP_LOGS=text + LWRAP_REDACT
4. fixed cost of loading the preload (LWRAP_LOGS=off, no lines), CPU
5. memory python: VmRSS added by the preload at first next
5. memory python: VmHWM added by the preload at first next
5. memory node: VmRSS added by the preload at first next
5. memory node: VmHWM added by the preload at first next
5. size of lwrap (static)
5. size of liblwrap.so
5. size of the minimal static exec shim (reference)
EOF
}

@test "every bench row has a number or an explicit n/a with a reason" {
    local figure bad=0
    while IFS= read -r figure; do
        mapfile -t cells < <(bench_cells "$figure")
        [ "${#cells[@]}" -eq 5 ] || { echo "wrong cell count: $figure"; bad=1; continue; }
        if [[ ! ${cells[1]} =~ ^(n/a:\ .+|[+-]?[0-9][0-9,]*(\.[0-9]+)?(\ .+)?)$ ]]; then
            echo "no value: $figure -> '${cells[1]}'"
            bad=1
        fi
        # A row with a goal says whether it was met; one without leaves met? empty.
        if [[ -n ${cells[3]} && ! ${cells[4]} =~ ^(yes|\*\*NO\*\*|n/a)$ ]]; then
            echo "goal without verdict: $figure -> '${cells[4]}'"
            bad=1
        fi
        if [[ -z ${cells[3]} && -n ${cells[4]} ]]; then
            echo "verdict without goal: $figure"
            bad=1
        fi
    done < <(bench_rows)
    [ "$bad" = 0 ]
}

@test "bench harness itself raised no error (rows say why they are n/a, not 'bench error')" {
    run -1 grep -F 'n/a: bench error' "$BENCH_OUT"
    # (on failure the traceback and what came before it are shown)
    if grep -F -B8 -A30 'Traceback' "$BATS_FILE_TMPDIR/stderr"; then
        false
    fi
}

@test "bench footer lists the goals missed, matching the rows marked NO" {
    local missed
    missed=$(grep -F '| **NO** |' "$BENCH_OUT" | sed 's/^| \([^|]*\) | .*/\1/' | paste -sd';' | sed 's/;/; /g')
    run -0 grep -F "Goals missed: ${missed:-none}." "$BENCH_OUT"
}
