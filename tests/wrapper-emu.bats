#!/usr/bin/env bats
# End to end: lwrap as AWS_LAMBDA_EXEC_WRAPPER under lambda-emu, in front of the real
# python3, node, java and ruby test runtimes (AWS-shaped command lines).
load test_helper

setup() {
    lwrap_test_setup
    wr_emu_ready
    FAKELIB=$(wr_fake_lib "$BATS_TEST_TMPDIR/lib/liblwrap.so")
}

ENV_EVENT='{"names":["FOO","NODE_OPTIONS","JAVA_TOOL_OPTIONS","LD_PRELOAD","PATH"]}'

@test "python: same PID, edits and LWRAP_ARGS reach the runtime, the invoke succeeds" {
    runtime_cmd python
    wr_emu env.handler "$HANDLERS/python" "$ENV_EVENT" -e LWRAP_SET_FOO=bar -e LWRAP_ARGS='-X dev' \
        -e LWRAP_PREPEND_PATH=/opt/wr-bin -- "${RUNTIME_CMD[@]}"
    [ "$status" -eq 0 ]
    [ "$(emu_select '.type=="response"' .status)" = '"success"' ]
    [ "$(wr_body .pid)" = "$(cat "$WR_PIDFILE")" ]
    [ "$(wr_body .argv)" = "$(wr_json_array "${RUNTIME_CMD[0]}" -X dev "${RUNTIME_CMD[1]}")" ]
    [ "$(wr_body .env.FOO)" = '"bar"' ]
    [[ $(wr_body .env.PATH) == '"/opt/wr-bin:'* ]]
}

@test "python-importtime: real importtime output from the runtime, preload injected" {
    runtime_cmd python
    wr_emu env.handler "$HANDLERS/python" "$ENV_EVENT" -e LWRAP_PRESETS=python-importtime \
        -e LWRAP_PRELOAD_PATH="$FAKELIB" -- "${RUNTIME_CMD[@]}"
    [ "$status" -eq 0 ]
    [ "$(wr_body '.argv[1:3]')" = '["-X","importtime"]' ]
    [ "$(wr_body .env.LD_PRELOAD)" = "\"$FAKELIB\"" ]
    emu_stream stderr >importtime.txt
    grep -qx 'import time: self \[us\] | cumulative | imported package' importtime.txt
    grep -qE '^import time: +[0-9]+ \| +[0-9]+ \| +json$' importtime.txt
}

@test "python -m awslambdaric app.handler (AWS's client command line): LWRAP_ARGS_AT=script goes before -m" {
    runtime_python3
    wr_emu env.handler "$HANDLERS/python" '{"names":["PYTHONDEVMODE"]}' -e PYTHONPATH="$FIXTURES/wrapper" \
        -e LWRAP_ARGS='-X dev' -e LWRAP_ARGS_AT=script -- "$RUNTIME_PYTHON3" -m awslambdaric env.handler
    [ "$status" -eq 0 ]
    [ "$(emu_select '.type=="response"' .status)" = '"success"' ]
    [ "$(wr_body .argv)" = "$(wr_json_array "$RUNTIME_PYTHON3" -X dev -m awslambdaric env.handler)" ]
}

@test "node: two --require modules from LWRAP_APPEND_NODE_OPTIONS and NODE_OPTIONS are both loaded" {
    runtime_cmd node
    mkdir task
    cp "$HANDLERS/node/env.mjs" task/
    for m in a b c; do printf 'process.env.LOADED = (process.env.LOADED || "") + "%s";\n' "$m" >"task/$m.cjs"; done
    wr_emu env.handler "$PWD/task" '{"names":["LOADED","NODE_OPTIONS"]}' -e NODE_OPTIONS="--require $PWD/task/a.cjs" \
        -e LWRAP_PREPEND_NODE_OPTIONS="--require $PWD/task/b.cjs" \
        -e LWRAP_APPEND_NODE_OPTIONS="--require $PWD/task/c.cjs --require $PWD/task/a.cjs" -- "${RUNTIME_CMD[@]}"
    [ "$status" -eq 0 ]
    [ "$(wr_body .env.LOADED)" = '"bca"' ]
    [ "$(wr_body .env.NODE_OPTIONS)" = "\"--require $PWD/task/b.cjs --require $PWD/task/c.cjs --require $PWD/task/a.cjs\"" ]
}

