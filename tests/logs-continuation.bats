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

# --- an open Python traceback waits for its exception line --------------------------------

# tb_py MODE CODE: python with the preload, stdout to a pipe; CODE may use tb(i), which
# writes line i of a three-line traceback.
tb_py() {
    run -0 bash -c "LD_PRELOAD='$LIBLWRAP' LWRAP_LOGS=$1 '$EMU_PY' -c '
import os, sys, threading, time
TB = [b\"Traceback (most recent call last):\\n\", b\"  File \\\"x.py\\\", line 1, in <module>\\n\", b\"ValueError: boom\\n\"]
def tb(i): os.write(1, TB[i])
$2' | cat"
}

@test "a traceback whose lines come 150 ms apart (a throttled or preempted runtime) is still one record" {
    tb_py json 'tb(0); time.sleep(0.15); tb(1); time.sleep(0.15); tb(2); print("after")'
    [ "${#lines[@]}" -eq 2 ]
    [ "$(jq -r .message <<<"${lines[0]}")" = $'Traceback (most recent call last):\n  File "x.py", line 1, in <module>\nValueError: boom' ]
    [ "$(jq -r .message <<<"${lines[1]}")" = after ]
}

@test "an open traceback holds up no other thread's records, and goes out within 1 s without its end" {
    # another thread's line printed while the traceback waits comes out first
    tb_py json 'go = threading.Event()
t = threading.Thread(target=lambda: (go.wait(), print("other thread"))); t.start()
tb(0); tb(1); go.set(); time.sleep(0.3); tb(2); t.join()'
    [ "${#lines[@]}" -eq 2 ]
    [ "$(jq -r .message <<<"${lines[0]}")" = "other thread" ]
    [[ $(jq -r .message <<<"${lines[1]}") == Traceback*ValueError:\ boom ]]
    # a traceback that never ends is written 1 s after it began: a SIGKILL at 1.6 s loses nothing
    run -0 bash -c "LD_PRELOAD='$LIBLWRAP' LWRAP_LOGS=text '$EMU_PY' -c '
import os, signal, time
os.write(1, b\"Traceback (most recent call last):\\n  File \\\"x.py\\\", line 1\\n\")
time.sleep(1.6); os.kill(os.getpid(), signal.SIGKILL)' | cat; true"
    [ "${#lines[@]}" -eq 1 ]
    [[ ${lines[0]} == *$'\tTraceback (most recent call last):\r  File "x.py", line 1' ]]
}
