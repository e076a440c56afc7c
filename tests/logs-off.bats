#!/usr/bin/env bats
# LWRAP_LOGS=off (the default): the runtime's stdout and stderr pass byte for byte, even
# while the preload is loaded for another log feature.
load test_helper

# binary_event: writes of every byte value, partial lines, CR/LF mixes, a 64 KiB blob.
binary_event() {
    python3 - "$@" <<'PY'
import json, random, sys
random.seed(7)
chunks = [bytes(range(256)), b"partial", b" line\r\n", b"\n\n", b"AKIAIOSFODNN7EXAMPLE\n",
          b"  indented\n", bytes(random.getrandbits(8) for _ in range(65536)), b"no newline at end"]
fd = int(sys.argv[1])
json.dump({"writes": [[fd, c.hex()] for c in chunks]}, open("event.json", "w"))
open("expected", "wb").write(b"".join(chunks))
PY
}

@test "off: binary stdout passes byte-exact while the preload intercepts (importtime + level filter)" {
    binary_event 1
    logs_py "$(cat event.json)" -- -e LWRAP_PRESETS=python-importtime -e LWRAP_LOG_LEVEL=ERROR --raw raw
    [ "$status" -eq 0 ]
    cmp raw/stdout expected
}

@test "off: binary stderr passes byte-exact without a telemetry fd" {
    binary_event 2
    logs_py "$(cat event.json)" -- -e LWRAP_LOG_LEVEL=ERROR -e LWRAP_TRACE=text --no-telemetry-fd --raw raw
    [ "$status" -eq 0 ]
    # the trace (if it writes to stderr) comes as whole lines before or after; our bytes are intact
    python3 - raw/stderr expected <<'PY'
import sys
got, want = open(sys.argv[1], "rb").read(), open(sys.argv[2], "rb").read()
assert want in got, "stderr bytes changed"
PY
}

@test "off: an unknown LWRAP_LOGS value is one clear line and means off" {
    logs_py '{"print":["plain"]}' -- -e LWRAP_LOGS=yaml --no-telemetry-fd --raw raw
    [ "$status" -eq 0 ]
    run -0 cat raw/stdout
    [ "$output" = plain ]
    grep -Fx 'lwrap: LWRAP_LOGS: unknown mode "yaml" (want off, text or json); using off' raw/stderr
}
