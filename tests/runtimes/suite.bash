# The checks every tests/runtimes-<lang>.bats runs for its language (`load runtimes/suite`).
# Each rt_check_* function takes the language and asserts on lambda-emu's JSON output
# (helpers in tests/helpers/runtimes.bash).
# shellcheck disable=SC2154 # status, output and stderr are set by bats' run

# What each runtime's logger writes for `message` at LEVEL (an extended regex on the whole
# telemetry/stdout message; the trailing newline, if any, is allowed by the caller).
# python: [LEVEL]\tTIME\tID\tmsg   node: TIME\tID\tLEVEL\tmsg   java: msg
# ruby: L, [TIME #PID] LEVEL ID -- : msg
rt_log_regex() {
    local rt=$1 level=$2 id=$3 msg=$4 ts='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}'
    case $rt in
    python)
        [[ $level == WARN ]] && level=WARNING
        printf '^\\[%s\\]\t%sZ\t%s\t%s$' "$level" "$ts" "$id" "$msg"
        ;;
    node) printf '^%sZ\t%s\t%s\t%s$' "$ts" "$id" "$level" "$msg" ;;
    java) printf '^%s$' "$msg" ;;
    ruby) printf '^%s, \\[%s[0-9]{3}Z #[0-9]+\\] +%s %s -- : %s$' "${level:0:1}" "$ts" "$level" "$id" "$msg" ;;
    esac
}

# Fails with the emulator's output shown, for bats' failure report.
rt_fail() {
    printf '%s\n' "$*" "--- emulator stdout:" "$output" "--- emulator stderr:" "${stderr:-}" >&2
    return 1
}

rt_check_echo() {
    local rt=$1
    emu_invoke_events "$rt" echo '{"a":1,"s":"x\ny","u":"\u00e9"}' '[1,2.5,null,true]' '"text"'
    [ "$status" -eq 0 ] || rt_fail "emulator exit $status"
    [ "$(emu_select '.type=="response"' .status | sort | uniq -c | tr -s ' ')" = ' 3 "success"' ] || rt_fail "statuses"
    [ "$(emu_select '.type=="response"' .requestId | sort -u | wc -l)" -eq 3 ] || rt_fail "want 3 request ids"
    run -0 jq -cS . < <(emu_responses)
    [ "$output" = "$(printf '%s\n' '{"a":1,"s":"x\ny","u":"é"}' '[1,2.5,null,true]' '"text"')" ] || rt_fail "responses"
}

# print goes to stdout, the logger to telemetry frames with the level bits, stderr to stderr.
rt_check_log_telemetry() {
    local rt=$1 id
    emu_invoke "$rt" log '{"lines":["hello","world"],"level":"WARN","stderr":["to stderr"]}'
    [ "$status" -eq 0 ] || rt_fail "emulator exit $status"
    id=$(emu_select '.type=="response"' .requestId | jq -r .)
    [ "$(emu_stream stdout)" = "$(printf 'hello\nworld')" ] || rt_fail "stdout"
    [ "$(emu_stream stderr)" = "to stderr" ] || rt_fail "stderr"
    # (Which invoke the emulator attributes an event to is its own suite's business.)
    [ "$(emu_select '.stream=="telemetry"' '[.level,.frameType,.format]')" = \
        "$(printf '%s\n' '["WARN","0xA55A0013","text"]' '["WARN","0xA55A0013","text"]')" ] || rt_fail "frame types"
    local msgs line want
    mapfile -t msgs < <(emu_select '.stream=="telemetry"' '.message | rtrimstr("\n")' | jq -r .)
    [ "${#msgs[@]}" -eq 2 ] || rt_fail "want 2 telemetry events"
    for line in hello world; do
        want=$(rt_log_regex "$rt" WARN "$id" "$line")
        [[ ${msgs[0]} =~ $want ]] || rt_fail "telemetry '${msgs[0]}' !~ '$want'"
        msgs=("${msgs[@]:1}")
    done
}

# Without the fd the logger's lines are text lines on stdout, between the prints.
rt_check_log_stdout() {
    local rt=$1 id
    emu_invoke "$rt" log '{"lines":["hello"],"level":"ERROR"}' --no-telemetry-fd
    [ "$status" -eq 0 ] || rt_fail "emulator exit $status"
    id=$(emu_select '.type=="response"' .requestId | jq -r .)
    [ -z "$(emu_select '.stream=="telemetry"')" ] || rt_fail "telemetry events without an fd"
    local lines
    mapfile -t lines < <(emu_stream stdout)
    [ "${#lines[@]}" -eq 2 ] || rt_fail "want 2 stdout events"
    [ "${lines[0]}" = hello ] || rt_fail "print line"
    [[ ${lines[1]} =~ $(rt_log_regex "$rt" ERROR "$id" hello) ]] || rt_fail "log line '${lines[1]}'"
}

