#!/usr/bin/env bats
# Which lines make one record: a JSON-object line (a structured logger's record) is a
# record of its own, never joined to the record before it nor continued by later lines.
load test_helper

# records: each function event's record (text mode: the part after Lambda's prefix), one
# JSON string a line.
records() {
    jq -c -R 'fromjson? | select(.type=="function") | .message | split("\t") | .[3:] | join("\t")' <<<"$output"
}

@test "unit: a JSON-object line is never a continuation, nor continued" {
    local unit
    unit=$(logs_build_unit)
    run -0 "$unit" cont '{"level":"info","msg":"a"}' '  indented after json' $'\tat x' 'Caused by: y' \
        'plain' '  {"k":1}' '    at f (x.js:1:1)' '{"b":2}' '{"c":3}'
    [ "$output" = $'{"level":"info","msg":"a"}|  indented after json+\tat x+Caused by: y|plain|  {"k":1}|    at f (x.js:1:1)|{"b":2}|{"c":3}' ]
    # only lines that are exactly one object count: these still continue
    run -0 "$unit" cont 'Error: boom' '    at f (x.js:1:1) {' '  code: 1' '}' 'x' '  {"a":1} trailing' '  {"a":' \
        'Traceback (most recent call last):' '  File "x.py", line 1, in <module>' 'ValueError: {"a":1}'
    [ "$output" = 'Error: boom+    at f (x.js:1:1) {+  code: 1|}|x+  {"a":1} trailing+  {"a":|Traceback (most recent call last):+  File "x.py", line 1, in <module>+ValueError: {"a":1}' ]
}

@test "unit: lines written by one write join, except JSON-object lines" {
    local unit
    unit=$(logs_build_unit)
    run -0 "$unit" contw '{"a":1}' '{"b":2}' 'plain' 'second plain' '{"c":3}' 'after' '  {"d":4}' '{' '  "e": 5' '}'
    [ "$output" = '{"a":1}|{"b":2}|plain+second plain|{"c":3}|after|  {"d":4}|{+  "e": 5+}' ]
}

@test "an indented line after a JSON-object line is its own record, and so is an indented JSON line" {
    logs_py '{"print":["{\"level\":\"info\",\"msg\":\"json record\"}","  indented after json","plain before","  {\"k\":1}","Error: boom","    at f (x.js:1:1)"]}' \
        -- -e LWRAP_LOGS=text
    [ "$status" -eq 0 ]
    run -0 records
    [ "$output" = '"{\"level\":\"info\",\"msg\":\"json record\"}"
"  indented after json"
"plain before"
"  {\"k\":1}"
"Error: boom\n    at f (x.js:1:1)"' ]
}

@test "JSON-object lines that arrive in one write are one record each" {
    # a logger that buffers (pino's sonic-boom, a block-buffered stdout) writes many at once
    logs_py "{\"writes\":[[1,\"$(logs_hex $'{"level":30,"msg":"one"}\n{"level":50,"msg":"two"}\n  {"msg":"three"}\nplain\nplain too\n')\"]]}" \
        -- -e LWRAP_LOGS=json
    [ "$status" -eq 0 ]
    run -0 jq -c -R 'fromjson? | select(.type=="function") | [.level, (.message | fromjson | .msg // .message)]' <<<"$output"
    [ "$output" = '["INFO","one"]
["ERROR","two"]
["INFO","three"]
["INFO","plain\nplain too"]' ]
}

@test "a pretty-printed object written at once stays one record" {
    logs_py '{"print":["{\n  \"a\": 1,\n  \"b\": [\n    2\n  ]\n}"]}' -- -e LWRAP_LOGS=json
    [ "$status" -eq 0 ]
    run -0 jq -c -R 'fromjson? | select(.type=="function") | .message | fromjson | [.a, .b]' <<<"$output"
    [ "$output" = '[1,[2]]' ]
}
