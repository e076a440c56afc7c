#!/usr/bin/env bats
# LWRAP_LOGS=json: one JSON object per record, parseable whatever the bytes were.
load test_helper

# json_messages STREAM: each record on STREAM, parsed by python3's json (fails on any
# event that is not one valid JSON object), re-dumped with sorted keys, one per line.
json_messages() {
    jq -r -R --arg s "$1" 'fromjson? | select(.type=="function" and .stream==$s) | .message' <<<"$output" >msgs
    python3 - msgs <<'PY'
import json, sys
for line in open(sys.argv[1], encoding="utf-8", errors="surrogateescape").read().split("\n")[:-1]:
    obj = json.loads(line)
    assert isinstance(obj, dict), line
    print(json.dumps(obj, sort_keys=True, ensure_ascii=True))
PY
}

@test "json: plain lines become objects with timestamp, level, requestId and message" {
    logs_py '{"print":["hello json"]}' -- -e LWRAP_LOGS=json --no-telemetry-fd
    [ "$status" -eq 0 ]
    local rid
    rid=$(jq -r -R 'fromjson? | select(.type=="response") | .requestId' <<<"$output")
    run -0 json_messages stdout
    [ "${#lines[@]}" -eq 1 ]
    run -0 jq -r '[.level, .requestId, .message, (.timestamp|test("^[0-9-]{10}T[0-9:.]{12}Z$"))] | @tsv' <<<"$output"
    [ "$output" = "INFO	$rid	hello json	true" ]
}

@test "json: hostile bytes (quotes, backslashes, control bytes, invalid UTF-8) parse and keep their bytes" {
    # "q\"b\\ \x01\x1f\x7f tab\t é \xff\xfe \xe2\x82 \xed\xa0\x80 end" as one write, then two lines
    local hex=22715c2262205c5c20011f7f2074616209 hex2=20c3a920fffe20e28220eda08020656e64
    logs_py "{\"writes\":[[1,\"${hex}${hex2}0a\"]]}" -- -e LWRAP_LOGS=json --no-telemetry-fd --raw raw
    [ "$status" -eq 0 ]
    run -0 python3 - raw/stdout <<'PY'
import json, sys
lines = open(sys.argv[1], "rb").read().split(b"\n")[:-1]
assert len(lines) == 1, lines
obj = json.loads(lines[0])
msg = obj["message"]
# valid characters stay characters; each invalid byte is \u00XX (lambda-emu's convention)
want = '"q\\"b \\\\ \x01\x1f\x7f tab\t \u00e9 \u00ff\u00fe \u00e2\u0082 \u00ed\u00a0\u0080 end'
assert msg == want, (msg, want)
print("ok")
PY
}

@test "json: a line that is a JSON object stays that object, missing fields added" {
    logs_py '{"print":["{\"msg\": \"x\", \"level\": \"warn\", \"n\": [1, {\"a\": null}]}", "{}", "{not json}"]}' -- -e LWRAP_LOGS=json --no-telemetry-fd
    [ "$status" -eq 0 ]
    run -0 json_messages stdout
    [ "${#lines[@]}" -eq 3 ]
    run -0 jq -c 'del(.timestamp, .requestId)' <<<"$(printf '%s\n' "${lines[@]}")"
    [ "${lines[0]}" = '{"level":"warn","msg":"x","n":[1,{"a":null}]}' ]
    [ "${lines[1]}" = '{"level":"INFO"}' ]
    [ "${lines[2]}" = '{"level":"INFO","message":"{not json}"}' ]
}

@test "json: 1 MiB lines are split into records that each parse and join back to the line" {
    local ev
    ev=$(python3 -c 'print("{\"writes\":[[1,\"%s0a\"]]}" % (b"\"\\\x01\xff" * 262144).hex())')
    logs_py "$ev" -- -e LWRAP_LOGS=json --no-telemetry-fd --raw raw
    [ "$status" -eq 0 ]
    run -0 python3 - raw/stdout <<'PY'
import json, sys
recs = open(sys.argv[1], "rb").read().split(b"\n")[:-1]
assert all(len(r) <= 256 * 1024 for r in recs), [len(r) for r in recs]
msg = "".join(json.loads(r)["message"] for r in recs)
assert msg == '"\\\x01\u00ff' * 262144, len(msg)
print(len(recs))
PY
    [ "$output" -gt 1 ]
}

@test "json: records go to the telemetry fd as JSON frames with the record's level" {
    logs_py '{"print":["[ERROR]\t2026-01-01T00:00:00.000Z\tsome-id\tboom"]}' -- -e LWRAP_LOGS=json
    [ "$status" -eq 0 ]
    run -0 jq -c -R 'fromjson? | select(.type=="function" and (.message|test("boom"))) | [.frameType, (.message|fromjson)]' <<<"$output"
    [ "$output" = '["0xA55A0016",{"timestamp":"2026-01-01T00:00:00.000Z","level":"ERROR","requestId":"some-id","message":"boom"}]' ]
}

@test "json: the runtime's own text frames become JSON frames" {
    logs_handler python log '{"log":["from the logger"]}' -- -e LWRAP_LOGS=json
    [ "$status" -eq 0 ]
    run -0 jq -c -R 'fromjson? | select(.type=="function" and (.message|test("from the logger"))) | [.frameType, (.message|fromjson|.level, .message)]' <<<"$output"
    [ "$output" = '["0xA55A000E","INFO","from the logger"]' ]
}

@test "json: a pretty-printed JSON object written at once stays one object on one line" {
    logs_py '{"writes":[[1,"'"$(logs_hex $'{\n  "a": [1,\r\n 2],\n  "b": "x"\n}\n')"'"]]}' -- -e LWRAP_LOGS=json --no-telemetry-fd --raw raw
    [ "$status" -eq 0 ]
    run -0 wc -l <raw/stdout
    [ "$output" -eq 1 ]
    run -0 jq -c 'del(.timestamp, .requestId)' raw/stdout
    [ "$output" = '{"level":"INFO","a":[1,2],"b":"x"}' ]
}
