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
