#!/usr/bin/env bats
# LWRAP_SSM_<NAME>, LWRAP_SECRET_<NAME>, LWRAP_APPCONFIG: values fetched before the exec
# from a local stand-in for AWS's Parameters and Secrets extension and AppConfig agent
# (tests/fixtures/fetch/stand-in.py), which checks each request and can start late,
# answer slowly, trickle, send chunked or broken answers, or not be there at all.
load test_helper

FX=$FIXTURES/fetch
PY=/usr/bin/python3
TOKEN=emulatorSessionTokenExample0123456789

setup() {
    lwrap_test_setup
    STAND_IN_PID=
    PORT=$(free_port)
    # a default data set; tests write their own data.json when they need another
    cat >data.json <<'EOF'
{"ssm": {"/db/pw": "s3cr3t-db-password", "/app/name": "orders", "/nl": "line1\nline2",
         "/bytes": {"raw": "{\"Parameter\":{\"Value\":\"\\u00e9\\ud800x\"}}"}},
 "secrets": {"api": {"SecretString": "plain-api-secret"},
             "db": {"SecretString": "{\"user\":\"bob\",\"port\":5432,\"on\":true,\"none\":null,\"obj\":{}}"},
             "bin": {"SecretBinary": "AAEC"}},
 "appconfig": {"app/prod/flags": {"type": "application/json", "body": "{\"FEATURE_X\":\"on\",\"LIMIT\":10}"},
               "app/prod/text": {"type": "text/plain", "body": "# comment\nA=1\nB=\"two words\"\n\nnot a line\n"},
               "app/prod/yaml": {"type": "application/x-yaml", "body": "a: 1\n"},
               "app/prod/mixed": {"type": "application/json; charset=utf-8",
                                  "body": "{\"ok\":\"yes\",\"bad-name\":\"x\",\"1st\":\"y\",\"deep\":{\"a\":1},\"list\":[1]}"}}}
EOF
}

teardown() {
    [[ -n $STAND_IN_PID ]] && kill "$STAND_IN_PID" 2>/dev/null
    lwrap_test_teardown
}