rt_check_log_json() {
    local rt=$1 id
    emu_invoke "$rt" log '{"log":["structured"],"level":"INFO"}' -e AWS_LAMBDA_LOG_FORMAT=JSON
    [ "$status" -eq 0 ] || rt_fail "emulator exit $status"
    id=$(emu_select '.type=="response"' .requestId | jq -r .)
    [ "$(emu_select '.stream=="telemetry"' '[.frameType,.format,.level]')" = '["0xA55A000E","json","INFO"]' ] ||
        rt_fail "json frame"
    run -0 jq -c '[.message,.level]' < <(emu_select '.stream=="telemetry"' '.message' | jq -r .)
    [ "$output" = '["structured","INFO"]' ] || rt_fail "json record"
}

rt_check_error() {
    local rt=$1 id body file
    emu_invoke "$rt" error '{"message":"it broke"}'
    [ "$status" -eq 0 ] || rt_fail "emulator exit $status"
    id=$(emu_select '.type=="response"' .requestId | jq -r .)
    [ "$(emu_select '.type=="response"' '[.status,.errorType]')" = "[\"error\",\"$(handler_error_type "$rt")\"]" ] ||
        rt_fail "response status/errorType"
    body=$(emu_select '.type=="response"' .body | jq -r .)
    [ "$(jq -r '.errorMessage' <<<"$body")" = "it broke" ] || rt_fail "errorMessage"
    [ "$(jq -r '.errorType' <<<"$body")" = "$(handler_error_type "$rt")" ] || rt_fail "errorType in body"
    case $rt in
    python) file='error.py", line [0-9]+, in fail' ;;
    node) file='at fail \(.*/error.mjs:[0-9]+' ;;
    java) file='^lwrap\.handlers\.Error\.fail\(Error\.java:[0-9]+\)$' ;;
    ruby) file='error.rb:[0-9]+:in .fail_with' ;;
    esac
    jq -r '.stackTrace[]' <<<"$body" | grep -Eq "$file" || rt_fail "stack trace lacks $file"
    # The runtime also logs the error, as one ERROR record.
    [ "$(emu_select '.stream=="telemetry"' .level)" = '"ERROR"' ] || rt_fail "error record"
    # (python's record, like awslambdaric's, is "[ERROR] Type: message" + traceback, without the id)
    [[ $(emu_select '.stream=="telemetry"' .message) == *"$id"* || $rt == python ]] || rt_fail "error record lacks the request id"
}

# A multi-line logger record is one telemetry event; printed lines are one event each.
rt_check_multiline() {
    local rt=$1 rec
    emu_invoke "$rt" multiline '{}'
    [ "$status" -eq 0 ] || rt_fail "emulator exit $status"
    [ "$(emu_stream stdout)" = "$(printf 'record line %s\n' 1 2 3 | head -c -1)" ] || rt_fail "stdout"
    [ "$(emu_select '.stream=="stdout"' | wc -l)" -eq 3 ] || rt_fail "want 3 stdout events"
    [ "$(emu_select '.stream=="telemetry"' .level)" = "$(printf '"INFO"\n"ERROR"')" ] || rt_fail "levels"
    rec=$(emu_select '.stream=="telemetry" and .level=="INFO"' .message | jq -r .)
    [[ $rec == *$'record line 1\nrecord line 2\nrecord line 3'* ]] || rt_fail "record not whole: $rec"
    rec=$(emu_select '.stream=="telemetry" and .level=="ERROR"' .message | jq -r .)
    [[ $rec == *caught* && $(wc -l <<<"$rec") -ge 3 ]] || rt_fail "traceback not one record: $rec"
    [ "$(emu_select '.stream=="stderr"' | wc -l)" -ge 3 ] || rt_fail "stderr traceback lines"
}

# N invokes in flight at once: each sleep invoke waits at a rendezvous until all N arrived.
rt_check_concurrency() {
    local rt=$1 n=3 ev
    mkdir "$BATS_TEST_TMPDIR/barrier"
    ev=$(jq -cn --arg d "$BATS_TEST_TMPDIR/barrier" --argjson n $n '{barrier:$d,count:$n,ms:20000}')
    emu_invoke_events "$rt" sleep "$ev" "$ev" "$ev" -- --concurrency $n --timeout 30
    [ "$status" -eq 0 ] || rt_fail "emulator exit $status"
    [ "$(emu_select '.type=="response"' '[.status,(.body|fromjson|.peers)]' | sort -u)" = "[\"success\",$n]" ] ||
        rt_fail "not all $n invokes were in flight together"
}

