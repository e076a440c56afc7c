#!/usr/bin/env bats
# The pipeline's pure pieces, driven directly (tests/fixtures/logs/unit.c).
load test_helper

setup() {
    lwrap_test_setup
    UNIT=$(logs_build_unit)
}

@test "continuation: stack traces of every language stay one record, plain lines do not" {
    run -0 "$UNIT" cont 'a' 'b' 'Traceback (most recent call last):' '  File "x.py", line 1, in <module>' \
        'KeyError: 1' '' 'During handling of the above exception, another exception occurred:' '' \
        'Traceback (most recent call last):' '  File "y.py"' 'ValueError: 2' 'after'
    [ "$output" = 'a|b|Traceback (most recent call last):+  File "x.py", line 1, in <module>+KeyError: 1++During handling of the above exception, another exception occurred:++Traceback (most recent call last):+  File "y.py"+ValueError: 2|after' ]
    run -0 "$UNIT" cont 'java.lang.RuntimeException: x' $'\tat A.b(A.java:1)' 'Caused by: java.io.IOException: y' $'\t... 3 more' 'next'
    [ "$output" = $'java.lang.RuntimeException: x+\tat A.b(A.java:1)+Caused by: java.io.IOException: y+\t... 3 more|next' ]
    run -0 "$UNIT" cont "x.rb:3:in \`f': boom (RuntimeError)" "from x.rb:5:in \`<main>'" 'Error: n' '    at f (x.js:1:1)' 'done'
    [ "$output" = "x.rb:3:in \`f': boom (RuntimeError)+from x.rb:5:in \`<main>'|Error: n+    at f (x.js:1:1)|done" ]
}

@test "json validator: objects only, strict syntax, valid UTF-8, top-level fields and level" {
    run -0 "$UNIT" json ' {"level":"Warning","timestamp":1,"requestId":"r","message":[1,{"a":"\u00e9\n"}]} '
    [ "$output" = "object L=WARN ts rid msg" ]
    local bad
    for bad in '{"a":1}x' '[1]' '{"a":01}' '{"a":-}' '{"a":"\x"}' $'{"a":"\x01"}' $'{"a":"\xff"}' \
        $'{"a":"\xed\xa0\x80"}' '{"a":tru}' '{a:1}' '{"a":1,}' '"s"' \
        "$(printf '{"a":%.0s' {1..70})1$(printf '}%.0s' {1..70})"; do
        run -0 "$UNIT" json "$bad"
        [ "$output" = not ] || { echo "accepted: $bad"; false; }
    done
    run -0 "$UNIT" json "$(printf '{"a":%.0s' {1..60})1$(printf '}%.0s' {1..60})"
    [ "$output" = "object L=-" ]
}

@test "json escaping: every byte value round-trips through a JSON parser" {
    local hex
    hex=$(python3 -c 'print(bytes(range(256)).hex() + "e282ac" + "f09f9880" + "c0af" + "e0808a")')
    run -0 "$UNIT" escape "$hex"
    run -0 python3 -c '
import json, sys
s = json.loads("\"" + sys.argv[1] + "\"")
want = "".join(chr(b) for b in range(128)) + "".join(chr(b) for b in range(128, 256)) + "\u20ac\U0001F600" + "\u00c0\u00af\u00e0\u0080\u008a"
assert s == want, (s[120:], want[120:])
print("ok")' "$output"
}

@test "redaction: key ids, credential values and patterns, never growing the text" {
    AWS_SECRET_ACCESS_KEY=s3cr3t-value-123 LWRAP_REDACT='pw=([a-z]+);;x' run -0 "$UNIT" redact \
        'AKIAABCDEFGHIJKLMNOP ASIAABCDEFGHIJKLMNOP1 s3cr3t-value-123s3cr3t-value-123 pw=abc x'
    [ "$output" = 'AKIA**** ASIAABCDEFGHIJKLMNOP1 ******** pw=*** *' ]
}

@test "level sources: Lambda's Node and Python prefixes, JSON, Ruby Logger, Python logging" {
    run -0 "$UNIT" level $'2026-01-01T00:00:00.000Z\tid\tWARN\tm' $'[CRITICAL]\t2026-01-01T00:00:00.000Z\tid\tm' \
        '{"level":"debug"}' 'E, [2026-01-01T00:00:00.000000 #1] ERROR -- : m' 'WARNING:root:m' \
        'Error: not a level' 'INFO: with a space' $'2026-01-01T00:00:00Z\tid\tNOPE\tm' '[x]\tm' '{"level":'
    [ "$output" = "node WARN
python FATAL
json DEBUG
plain ERROR
plain WARN
plain -
plain -
plain -
plain -
plain -" ]
}