free_port() {
    "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# stand_in [VAR=VALUE...]: the stand-in on $PORT in the background, with these settings;
# waits until it listens (unless FETCH_LATE_MS says it starts late).
stand_in() {
    rm -f ready
    env FETCH_PORT="$PORT" FETCH_DATA="$PWD/data.json" FETCH_LOG="$PWD/requests.log" \
        FETCH_READY="$PWD/ready" "$@" "$PY" "$FX/stand-in.py" 3>&- &
    STAND_IN_PID=$!
    [[ " $* " == *" FETCH_LATE_MS="* ]] && return 0
    for _ in $(seq 200); do [[ -e ready ]] && return 0; sleep 0.02; done
    echo "stand-in did not start"
    return 1
}

# lw SETTING... [-- CMD...]: lwrap with the Lambda variables the extensions need, the stub
# as the runtime (argv "ran"); STUB_ENV names what the stub prints.
lw() {
    local -a set=()
    while (($#)) && [[ $1 != -- ]]; do set+=("$1"); shift; done
    [[ ${1:-} == -- ]] && shift
    (($#)) || set -- "$WR_STUB" ran
    run --separate-stderr env AWS_SESSION_TOKEN="$TOKEN" PARAMETERS_SECRETS_EXTENSION_HTTP_PORT="$PORT" \
        AWS_APPCONFIG_EXTENSION_HTTP_PORT="$PORT" "${set[@]}" "$LWRAP" "$@"
}

ms() { date +%s%3N; }

@test "fetch: an SSM parameter becomes a variable; the request carries the token; no output shows the value" {
    stand_in
    lw LWRAP_SSM_DB_PASSWORD=/db/pw LWRAP_DEBUG=1 STUB_ENV=DB_PASSWORD
    [ "$status" -eq 0 ]
    [ "$output" = $'ran\nDB_PASSWORD=s3cr3t-db-password' ]
    [ "$(cat requests.log)" = '/systemsmanager/parameters/get?name=%2Fdb%2Fpw&withDecryption=true token=ok' ]
    [[ $stderr == *'lwrap: set DB_PASSWORD=<from ssm:/db/pw> (LWRAP_SSM_DB_PASSWORD)'* ]]
    [[ $stderr == *'lwrap: fetched 1 of 1 value in '*' ms'* ]]
    [[ $stderr != *s3cr3t* ]]
}

@test "fetch: Secrets Manager: a whole secret string, one key of a JSON secret, numbers and booleans as written" {
    stand_in
    lw LWRAP_SECRET_API=api LWRAP_SECRET_DB_USER='db#user' LWRAP_SECRET_DB_PORT='db#port' \
        LWRAP_SECRET_ON='db#on' STUB_ENV='API DB_USER DB_PORT ON'
    [ "$status" -eq 0 ] && [ -z "$stderr" ]
    [ "$output" = $'ran\nAPI=plain-api-secret\nDB_USER=bob\nDB_PORT=5432\nON=true' ]
    [ "$(sort requests.log | uniq -c | awk '{print $1, $2, $3}')" = "$(printf '%s\n' '1 /secretsmanager/get?secretId=api token=ok' '3 /secretsmanager/get?secretId=db token=ok')" ]
}

@test "fetch: secret errors: binary secret, missing key, null, object, not a JSON secret" {
    stand_in
    lw LWRAP_SECRET_B=bin LWRAP_SECRET_K='db#nope' LWRAP_SECRET_N='db#none' LWRAP_SECRET_O='db#obj' \
        LWRAP_SECRET_P='api#key' STUB_ENV='B K N O P'
    [ "$status" -eq 0 ]
    [ "$output" = $'ran\nB unset\nK unset\nN unset\nO unset\nP unset' ]
    [ "$stderr" = "$(printf '%s\n' \
        'lwrap: LWRAP_SECRET_B: B from secret:bin: the secret is binary (SecretBinary): only SecretString can be a variable; ignored' \
        'lwrap: LWRAP_SECRET_K: K from secret:db#nope: the secret has no key "nope"; ignored' \
        'lwrap: LWRAP_SECRET_N: N from secret:db#none: key "none": the value is null; ignored' \
        'lwrap: LWRAP_SECRET_O: O from secret:db#obj: key "obj": the value is a JSON object, not a string; ignored' \
        'lwrap: LWRAP_SECRET_P: P from secret:api#key: the secret is not a JSON object, so it has no key "key"; ignored')" ]
}

@test "fetch: AppConfig: a flat JSON object with LWRAP_APPCONFIG_PREFIX, KEY=value text, several profiles" {
    stand_in
    lw LWRAP_APPCONFIG='app/prod/flags, app/prod/text' LWRAP_APPCONFIG_PREFIX=CFG_ STUB_ENV='CFG_FEATURE_X CFG_LIMIT CFG_A CFG_B'
    [ "$status" -eq 0 ]
    [ "$output" = $'ran\nCFG_FEATURE_X=on\nCFG_LIMIT=10\nCFG_A=1\nCFG_B=two words' ]
    [ "$stderr" = 'lwrap: LWRAP_APPCONFIG: appconfig:app/prod/text: "line 5": expected NAME=value; ignored' ]
    [ "$(sort requests.log)" = "$(printf '%s\n' '/applications/app/environments/prod/configurations/flags app/prod/flags' '/applications/app/environments/prod/configurations/text app/prod/text')" ]
}

@test "fetch: AppConfig: bad names, nested values, YAML, a missing profile, a malformed list entry" {
    stand_in
    lw LWRAP_APPCONFIG='app/prod/mixed,app/prod/yaml,app/prod/none,just-one-part' STUB_ENV=ok
    [ "$status" -eq 0 ]
    [ "$output" = $'ran\nok=yes' ]
    [ "$stderr" = "$(printf '%s\n' \
        'lwrap: LWRAP_APPCONFIG: "just-one-part": expected APPLICATION/ENVIRONMENT/PROFILE; ignored' \
        'lwrap: LWRAP_APPCONFIG: appconfig:app/prod/mixed: "bad-name" is not a valid variable name (letters, digits, _; no leading digit); ignored' \
        'lwrap: LWRAP_APPCONFIG: appconfig:app/prod/mixed: "1st" is not a valid variable name (letters, digits, _; no leading digit); ignored' \
        'lwrap: LWRAP_APPCONFIG: appconfig:app/prod/mixed: "deep": the value is a JSON object, not a string; ignored' \
        'lwrap: LWRAP_APPCONFIG: appconfig:app/prod/mixed: "list": the value is a JSON array, not a string; ignored' \
        'lwrap: LWRAP_APPCONFIG: appconfig:app/prod/yaml: the configuration is YAML: lwrap reads a flat JSON object or NAME=value lines; ignored' \
        'lwrap: LWRAP_APPCONFIG: appconfig:app/prod/none: HTTP 404: ResourceNotFoundException: Profile app/prod/none not found; ignored')" ]
}

@test "fetch: a variable already set wins; LWRAP_FETCH_OVERRIDE=1 replaces it; empty counts as unset" {
    stand_in
    lw DB=mine EMPTY= LWRAP_SSM_DB=/db/pw LWRAP_SSM_EMPTY=/app/name LWRAP_DEBUG=1 STUB_ENV='DB EMPTY'
    [ "$status" -eq 0 ]
    [ "$output" = $'ran\nDB=mine\nEMPTY=orders' ]
    [[ $stderr == *'lwrap: keep DB=<from ssm:/db/pw> (LWRAP_SSM_DB; already set, LWRAP_FETCH_OVERRIDE=1 replaces it)'* ]]
    [ "$(grep -c db requests.log)" -eq 0 ] # not even asked
    lw DB=mine LWRAP_SSM_DB=/db/pw LWRAP_FETCH_OVERRIDE=1 STUB_ENV=DB
    [ "$output" = $'ran\nDB=s3cr3t-db-password' ]
    # AppConfig's keys too
    lw FEATURE_X=mine LWRAP_APPCONFIG=app/prod/flags STUB_ENV='FEATURE_X LIMIT'
    [ "$output" = $'ran\nFEATURE_X=mine\nLIMIT=10' ]
}

@test "fetch: errors name the variable, the source and the extension's answer; strict stops the start" {
    stand_in
    lw LWRAP_SSM_GONE=/not/there STUB_ENV=GONE
    [ "$status" -eq 0 ] && [ "$output" = $'ran\nGONE unset' ]
    local line='lwrap: LWRAP_SSM_GONE: GONE from ssm:/not/there: HTTP 400: ParameterNotFound: An error occurred (ParameterNotFound) when calling the GetParameter operation; ignored'
    [ "$stderr" = "$line" ]
    lw LWRAP_STRICT=1 LWRAP_SSM_GONE=/not/there
    [ "$status" -eq 125 ] && [ -z "$output" ]
    [ "$stderr" = "$line"$'\nlwrap: LWRAP_STRICT=1: configuration error; not starting the runtime' ]
}

@test "fetch: a wrong token is refused by the extension (403); no AWS_SESSION_TOKEN: nothing is asked" {
    stand_in FETCH_TOKEN=the-right-token
    lw LWRAP_SSM_DB=/db/pw STUB_ENV=DB
    [ "$output" = $'ran\nDB unset' ]
    [ "$stderr" = 'lwrap: LWRAP_SSM_DB: DB from ssm:/db/pw: HTTP 403: X-Aws-Parameters-Secrets-Token header is missing or invalid; ignored' ]
    [ "$(cat requests.log)" = '/systemsmanager/parameters/get?name=%2Fdb%2Fpw&withDecryption=true token=wrong' ]
    rm requests.log
    run --separate-stderr env PARAMETERS_SECRETS_EXTENSION_HTTP_PORT="$PORT" LWRAP_SSM_DB=/db/pw "$LWRAP" "$WR_STUB" ran
    [ "$output" = ran ]
    [ "$stderr" = 'lwrap: LWRAP_SSM_DB: DB from ssm:/db/pw: AWS_SESSION_TOKEN is not set (the extension wants it in X-Aws-Parameters-Secrets-Token); ignored' ]
    [ ! -e requests.log ]
}

@test "fetch: extension not installed and nothing listening: fails at once, naming the layer" {
    wr_need_opt_ns
    mkdir -p opt/extensions
    local t0 t1
    t0=$(ms)
    run --separate-stderr wr_with_opt "$PWD/opt" env AWS_SESSION_TOKEN="$TOKEN" PARAMETERS_SECRETS_EXTENSION_HTTP_PORT="$PORT" \
        AWS_APPCONFIG_EXTENSION_HTTP_PORT="$PORT" LWRAP_SSM_DB=/db/pw LWRAP_APPCONFIG=a/b/c "$LWRAP" "$WR_STUB" ran
    t1=$(ms)
    [ "$status" -eq 0 ] && [ "$output" = ran ]
    [ "$stderr" = "lwrap: LWRAP_SSM_DB: DB from ssm:/db/pw: nothing listens, and /opt/extensions has no Parameters and Secrets extension: add the layer AWS-Parameters-and-Secrets-Lambda-Extension (localhost:$PORT); ignored"$'\n'"lwrap: LWRAP_APPCONFIG: appconfig:a/b/c: nothing listens, and /opt/extensions has no AppConfig agent: add the layer AWS-AppConfig-Extension (localhost:$PORT); ignored" ]
    (( t1 - t0 < 1000 )) || { echo "took $((t1 - t0)) ms"; false; }
}

@test "fetch: an extension still starting: connections refused, then answered, inside the budget" {
    wr_need_opt_ns
    mkdir -p opt/extensions
    touch opt/extensions/AWSParametersAndSecretsLambdaExtension
    stand_in FETCH_LATE_MS=400
    run --separate-stderr wr_with_opt "$PWD/opt" env AWS_SESSION_TOKEN="$TOKEN" PARAMETERS_SECRETS_EXTENSION_HTTP_PORT="$PORT" \
        LWRAP_SSM_DB=/db/pw LWRAP_SECRET_API=api STUB_ENV='DB API' "$LWRAP" "$WR_STUB" ran
    [ "$status" -eq 0 ] && [ -z "$stderr" ]
    [ "$output" = $'ran\nDB=s3cr3t-db-password\nAPI=plain-api-secret' ]
    # refused for the whole budget: the reason says so
    kill "$STAND_IN_PID"; STAND_IN_PID=
    local port
    port=$(free_port)
    run --separate-stderr wr_with_opt "$PWD/opt" env AWS_SESSION_TOKEN="$TOKEN" PARAMETERS_SECRETS_EXTENSION_HTTP_PORT="$port" \
        LWRAP_SSM_DB=/db/pw LWRAP_FETCH_TIMEOUT_MS=200 "$LWRAP" "$WR_STUB" ran
    [ "$output" = ran ]
    [ "$stderr" = "lwrap: LWRAP_SSM_DB: DB from ssm:/db/pw: connection refused until the time budget ran out (localhost:$port, LWRAP_FETCH_TIMEOUT_MS=200); ignored" ]
}

@test "fetch: an extension answering \"not ready\" while it starts is asked again inside the budget" {
    stand_in FETCH_NOT_READY_MS=300
    lw LWRAP_SSM_DB=/db/pw STUB_ENV=DB
    [ "$status" -eq 0 ] && [ -z "$stderr" ] && [ "$output" = $'ran\nDB=s3cr3t-db-password' ]
    [ "$(grep -c not-ready requests.log)" -ge 1 ]
    [ "$(tail -1 requests.log)" = '/systemsmanager/parameters/get?name=%2Fdb%2Fpw&withDecryption=true token=ok' ]
    # never ready within the budget: said so
    kill "$STAND_IN_PID"
    stand_in FETCH_NOT_READY_MS=60000
    lw LWRAP_SSM_DB=/db/pw LWRAP_FETCH_TIMEOUT_MS=300 STUB_ENV=DB
    [ "$output" = $'ran\nDB unset' ]
    [ "$stderr" = "lwrap: LWRAP_SSM_DB: DB from ssm:/db/pw: the extension answered \"not ready\" until the time budget ran out (localhost:$PORT, LWRAP_FETCH_TIMEOUT_MS=300); ignored" ]
}

@test "fetch: one total budget: a slow extension costs LWRAP_FETCH_TIMEOUT_MS, not more" {
    stand_in FETCH_SLOW_MS=3000
    local t0 t1
    t0=$(ms)
    lw LWRAP_SSM_A=/db/pw LWRAP_SSM_B=/app/name LWRAP_FETCH_TIMEOUT_MS=300 STUB_ENV='A B'
    t1=$(ms)
    [ "$status" -eq 0 ] && [ "$output" = $'ran\nA unset\nB unset' ]
    [ "$stderr" = "$(printf '%s\n' \
        'lwrap: LWRAP_SSM_A: A from ssm:/db/pw: no complete answer within the time budget (localhost:'"$PORT"', LWRAP_FETCH_TIMEOUT_MS=300); ignored' \
        'lwrap: LWRAP_SSM_B: B from ssm:/app/name: no complete answer within the time budget (localhost:'"$PORT"', LWRAP_FETCH_TIMEOUT_MS=300); ignored')" ]
    (( t1 - t0 < 1500 )) || { echo "took $((t1 - t0)) ms"; false; }
}

@test "fetch: values are fetched concurrently: ten answers that each take 300 ms cost about 300 ms" {
    stand_in FETCH_SLOW_MS=300
    local -a set=() names=()
    for i in $(seq 10); do set+=("LWRAP_SSM_V$i=/app/name"); names+=("V$i"); done
    local t0 t1
    t0=$(ms)
    lw "${set[@]}" STUB_ENV="${names[*]}"
    t1=$(ms)
    [ "$status" -eq 0 ] && [ -z "$stderr" ]
    [ "${#lines[@]}" -eq 11 ] && [ "${lines[10]}" = V10=orders ]
    (( t1 - t0 < 1500 )) || { echo "took $((t1 - t0)) ms"; false; }
}

@test "fetch: fifty values" {
    local i
    { printf '{"ssm": {'; for i in $(seq 50); do printf '%s"/p/%d": "value-number-%d"' "$([[ $i == 1 ]] || echo ,)" "$i" "$i"; done; printf '}}'; } >data.json
    stand_in
    local -a set=() names=()
    for i in $(seq 50); do set+=("LWRAP_SSM_P$i=/p/$i"); names+=("P$i"); done
    lw "${set[@]}" STUB_ENV="${names[*]}"
    [ "$status" -eq 0 ] && [ -z "$stderr" ]
    [ "${#lines[@]}" -eq 51 ]
    for i in $(seq 50); do [ "${lines[i]}" = "P$i=value-number-$i" ]; done
    [ "$(wc -l <requests.log)" -eq 50 ]
}

@test "fetch: chunked answers, answers ended by closing, and a slow trickle are all read" {
    stand_in FETCH_STYLE=chunked
    lw LWRAP_SSM_DB=/db/pw LWRAP_APPCONFIG=app/prod/flags STUB_ENV='DB FEATURE_X'
    [ -z "$stderr" ] && [ "$output" = $'ran\nDB=s3cr3t-db-password\nFEATURE_X=on' ]
    kill "$STAND_IN_PID"
    stand_in FETCH_STYLE=eof
    lw LWRAP_SSM_DB=/db/pw STUB_ENV=DB
    [ -z "$stderr" ] && [ "$output" = $'ran\nDB=s3cr3t-db-password' ]
    kill "$STAND_IN_PID"
    printf 'HTTP/1.1 200 OK\r\nContent-Length: 38\r\n\r\n{"Parameter":{"Value":"trickled-v1"}}\n' >raw
    stand_in FETCH_STYLE=trickle FETCH_TRICKLE_MS=5 FETCH_RAW="$PWD/raw"
    lw LWRAP_SSM_DB=/db/pw STUB_ENV=DB
    [ -z "$stderr" ] && [ "$output" = $'ran\nDB=trickled-v1' ]
    # interim 1xx answers before the real one are skipped
    kill "$STAND_IN_PID"
    printf 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 36\r\n\r\n{"Parameter":{"Value":"after-100"}}\n' >raw
    stand_in FETCH_RAW="$PWD/raw"
    lw LWRAP_SSM_DB=/db/pw STUB_ENV=DB
    [ -z "$stderr" ] && [ "$output" = $'ran\nDB=after-100' ] || { echo "$stderr"; false; }
    kill "$STAND_IN_PID"
    stand_in FETCH_STYLE=trickle FETCH_TRICKLE_MS=5 FETCH_RAW="$PWD/raw"
    # a trickle slower than the budget
    lw LWRAP_SSM_DB=/db/pw LWRAP_FETCH_TIMEOUT_MS=100 STUB_ENV=DB
    [ "$output" = $'ran\nDB unset' ]
    [ "$stderr" = 'lwrap: LWRAP_SSM_DB: DB from ssm:/db/pw: no complete answer within the time budget (localhost:'"$PORT"', LWRAP_FETCH_TIMEOUT_MS=100); ignored' ]
}

# raw_case ANSWER_FILE EXPECTED_REASON: the stand-in sends the file as the whole answer
# (@ in the reason: the port).
raw_case() {
    [[ -n $STAND_IN_PID ]] && kill "$STAND_IN_PID"
    stand_in FETCH_RAW="$PWD/$1"
    lw LWRAP_SSM_DB=/db/pw LWRAP_FETCH_TIMEOUT_MS=1000 STUB_ENV=DB
    [ "$output" = $'ran\nDB unset' ] || { echo "$1: $output"; return 1; }
    [ "$stderr" = "lwrap: LWRAP_SSM_DB: DB from ssm:/db/pw: ${2//@/$PORT}; ignored" ] || { echo "$1: $stderr"; return 1; }
}

@test "fetch: broken answers: each gets its reason and the runtime starts" {
    printf 'HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n{"Param":' >bad-json
    raw_case bad-json 'the answer is not a JSON object (malformed JSON)'
    printf 'HTTP/1.1 200 OK\r\nContent-Length: 14\r\n\r\n{"Other":true}' >no-value
    raw_case no-value 'the answer has no Parameter.Value'
    printf 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nab\r\n0\r\n\r\n' >bad-chunk
    raw_case bad-chunk 'malformed chunked encoding (bad chunk size) (localhost:@)'
    printf 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabc' >cut-chunk
    raw_case cut-chunk 'the connection was closed inside the chunked body (localhost:@)'
    printf 'HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort' >short
    raw_case short 'the connection was closed before the whole body (Content-Length) (localhost:@)'
    printf 'SSH-2.0-OpenSSH\r\n\r\n' >not-http
    raw_case not-http 'not an HTTP/1.x answer (localhost:@)'
    printf 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab' >two-cl
    raw_case two-cl 'two different Content-Length headers (localhost:@)'
    printf 'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nab' >gzip
    raw_case gzip 'unsupported Transfer-Encoding (localhost:@)'
    # a bare LF ends no line here (found by the fuzzer: lwrap crashed on it once)
    printf 'HTTP/1.1 200 OK\r\nContent-Type: a\nb\r\nContent-Length: 2\r\n\r\nab' >bare-lf
    raw_case bare-lf 'malformed header line (localhost:@)'
    printf 'HTTP/1.1 200 OK\nContent-Length: 2\r\n\r\nab' >bare-lf-status
    raw_case bare-lf-status 'not an HTTP/1.x answer (localhost:@)'
    printf 'HTTP/1.1 500 Internal Server Error\r\nContent-Length: 34\r\n\r\nextension crashed\nsecond line here' >text-error
    raw_case text-error 'HTTP 500: extension crashed'
}

@test "fetch: huge answers: over 1 MiB refused; a value over the kernel's 128 KiB refused" {
    "$PY" -c 'import sys; sys.stdout.write("HTTP/1.1 200 OK\r\nContent-Length: 2000000\r\n\r\n" + "x" * 2000000)' >huge
    raw_case huge 'answer larger than 1 MiB (localhost:@)'
    "$PY" -c 'import sys; sys.stdout.write("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + "x" * 2000000)' >huge-eof
    raw_case huge-eof 'answer larger than 1 MiB (localhost:@)'
    "$PY" -c 'import json, sys; b = json.dumps({"Parameter": {"Value": "v" * 200000}}); sys.stdout.write("HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(b), b))' >long-value
    raw_case long-value "the value is longer than 128 KiB, the kernel's limit for one variable"
}

# has_entry ENTRY: the stub's environment (STUB_ENVIRON=environ) holds exactly ENTRY.
has_entry() {
    "$PY" -c 'import sys; sys.exit(sys.argv[1].encode("utf-8", "surrogateescape") not in open("environ", "rb").read().split(b"\0"))' "$1"
}

@test "fetch: values with newlines and any bytes are exported exactly; NUL is refused; names are checked" {
    stand_in
    lw LWRAP_SSM_NL=/nl LWRAP_SSM_BYTES=/bytes STUB_ENVIRON="$PWD/environ"
    [ "$status" -eq 0 ] && [ -z "$stderr" ]
    has_entry $'NL=line1\nline2'
    # \u00e9 is UTF-8 é; an unpaired surrogate escape becomes U+FFFD
    has_entry $'BYTES=\xc3\xa9\xef\xbf\xbdx'
    # invalid UTF-8 and control bytes sent raw inside the JSON string are passed on as they are
    printf 'HTTP/1.1 200 OK\r\nContent-Length: 31\r\n\r\n{"Parameter":{"Value":"a\xff\xfeb"}}\n' >latin
    kill "$STAND_IN_PID"
    stand_in FETCH_RAW="$PWD/latin"
    lw LWRAP_SSM_RAW=/x STUB_ENVIRON="$PWD/environ"
    [ -z "$stderr" ]
    has_entry $'RAW=a\xff\xfeb'
    printf 'HTTP/1.1 200 OK\r\nContent-Length: 35\r\n\r\n{"Parameter":{"Value":"a\\u0000b"}}\n' >nul
    raw_case nul 'the value holds a NUL byte (\\u0000), which no environment variable can'
    # a bad variable name is reported without asking anything
    rm -f requests.log
    lw LWRAP_SSM_1X=/db/pw LWRAP_SECRET_=api 'LWRAP_SECRET_A=#k' LWRAP_SSM_E=
    [ "$output" = ran ]
    [ "$stderr" = "$(printf '%s\n' \
        'lwrap: LWRAP_SSM_1X: not a valid variable name (letters, digits, _; no leading digit); ignored' \
        'lwrap: LWRAP_SSM_E: empty parameter name; ignored' \
        'lwrap: LWRAP_SECRET_: empty variable name; ignored' \
        'lwrap: LWRAP_SECRET_A: empty secret id; ignored')" ]
    [ ! -s requests.log ]
}

@test "fetch: a server that accepts and closes, or resets, without answering is retried inside the budget, and reported as that" {
    local style n
    for style in hangup reset; do
        [[ -n $STAND_IN_PID ]] && kill "$STAND_IN_PID"
        rm -f requests.log
        stand_in FETCH_STYLE=$style
        lw LWRAP_SSM_DB=/db/pw LWRAP_FETCH_TIMEOUT_MS=300
        [ "$output" = ran ]
        n=$(grep -c " $style" requests.log)
        ((n >= 2)) || { echo "$style: $n tries"; false; }
        [ "$stderr" = 'lwrap: LWRAP_SSM_DB: DB from ssm:/db/pw: the connection was closed without an answer until the time budget ran out (localhost:'"$PORT"', LWRAP_FETCH_TIMEOUT_MS=300); ignored' ] ||
            { echo "$style: $stderr"; false; }
    done
}

@test "fetch: more settings than free descriptors: a bounded number of connections at once, every value fetched" {
    local i
    { printf '{"ssm": {'; for i in $(seq 100); do printf '%s"/v%d": "value-%d"' "$([[ $i == 1 ]] || echo ,)" "$i" "$i"; done; printf '}}'; } >data.json
    stand_in
    local -a set=()
    for i in $(seq 100); do set+=("LWRAP_SSM_P$i=/v$i"); done
    run --separate-stderr bash -c 'ulimit -n 64 && exec "$@"' _ env AWS_SESSION_TOKEN="$TOKEN" \
        PARAMETERS_SECRETS_EXTENSION_HTTP_PORT="$PORT" "${set[@]}" LWRAP_DEBUG=1 STUB_ENV='P1 P50 P100' "$LWRAP" "$WR_STUB" ran
    [ "$status" -eq 0 ]
    [ "$output" = $'ran\nP1=value-1\nP50=value-50\nP100=value-100' ]
    [[ $stderr != *'cannot create a socket'* && $stderr != *'; ignored'* ]] || { echo "$stderr"; false; }
    [[ $stderr == *'lwrap: fetched 100 of 100 values in '* ]] || { echo "$stderr"; false; }
    [ "$(wc -l <requests.log)" -eq 100 ]
    # so few descriptors that a socket() fails (EMFILE): it waits for one to close
    rm requests.log
    run --separate-stderr bash -c 'ulimit -n 12 && exec "$@"' _ env AWS_SESSION_TOKEN="$TOKEN" \
        PARAMETERS_SECRETS_EXTENSION_HTTP_PORT="$PORT" "${set[@]}" STUB_ENV='P1 P50 P100' "$LWRAP" "$WR_STUB" ran
    [ "$status" -eq 0 ] && [ -z "$stderr" ] || { echo "$stderr"; false; }
    [ "$output" = $'ran\nP1=value-1\nP50=value-50\nP100=value-100' ]
    [ "$(wc -l <requests.log)" -eq 100 ]
}

@test "fetch: LWRAP_DEBUG's summary counts only the values exported" {
    stand_in
    lw LWRAP_SSM_DB=/db/pw LWRAP_SSM_GONE=/not/there LWRAP_SECRET_B=bin LWRAP_DEBUG=1
    [ "$output" = ran ]
    [[ $stderr == *$'\nlwrap: fetched 1 of 3 values in '*' ms' ]] || { echo "$stderr"; false; }
}

@test "fetch: a fetched value never sets the loader's, lwrap's, Lambda's or the credential variables, nor PATH" {
    cat >data.json <<'JSON'
{"ssm": {"/x": "/nonexistent/evil.so"},
 "appconfig": {"a/b/c": {"type": "application/json",
   "body": "{\"LD_PRELOAD\":\"/nonexistent/evil.so\",\"LWRAP_ARGS\":\"--evil\",\"_LWRAP_PID\":\"1\",\"PATH\":\"/evil\",\"AWS_LAMBDA_RUNTIME_API\":\"evil:1\",\"AWS_SECRET_ACCESS_KEY\":\"k\",\"_X_AMZN_TRACE_ID\":\"t\",\"OK\":\"yes\"}"}}}
JSON
    stand_in
    local reason='reserved name: a fetched value never sets PATH, LD_*, LWRAP_*, _LWRAP_*, AWS_LAMBDA_*, the Lambda runtime'"'"'s, the credential or the X-Ray variables; ignored'
    lw PATH="$PATH" AWS_LAMBDA_RUNTIME_API=127.0.0.1:9001 LWRAP_APPCONFIG=a/b/c LWRAP_FETCH_OVERRIDE=1 \
        LWRAP_SSM_LD_PRELOAD=/x LWRAP_SECRET_AWS_SESSION_TOKEN=api LWRAP_SSM_LWRAP_ARGS=/x \
        STUB_ENV='OK LD_PRELOAD LWRAP_ARGS AWS_LAMBDA_RUNTIME_API AWS_SECRET_ACCESS_KEY _X_AMZN_TRACE_ID'
    [ "$status" -eq 0 ]
    [ "$output" = $'ran\nOK=yes\nLD_PRELOAD unset\nLWRAP_ARGS unset\nAWS_LAMBDA_RUNTIME_API=127.0.0.1:9001\nAWS_SECRET_ACCESS_KEY unset\n_X_AMZN_TRACE_ID unset' ]
    local n
    for n in LD_PRELOAD LWRAP_ARGS _LWRAP_PID PATH AWS_LAMBDA_RUNTIME_API AWS_SECRET_ACCESS_KEY _X_AMZN_TRACE_ID; do
        grep -qxF "lwrap: LWRAP_APPCONFIG: appconfig:a/b/c: \"$n\": $reason" <<<"$stderr" || { echo "$n: $stderr"; false; }
    done
    for n in LWRAP_SSM_LD_PRELOAD LWRAP_SECRET_AWS_SESSION_TOKEN LWRAP_SSM_LWRAP_ARGS; do
        grep -qxF "lwrap: $n: $reason" <<<"$stderr" || { echo "$n: $stderr"; false; }
    done
    [ "$(grep -c . <<<"$stderr")" -eq 10 ]
    # the named ones are not even asked
    [ "$(grep -c -v applications requests.log)" -eq 0 ]
}

@test "fetch: settings from lwrap.conf; they are not passed on to the runtime" {
    stand_in
    printf '%s\n' 'LWRAP_SSM_DB=/db/pw' 'LWRAP_APPCONFIG=app/prod/flags' 'LWRAP_APPCONFIG_PREFIX=C_' 'LWRAP_FETCH_TIMEOUT_MS=2000' >lwrap.conf
    lw LWRAP_CONFIG="$PWD/lwrap.conf" STUB_ENV='DB C_LIMIT LWRAP_SSM_DB LWRAP_APPCONFIG LWRAP_FETCH_TIMEOUT_MS'
    [ "$status" -eq 0 ] && [ -z "$stderr" ]
    [ "$output" = $'ran\nDB=s3cr3t-db-password\nC_LIMIT=10\nLWRAP_SSM_DB unset\nLWRAP_APPCONFIG unset\nLWRAP_FETCH_TIMEOUT_MS unset' ]
    # a bad line there is reported with the file and line
    printf '%s\n' 'LWRAP_SSM_GONE=/nope' >lwrap.conf
    lw LWRAP_CONFIG="$PWD/lwrap.conf"
    [[ $stderr == "lwrap: $PWD/lwrap.conf:1: LWRAP_SSM_GONE: GONE from ssm:/nope: HTTP 400: ParameterNotFound"* ]]
}

@test "fetch: --explain asks nobody and shows where each value would come from" {
    stand_in
    lw LWRAP_SSM_DB=/db/pw 'LWRAP_SECRET_U=db#user' LWRAP_APPCONFIG=app/prod/flags -- --explain "$WR_STUB" a
    [ "$status" -eq 0 ] && [ -z "$stderr" ]
    [ "$output" = "$(printf '%s\n' \
        'set DB=<from ssm:/db/pw> (LWRAP_SSM_DB; not fetched under --explain)' \
        'set U=<from secret:db#user> (LWRAP_SECRET_U; not fetched under --explain)' \
        'set <each name>=<from appconfig:app/prod/flags> (LWRAP_APPCONFIG; not fetched under --explain)' \
        "argv $WR_STUB" 'argv a')" ]
    [ ! -s requests.log ]
}

@test "fetch: bad LWRAP_FETCH_TIMEOUT_MS, LWRAP_FETCH_OVERRIDE and port variables are reported and defaults used" {
    stand_in
    lw LWRAP_SSM_DB=/db/pw LWRAP_FETCH_TIMEOUT_MS=soon LWRAP_FETCH_OVERRIDE=yes STUB_ENV=DB
    [ "$output" = $'ran\nDB=s3cr3t-db-password' ]
    [ "$stderr" = "$(printf '%s\n' \
        'lwrap: LWRAP_FETCH_OVERRIDE: expected 1 or 0, got "yes"; ignored' \
        'lwrap: LWRAP_FETCH_TIMEOUT_MS: expected milliseconds from 1 to 60000, got "soon"; ignored')" ]
    run --separate-stderr env AWS_SESSION_TOKEN="$TOKEN" PARAMETERS_SECRETS_EXTENSION_HTTP_PORT=99999 \
        AWS_APPCONFIG_EXTENSION_HTTP_PORT=x2772 LWRAP_FETCH_TIMEOUT_MS=100 LWRAP_SSM_DB=/db/pw "$LWRAP" --explain "$WR_STUB"
    [ "$stderr" = "$(printf '%s\n' \
        'lwrap: PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: expected a port number from 1 to 65535, got "99999"; ignored' \
        'lwrap: AWS_APPCONFIG_EXTENSION_HTTP_PORT: expected a port number from 1 to 65535, got "x2772"; ignored')" ]
}

@test "fetch: lwrap runs clean under valgrind memcheck with values, errors and AppConfig" {
    command -v valgrind >/dev/null || skip "valgrind not installed"
    stand_in FETCH_STYLE=chunked
    local -a set=(LWRAP_SSM_DB=/db/pw LWRAP_SSM_GONE=/nope 'LWRAP_SECRET_U=db#user' LWRAP_SECRET_B=bin
        LWRAP_APPCONFIG=app/prod/mixed,app/prod/text,app/prod/none LWRAP_DEBUG=1 LWRAP_LOGS=text
        LWRAP_PRELOAD_PATH="$(wr_fake_lib "$PWD/lib/liblwrap.so")" STUB_ENV='DB U ok A')
    set+=(AWS_SESSION_TOKEN="$TOKEN" PARAMETERS_SECRETS_EXTENSION_HTTP_PORT="$PORT" AWS_APPCONFIG_EXTENSION_HTTP_PORT="$PORT")
    run --separate-stderr env "${set[@]}" valgrind -q --error-exitcode=99 "$SHIP_LWRAP" "$WR_STUB" ran
    [ "$status" -eq 0 ] && [[ $stderr != *'=='* ]] || { echo "$stderr"; false; }
    [ "$output" = $'ran\nDB=s3cr3t-db-password\nU=bob\nok=yes\nA=1' ]
    [[ $stderr == *'lwrap: fetched 4 of 7 values in '* ]] || { echo "$stderr"; false; }
    run --separate-stderr env "${set[@]}" valgrind -q --error-exitcode=99 "$SHIP_LWRAP" --explain "$WR_STUB" ran
    [ "$status" -eq 0 ] && [[ $stderr != *'=='* ]] || { echo "$stderr"; false; }
}

@test "fetch: no fetch setting costs no system call; with one, the sockets are non-blocking and polled" {
    command -v strace >/dev/null || skip "needs strace"
    strace -f -qq -e trace=socket,connect,poll,ppoll,openat -o trace.txt env LWRAP_SET_A=1 "$LWRAP" "$WR_STUB" ran >/dev/null
    ! grep -E '^[0-9]+ +(socket|connect|poll|ppoll)\(' trace.txt
    ! grep -q 'extensions' trace.txt
    stand_in
    strace -f -qq -e trace=socket,connect,poll -o trace2.txt env AWS_SESSION_TOKEN="$TOKEN" PARAMETERS_SECRETS_EXTENSION_HTTP_PORT="$PORT" \
        LWRAP_SSM_A=/db/pw LWRAP_SSM_B=/app/name "$LWRAP" /bin/true
    [ "$(grep -c 'socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK' trace2.txt)" -eq 2 ]
    grep -q 'poll(\[{fd=.*}, {fd=' trace2.txt # both at once
}

@test "fetch: end to end under lambda-emu: the stand-in as an external extension starting late; the function's logs mask the fetched values" {
    wr_emu_ready
    wr_need_opt_ns
    runtime_cmd python || skip "no python runtime"
    mkdir -p opt/extensions ext
    cp "$FX/stand-in.py" opt/extensions/AWSParametersAndSecretsLambdaExtension
    cp "$FX/stand-in.py" ext/AWSParametersAndSecretsLambdaExtension
    printf '%s' '{"print_env": ["DB_PASSWORD", "APP_NAME"], "child": true}' >event.json
    run --separate-stderr timeout -k 10 120 "${WR_NS[@]}" sh -c 'mount --bind "$1" /opt && shift && exec "$@"' _ "$PWD/opt" \
        "$EMU" --log-format json --event event.json --extensions-dir "$PWD/ext" \
        -e AWS_LAMBDA_EXEC_WRAPPER="$LWRAP" -e LWRAP_LOGS=text -e FETCH_REGISTER=1 -e FETCH_LATE_MS=300 \
        -e FETCH_PORT="$PORT" -e PARAMETERS_SECRETS_EXTENSION_HTTP_PORT="$PORT" -e FETCH_DATA="$PWD/data.json" \
        -e FETCH_LOG="$PWD/requests.log" -e LWRAP_SSM_DB_PASSWORD=/db/pw -e LWRAP_SSM_APP_NAME=/app/name \
        --handler handler.handler --task-root "$FX" -- "${RUNTIME_CMD[@]}"
    [ "$status" -eq 0 ] || { echo "$output"; echo "$stderr"; false; }
    # the function got the values
    # (the runtime has _LWRAP_REDACT_VARS, a child process of it does not)
    [ "$(jq -r -R 'fromjson? | select(.type=="response") | .body' <<<"$output" | jq -c .)" = '{"DB_PASSWORD":"s3cr3t-db-password","APP_NAME":"orders","child":[],"self":["_LWRAP_EXEC_NS","_LWRAP_PID","_LWRAP_REDACT_VARS","_LWRAP_START_NS"]}' ]
    # its printed lines carry them masked (both are fetched values of 8 or more bytes... and
    # "orders" is shorter than 8: masking short values would hide ordinary words)
    local msgs
    msgs=$(jq -r -R 'fromjson? | select(.type=="function") | .message' <<<"$output")
    [[ $msgs == *'DB_PASSWORD is ****'* ]] || { echo "$msgs"; false; }
    [[ $msgs == *'APP_NAME is orders'* ]]
    # nowhere but in the function's own response
    [[ $(jq -c -R 'fromjson? | select(.type!="response")' <<<"$output") != *s3cr3t* && $stderr != *s3cr3t* ]]
    # the token reached the stand-in
    [ "$(sort requests.log)" = "$(printf '%s\n' '/systemsmanager/parameters/get?name=%2Fapp%2Fname&withDecryption=true token=ok' '/systemsmanager/parameters/get?name=%2Fdb%2Fpw&withDecryption=true token=ok')" ]
}

@test "fetch: a value ending in a newline (a PEM key) printed as a line is masked in the logs (text, json)" {
    cat >data.json <<'JSON'
{"ssm": {"/pem": "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n",
         "/one": "single-line-secret\n"}}
JSON
    stand_in
    local mode
    for mode in text json; do
        lw LWRAP_LOGS=$mode LWRAP_SSM_TLS_KEY=/pem LWRAP_SSM_ONE=/one -- "$PY" -c '
import os
print(os.environ["TLS_KEY"]); print(os.environ["ONE"], end=""); print(); print("after")'
        [ "$status" -eq 0 ]
        [[ $output != *MIIEvQ* && $output != *single-line* && $output == *after* ]] || { echo "$output"; false; }
        [ "$(grep -c '\*\*\*\*' <<<"$output")" -eq 2 ]
    done
}

@test "fetch: a fetched value is masked in lwrap's later lines whatever its name (LWRAP_ARGS, a preset)" {
    cat >data.json <<'JSON'
{"ssm": {"/dburl": "db-opaque-9f8e7d6c5b", "/jto": "-Dapp.tenant=tenant-7c1d2e3f"}}
JSON
    # (values no shape rule would call secret: only their being fetched says so)
    stand_in
    mkdir bin && printf '#!/bin/sh\necho ran\n' >bin/java && chmod +x bin/java
    lw LWRAP_DEBUG=1 LWRAP_SSM_DATABASE_URL=/dburl LWRAP_ARGS='--db=${DATABASE_URL}' LWRAP_ARGS_AT=end \
        LWRAP_SSM_JAVA_TOOL_OPTIONS=/jto LWRAP_PRESETS=java-fast-start -- "$PWD/bin/java" Main
    [ "$status" -eq 0 ]
    [[ $stderr == *"insert --db="* && $stderr == *"set JAVA_TOOL_OPTIONS="* ]] || { echo "$stderr"; false; }
    [[ $stderr != *9f8e7d6c5b* && $stderr != *7c1d2e3f* ]] || { echo "$stderr"; false; }
}