# AWS_LAMBDA_EXEC_WRAPPER: a shell wrapper that adds a runtime argument right after the
# interpreter; the runtime's real argv shows it, and the handler sees the wrapper's variable.
rt_check_exec_wrapper() {
    local rt=$1 arg
    case $rt in
    python) arg='-Xlwrap_test' ;;
    node) arg='--no-deprecation' ;;
    java) arg='-Dlwrap.test=1' ;;
    ruby) arg='-W0' ;;
    esac
    cat >wrapper <<EOF
#!/bin/sh
prog=\$1
shift
export WRAPPED_BY=test-wrapper
exec "\$prog" '$arg' "\$@"
EOF
    chmod +x wrapper
    emu_invoke "$rt" env '{"names":["WRAPPED_BY","_X_AMZN_TRACE_ID","AWS_LAMBDA_RUNTIME_API"]}' \
        -e AWS_LAMBDA_EXEC_WRAPPER="$PWD/wrapper"
    [ "$status" -eq 0 ] || rt_fail "emulator exit $status"
    local body
    body=$(emu_responses)
    runtime_cmd "$rt" env
    # argv[0] is left out: an interpreter may re-exec itself under its full path.
    [ "$(jq -c '.argv[1:]' <<<"$body")" = "$(printf '%s\n' "$arg" "${RUNTIME_CMD[@]:1}" | jq -R . | jq -cs .)" ] ||
        rt_fail "argv: $(jq -c .argv <<<"$body")"
    [ "$(jq -r .env.WRAPPED_BY <<<"$body")" = test-wrapper ] || rt_fail "wrapper variable"
    [[ $(jq -r .env._X_AMZN_TRACE_ID <<<"$body") == Root=* ]] || rt_fail "_X_AMZN_TRACE_ID not set"
    [[ $(jq -r .env.AWS_LAMBDA_RUNTIME_API <<<"$body") == 127.0.0.1:* ]] || rt_fail "runtime API"
}

# A child's output into a pipe comes back byte for byte (NUL included).
rt_check_subprocess() {
    local rt=$1
    emu_invoke "$rt" subprocess '{}'
    [ "$status" -eq 0 ] || rt_fail "emulator exit $status"
    [ "$(emu_responses | jq -c .)" = '{"hex":"6100620a","status":0}' ] || rt_fail "subprocess bytes"
}

# The runtime reads _LAMBDA_TELEMETRY_LOG_FD and removes it from its environment
# (not Java: a JVM cannot change its own environment).
rt_check_telemetry_var_removed() {
    local rt=$1
    emu_invoke "$rt" env '{"names":["_LAMBDA_TELEMETRY_LOG_FD"]}'
    [ "$status" -eq 0 ] || rt_fail "emulator exit $status"
    [ "$(emu_responses | jq -c .env)" = '{"_LAMBDA_TELEMETRY_LOG_FD":null}' ] || rt_fail "variable still set"
}

rt_check_init_error() {
    local rt=$1 handler
    handler=$(handler_name "$rt" no_such_module)
    runtime_cmd "$rt" no_such_module
    echo '{}' >event.json
    run --separate-stderr "$EMU" --log-format json --event event.json --handler "$handler" \
        --task-root "$(handler_dir "$rt")" -- "${RUNTIME_CMD[@]}"
    [ "$status" -eq 2 ] || rt_fail "emulator exit $status, want 2 (init failed)"
    local types
    types=$(emu_select '.type=="platform.initError"' .errorType | sort -u)
    [[ -n $types && $types != null ]] || rt_fail "no initError"
    case $rt in
    python | node) [ "$types" = '"Runtime.ImportModuleError"' ] || rt_fail "errorType $types" ;;
    java) [ "$types" = '"Runtime.ClassNotFound"' ] || rt_fail "errorType $types" ;;
    ruby) [ "$types" = '"Init<LoadError>"' ] || rt_fail "errorType $types" ;;
    esac
}

rt_check_crash_exit() {
    local rt=$1
    emu_invoke "$rt" crash '{"how":"exit","code":7}'
    [ "$status" -eq 0 ] || rt_fail "emulator exit $status"
    [ "$(emu_select '.type=="platform.runtimeExit"' .message)" = '"Runtime exited with error: exit status 7"' ] ||
        rt_fail "runtimeExit"
    [ "$(emu_select '.type=="response"' .status)" = '"crash"' ] || rt_fail "response status"
}

# A real SIGSEGV inside the runtime process (python: ctypes NULL read).
rt_check_crash_segfault() {
    local rt=$1
    emu_invoke "$rt" crash '{"how":"segfault"}'
    [ "$status" -eq 0 ] || rt_fail "emulator exit $status"
    [[ $(emu_select '.type=="platform.runtimeExit"' .message) == '"Runtime exited with error: signal: segmentation fault'* ]] ||
        rt_fail "runtimeExit"
}