@test "AWS's Node.js client (aws-lambda-ric): --require modules from NODE_OPTIONS and LWRAP_APPEND_NODE_OPTIONS all load" {
    local ric
    ric=$("$REPO/scripts/prepare-ric" 2>/dev/null) || skip "aws-lambda-ric not prepared"
    [ -f "$ric/node_modules/aws-lambda-ric/index.mjs" ] || skip "aws-lambda-ric not prepared"
    mkdir task
    cp "$HANDLERS/node/env.mjs" task/
    for m in a b; do printf 'process.env.LOADED = (process.env.LOADED || "") + "%s";\n' "$m" >"task/$m.cjs"; done
    wr_emu env.handler "$PWD/task" '{"names":["LOADED","NODE_OPTIONS"]}' -e NODE_OPTIONS="--require $PWD/task/a.cjs" \
        -e LWRAP_APPEND_NODE_OPTIONS="--require $PWD/task/a.cjs --require $PWD/task/b.cjs" \
        -- node "$ric/node_modules/aws-lambda-ric/index.mjs" env.handler
    [ "$status" -eq 0 ]
    [ "$(emu_select '.type=="response"' .status)" = '"success"' ]
    [ "$(wr_body .env.LOADED)" = '"ab"' ]
    [ "$(wr_body .env.NODE_OPTIONS)" = "\"--require $PWD/task/a.cjs --require $PWD/task/b.cjs\"" ]
}

@test "node: node-source-maps and LWRAP_ARGS at script position, on AWS's node command line" {
    runtime_cmd node
    wr_emu env.handler "$HANDLERS/node" "$ENV_EVENT" -e LWRAP_PRESETS=node-source-maps \
        -e LWRAP_ARGS=--stack-size=2000 -e LWRAP_ARGS_AT=script -e NODE_OPTIONS=--max-old-space-size=200 \
        -- "${RUNTIME_CMD[@]}"
    [ "$status" -eq 0 ]
    [ "$(wr_body .pid)" = "$(cat "$WR_PIDFILE")" ]
    [ "$(wr_body .argv)" = "$(wr_json_array node --expose-gc --max-http-header-size 81920 \
        --stack-size=2000 "$RUNTIMES/node/index.mjs")" ]
    [ "$(wr_body .env.NODE_OPTIONS)" = '"--max-old-space-size=200 --enable-source-maps"' ]
}

@test "java: java-fast-start on Java 11's command line, visible in the JVM's final flags" {
    runtime_cmd java env
    # Java 11's shape: tiered compilation off on the command line
    cmd=("${RUNTIME_CMD[@]/-XX:+TieredCompilation/-XX:-TieredCompilation}")
    cmd=("${cmd[@]/-XX:TieredStopAtLevel=1/-XX:+PrintFlagsFinal}")
    wr_emu "$(handler_name java env)" "$(handler_dir java)" "$ENV_EVENT" -e LWRAP_PRESETS=java-fast-start \
        -- "${cmd[@]}"
    [ "$status" -eq 0 ]
    [ "$(wr_body .pid)" = "$(cat "$WR_PIDFILE")" ]
    [[ $(wr_body .argv) != *TieredCompilation* ]]
    [ "$(wr_body .env.JAVA_TOOL_OPTIONS)" = '"-XX:+TieredCompilation -XX:TieredStopAtLevel=1"' ]
    emu_stream stdout >flags.txt
    grep -qE '^ +bool TieredCompilation +=  ?true ' flags.txt
    grep -qE '^ +intx TieredStopAtLevel += 1 ' flags.txt
}

