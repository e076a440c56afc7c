#!/usr/bin/env bats
# The python-importtime preset: `import time:` lines absorbed, one summary record.
load test_helper

@test "importtime: the import lines are replaced by one summary record at runtime ready" {
    logs_handler python echo '{}' -- -e LWRAP_PRESETS=python-importtime
    [ "$status" -eq 0 ]
    local emu=$output
    run -0 jq -r -R 'fromjson? | select(.type=="function") | .message' <<<"$emu"
    [[ $output != *"import time:"* ]]
    [ "$(grep -c '^lwrap importtime (init): [0-9]* imports, [0-9]*\.[0-9][0-9][0-9] ms total' <<<"$output")" -eq 1 ]
    # one event: with the telemetry fd it is one frame; the table has 15 rows
    run -0 jq -r -R 'fromjson? | select(.type=="function" and (.message|startswith("lwrap importtime"))) | .stream, (.message|split("\n")|length)' <<<"$emu"
    [ "${lines[0]}" = telemetry ]
    [ "${lines[1]}" -eq 17 ]
}

@test "importtime: the summary's numbers match the raw lines (LWRAP_IMPORTTIME_RAW=1)" {
    logs_handler python echo '{}' -- -e LWRAP_PRESETS=python-importtime -e LWRAP_IMPORTTIME_RAW=1 \
        -e LWRAP_IMPORTTIME_TOP=7 --no-telemetry-fd --raw raw
    [ "$status" -eq 0 ]
    run -0 python3 - raw/stderr <<'PY'
import sys
data = open(sys.argv[1], "rb").read().decode()
rows, summary = [], None
for line in data.split("\n"):
    if line.startswith("import time:") and "self [us]" not in line:
        s, c, name = line[len("import time:"):].split("|", 2)
        rows.append((int(c), int(s), name.strip()))
    elif line.startswith("lwrap importtime (init): "):
        assert summary is None
        summary = line.split("\r")
assert rows and summary, (len(rows), summary)
total = sum(r[1] for r in rows)
head = "lwrap importtime (init): %d imports, %d.%03d ms total (sum of self times); slowest by cumulative time:" % (len(rows), total // 1000, total % 1000)
assert summary[0] == head, (summary[0], head)
assert summary[1] == " cumulative [us] |  self [us] | package", summary[1]
top = sorted(rows, key=lambda r: -r[0])[:7]   # stable: first seen wins ties
got = [tuple(x.strip() for x in l.split("|")) for l in summary[2:]]
want = [(str(c), str(s), n) for c, s, n in top]
assert got == want, (got, want)
assert all(len(l) == len(summary[2]) or l.index("|") == summary[2].index("|") for l in summary[2:])
print("ok")
PY
    [ "$output" = ok ]
}

@test "importtime with LWRAP_LOGS=off leaves every other stderr byte alone" {
    logs_py '{"writes":[[2,"0001ff0a"]]}' -- -e LWRAP_PRESETS=python-importtime --no-telemetry-fd --raw raw
    [ "$status" -eq 0 ]
    run -1 grep -c 'import time:' raw/stderr
    [ "$(grep -c '^lwrap importtime (init)' raw/stderr)" -eq 1 ]
    tail -c 4 raw/stderr | od -An -tx1 >tail.hex
    [ "$(tr -d ' \n' <tail.hex)" = 0001ff0a ]
}

# --- Outside Lambda: python's own lines, untouched --------------------------------------

# imp_norm FILE: the file with each import line's two numbers (and their padding) masked.
imp_norm() {
    sed -E 's/^import time: +[0-9]+ \| +[0-9]+ \|/import time: N | N |/' "$1"
}

# imp_modules FILE: the sorted module names of python's import lines (header excluded).
imp_modules() {
    sed -nE 's/^import time: +[0-9]+ \| +[0-9]+ \| *//p' "$1" | sort
}

# imp_same_as_python PLAIN.err LWRAP.err: the lines are python's, whole and in order.
imp_same_as_python() {
    [ -s "$1" ] && [ -s "$2" ]
    # every line has exactly python's shape: the header, then `import time: N | N | name`
    [ "$(head -1 "$2")" = "import time: self [us] | cumulative | imported package" ]
    run -1 grep -vcE '^import time:( self \[us\] \| cumulative \| imported package| +[0-9]+ \| +[0-9]+ \| +[^ ].*)$' "$2"
    [ "$(wc -l <"$1")" -eq "$(wc -l <"$2")" ]
    diff <(imp_modules "$1") <(imp_modules "$2")
    diff <(imp_norm "$1") <(imp_norm "$2")
    # nothing but import lines, and no summary
    run -1 grep -c 'lwrap' "$2"
}

@test "importtime outside Lambda: python's own import lines pass through, byte for byte (shim and real interpreter)" {
    runtime_python3
    # The program tells us whether the preload is in it: the comparison must not pass
    # just because nothing was loaded. `python3` is pyenv's bash shim on a pyenv
    # machine: the preload must load again in the interpreter the shim execs.
    local py rc code='import json, sys; print(any("liblwrap" in l for l in open("/proc/self/maps"))); sys.exit(3)'
    for py in python3 "$RUNTIME_PYTHON3"; do
        rc=0
        "$py" -X importtime -c "$code" >plain.out 2>plain.err || rc=$?
        [ "$rc" -eq 3 ]
        rc=0
        LWRAP_PRESETS=python-importtime "$LWRAP" "$py" -c "$code" >lwrap.out 2>lwrap.err || rc=$?
        [ "$rc" -eq 3 ]
        [ "$(cat plain.out)" = False ]
        [ "$(cat lwrap.out)" = True ]
        imp_same_as_python plain.err lwrap.err
    done
}

@test "importtime outside Lambda: PYTHONPROFILEIMPORTTIME under the preload passes through too" {
    runtime_python3
    PYTHONPROFILEIMPORTTIME=1 "$RUNTIME_PYTHON3" -c 'import json' 2>plain.err
    LD_PRELOAD=$LIBLWRAP PYTHONPROFILEIMPORTTIME=1 "$RUNTIME_PYTHON3" -c 'import json' 2>lwrap.err
    imp_same_as_python plain.err lwrap.err
}

# --- In Lambda: the summary whatever way init or the process ends -----------------------

# imp_run END EVENT... [-- EMU_OPTION...]: tests/fixtures/logs/python/importtime_init.py
# under lambda-emu through lwrap with the python-importtime preset, its import ending
# as END says (see the fixture; "" = normally).
imp_run() {
    local end=$1
    shift
    local evs=()
    while (($#)) && [[ $1 != -- ]]; do
        evs+=("$1")
        shift
    done
    (($#)) && shift
    logs_lang_run python importtime_init "$LOGS_FIXTURES/python" "${evs[@]}" -- --init-timeout 30 \
        -e LWRAP_PRESETS=python-importtime -e "IMPORTTIME_TEST_END=$end" "$@"
}

# imp_summaries: each function event that is an importtime summary, as compact JSON.
imp_summaries() {
    emu_select '.type=="function" and (.message|test("lwrap importtime \\((init|invoke)\\): "))'
}

# imp_one_summary KIND: exactly one summary, of KIND (init or invoke), whole (one event),
# whose slowest import is the fixture's deliberately slow module. (A LWRAP_LOGS=text
# prefix before it is skipped.)
imp_one_summary() {
    local s
    s=$(imp_summaries)
    [ -n "$s" ] || {
        echo "no importtime summary in:"
        printf '%s\n' "$output"
        return 1
    }
    [ "$(wc -l <<<"$s")" -eq 1 ] || {
        echo "more than one summary: $s"
        return 1
    }
    # one event: a telemetry frame, or (telemetry fd closed by then) a line whose inner
    # newlines are \r, as Lambda's runtimes write multi-line records to stdout/stderr
    local msg
    msg=$(jq -r . <<<"$s" | tr '\r' '\n' | sed '1s/^.*\(lwrap importtime\)/\1/')
    [[ $msg =~ ^"lwrap importtime ($1): "[0-9]+" imports, "[0-9]+\.[0-9]{3}" ms total" ]]
    [[ $(sed -n 2p <<<"$msg") == " cumulative [us] |  self [us] | package" ]]
    if [[ $1 == init ]]; then
        # importtime_slow sleeps 0.2 s: its row says so, and rows go slowest first (on a
        # loaded machine another package may take longer still, and come before it)
        local rows
        rows=$(sed -n '3,$p' <<<"$msg")
        [[ $(grep -E '\| importtime_slow$' <<<"$rows" | awk '{print $1}') -ge 200000 ]] ||
            { echo "no importtime_slow row of 0.2 s or more: $rows"; return 1; }
        sort -t'|' -k1,1nr -s <<<"$rows" | diff -u - <(printf '%s\n' "$rows") ||
            { echo "rows not slowest first"; return 1; }
    fi
    # the raw lines were absorbed
    if grep -q 'import time:' <<<"$(emu_select '.type=="function"')"; then
        echo "raw import lines were not absorbed"
        return 1
    fi
}

@test "importtime in Lambda through a version manager's shim: the summary comes from the exec'd interpreter" {
    # `python3` as the runtime command: on a pyenv machine a bash shim that execs the
    # interpreter; the preload loads again there and finds -X importtime in its cmdline.
    emu_event_files '{}'
    run --separate-stderr "$EMU" --log-format json --init-timeout 30 -e "AWS_LAMBDA_EXEC_WRAPPER=$LWRAP" \
        -e LWRAP_PRESETS=python-importtime "${EMU_EVENT_ARGS[@]}" --handler importtime_init.handler \
        --task-root "$LOGS_FIXTURES/python" -- python3 "$RUNTIMES/python/bootstrap.py"
    [ "$status" -eq 0 ]
    imp_one_summary init
}

@test "importtime: a handler module that raises at import: the init summary is written (init/error)" {
    imp_run raise '{}'
    [ "$(emu_select '.type=="platform.initError"' .errorType)" = '"RuntimeError"' ]
    imp_one_summary init
    # after the runtime's own error record
    run -0 jq -r -R 'fromjson? | select(.type=="function") | .message | .[0:24]' <<<"$output"
    [[ ${lines[0]} == "[ERROR] RuntimeError: im"* ]]
    [[ ${lines[1]} == "lwrap importtime (init):" ]]
}

@test "importtime: init/error, then a runtime that hangs until it is killed: the summary is already out" {
    # Only the moment the runtime posts init/error can report here: the emulator kills
    # the runtime (SIGKILL) 500 ms after init/error, while it sleeps in an atexit handler.
    imp_run raise-hang '{}'
    imp_one_summary init
}

@test "importtime: sys.exit() during the handler's import: the init summary is written" {
    imp_run exit '{}'
    [[ $(emu_select '.type=="platform.runtimeExit"') == *"exit status 3"* ]]
    imp_one_summary init
}

@test "importtime: os._exit() during the handler's import: the init summary is written" {
    imp_run _exit '{}'
    [[ $(emu_select '.type=="platform.runtimeExit"') == *"exit status 3"* ]]
    imp_one_summary init
}

@test "importtime: SIGTERM during the handler's import: the init summary is written" {
    imp_run sigterm '{}'
    [[ $(emu_select '.type=="platform.runtimeExit"') == *"terminated"* ]]
    imp_one_summary init
}

@test "importtime with LWRAP_LOGS=text and no telemetry fd: _exit and SIGTERM leave one decorated summary line" {
    local end
    for end in _exit sigterm; do
        imp_run "$end" '{}' -- -e LWRAP_LOGS=text --no-telemetry-fd
        imp_one_summary init
        [[ $(imp_summaries) =~ ^\"[0-9T:.-]+Z\\tundefined\\tINFO\\tlwrap\ importtime\ \(init\):\  ]]
        [ "$(emu_select '.type=="function" and (.message|test("lwrap importtime"))' .stream)" = '"stderr"' ]
    done
}

@test "importtime: SIGSEGV during the handler's import (LWRAP_CRASH=1): the init summary is written" {
    imp_run sigsegv '{}' -- -e LWRAP_CRASH=1
    [[ $(emu_select '.type=="platform.runtimeExit"') == *"segmentation fault"* ]]
    imp_one_summary init
}

@test "importtime: SIGKILL during the handler's import loses the summary; LWRAP_IMPORTTIME_RAW=1 keeps the lines" {
    # Nothing runs after SIGKILL (Lambda's timeouts and out-of-memory end this way): the
    # summary of what was imported since the last one is lost. With RAW=1 every line
    # was already written when its import finished.
    imp_run sigkill '{}' -- -e LWRAP_IMPORTTIME_RAW=1
    [[ $(emu_select '.type=="platform.runtimeExit"') == *"killed"* ]]
    [ -z "$(imp_summaries)" ]
    run -0 jq -r -R 'fromjson? | select(.type=="function") | .message' <<<"$output"
    [ "$(grep -c '^import time:' <<<"$output")" -gt 100 ]
    [[ $output =~ "import time:"\ +[0-9]+\ \|\ +[0-9]+\ \|\ +importtime_slow ]]
    [[ $output =~ "import time:"\ +[0-9]+\ \|\ +[0-9]+\ \|\ +statistics ]]
}

@test "importtime: imports during an invoke that ends in os._exit: an (invoke) summary" {
    imp_run "" '{"import":"xml.dom.minidom","end":"_exit"}'
    run -0 imp_summaries
    [ "${#lines[@]}" -eq 2 ]
    [[ ${lines[0]} == '"lwrap importtime (init): '* ]]
    [[ ${lines[1]} == '"lwrap importtime (invoke): '* ]]
    [[ ${lines[1]} == *'| xml.dom.minidom'* ]]
}

@test "importtime: imports during an invoke that ends in SIGTERM: an (invoke) summary" {
    imp_run "" '{"import":"xml.dom.minidom","end":"sigterm"}'
    run -0 imp_summaries
    [ "${#lines[@]}" -eq 2 ]
    [[ ${lines[1]} == '"lwrap importtime (invoke): '*'| xml.dom.minidom'* ]]
}

@test "importtime: a forked child that _exits does not repeat its parent's summary" {
    imp_run "" '{"import":"xml.dom.minidom","fork":true}'
    [ "$status" -eq 0 ]
    run -0 imp_summaries
    [ "${#lines[@]}" -eq 2 ]
    [[ ${lines[1]} == '"lwrap importtime (invoke): '*'| xml.dom.minidom'* ]]
}