@test "ruby: ruby-frozen-strings really freezes string literals in the handler" {
    runtime_cmd ruby
    wr_emu frozen.handler "$FIXTURES/wrapper/handlers" '{}' -- "${RUNTIME_CMD[@]}"
    [ "$(emu_responses)" = '{"frozen":false}' ]
    wr_emu frozen.handler "$FIXTURES/wrapper/handlers" '{}' -e LWRAP_PRESETS=ruby-frozen-strings -- "${RUNTIME_CMD[@]}"
    [ "$status" -eq 0 ]
    [ "$(emu_responses)" = '{"frozen":true}' ]
}

@test "a configuration error is one stderr event; the runtime still starts and answers" {
    runtime_cmd python
    wr_emu echo.handler "$HANDLERS/python" '{"a":1}' -e LWRAP_ARGS_AT=middle -- "${RUNTIME_CMD[@]}"
    [ "$status" -eq 0 ]
    [ "$(emu_stream stderr | grep '^lwrap: ')" = 'lwrap: LWRAP_ARGS_AT: unknown position "middle" (want interpreter, script or end); ignored' ]
    [ "$(emu_responses)" = '{"a": 1}' ] || [ "$(emu_responses)" = '{"a":1}' ]
}

@test "the runtime's exit status and fatal signal reach Lambda unchanged through lwrap" {
    runtime_cmd python
    wr_emu crash.handler "$HANDLERS/python" '{"how":"exit","code":7}' -- "${RUNTIME_CMD[@]}"
    [ "$(emu_select '.type=="platform.runtimeExit"')" = '"Runtime exited with error: exit status 7"' ]
    wr_emu crash.handler "$HANDLERS/python" '{"how":"kill","signal":9}' -- "${RUNTIME_CMD[@]}"
    [ "$(emu_select '.type=="platform.runtimeExit"')" = '"Runtime exited with error: signal: killed"' ]
}

@test "custom runtime: lwrap as the function's bootstrap runs LWRAP_BOOTSTRAP with presets" {
    runtime_python3
    mkdir task
    cp "$HANDLERS/python/env.py" task/
    ln -s "$LWRAP" task/bootstrap
    run --separate-stderr "$EMU" --log-format json --event <(printf '%s' "$ENV_EVENT") --handler env.handler \
        --task-root "$PWD/task" -e LWRAP_BOOTSTRAP="$RUNTIME_PYTHON3 $RUNTIMES/python/bootstrap.py" \
        -e LWRAP_PRESETS=python-faulthandler -e LWRAP_SET_FOO=custom -- "$PWD/task/bootstrap"
    [ "$status" -eq 0 ]
    [ "$(wr_body .argv)" = "$(wr_json_array "$RUNTIME_PYTHON3" -X faulthandler "$RUNTIMES/python/bootstrap.py")" ]
    [ "$(wr_body .env.FOO)" = '"custom"' ]
}

@test "with the real liblwrap.so: settings from lwrap.conf and the start time reach the runtime" {
    [ -f "$LIBLWRAP" ]
    runtime_cmd python
    mkdir task
    cp "$HANDLERS/python/env.py" task/
    echo 'LWRAP_LOGS=text' >task/lwrap.conf
    wr_emu env.handler "$PWD/task" '{"names":["LWRAP_LOGS","_LWRAP_START_NS"]}' -e LWRAP_TRACE=text \
        -- "${RUNTIME_CMD[@]}"
    [ "$status" -eq 0 ]
    [ "$(emu_select '.type=="response"' .status)" = '"success"' ]
    [ "$(wr_body .env.LWRAP_LOGS)" = '"text"' ]
    [[ $(wr_body .env._LWRAP_START_NS) =~ ^\"[0-9]+\"$ ]]
}
