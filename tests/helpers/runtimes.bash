# Test runtimes and sample handlers (tests/runtimes, tests/handlers): how to start each
# language's runtime the way AWS does, and how to invoke a sample handler through lambda-emu.
# LANG is one of: python node java ruby (RUNTIME_LANGS). Handler NAMEs are the same in every
# language: echo log error multiline sleep crash subprocess env, plus stream and callback (node).
# shellcheck disable=SC2154 # status, output and stderr are set by bats' run

RUNTIME_LANGS=(python node java ruby)

# handler_name LANG NAME: the _HANDLER string for a sample handler.
#   python/node/ruby: NAME.handler      java: lwrap.handlers.<Name>::handleRequest
handler_name() {
    case $1 in
    java) printf 'lwrap.handlers.%s::handleRequest\n' "${2^}" ;;
    *) printf '%s.handler\n' "$2" ;;
    esac
}

# handler_dir LANG: the task root holding the sample handlers (java: the compiled classes).
handler_dir() {
    case $1 in
    java) printf '%s\n' "$BUILD/tests/java" ;;
    *) printf '%s\n' "$HANDLERS/$1" ;;
    esac
}

# runtime_python3: the real python3 binary (cached in RUNTIME_PYTHON3; set it to choose
# another). Not a version manager's shim: pyenv's `python3` is a bash script, and an exec
# wrapper or preload would meet bash first, where AWS runs /var/lang/bin/python3.x directly.
# Resolved once per bats run (asking a shim costs about half a second).
runtime_python3() {
    [[ -n ${RUNTIME_PYTHON3:-} ]] && return 0
    local cache=${BATS_RUN_TMPDIR:-/tmp}/runtime_python3
    if [[ -s $cache ]]; then
        RUNTIME_PYTHON3=$(<"$cache")
        return 0
    fi
    RUNTIME_PYTHON3=$(python3 -c 'import sys; print(sys.executable)') || return 1
    printf '%s\n' "$RUNTIME_PYTHON3" >"$cache.$$" && mv -f "$cache.$$" "$cache"
}

# runtime_cmd LANG [NAME]: sets the array RUNTIME_CMD to the runtime's command line, shaped
# like AWS's. Java takes its handler as the last argument (as AWS's Java runtime does):
# NAME (default echo) picks it; the other runtimes read _HANDLER and ignore NAME.
runtime_cmd() {
    case $1 in
    python)
        runtime_python3 || return 1
        RUNTIME_CMD=("$RUNTIME_PYTHON3" "$RUNTIMES/python/bootstrap.py")
        ;;
    node) RUNTIME_CMD=(node --expose-gc --max-http-header-size 81920 "$RUNTIMES/node/index.mjs") ;;
    java) RUNTIME_CMD=(java -XX:+UseSerialGC -Xshare:auto -XX:+TieredCompilation -XX:TieredStopAtLevel=1
        -classpath "$BUILD/tests/java" lwrap.runtime.Main "$(handler_name java "${2:-echo}")") ;;
    ruby) RUNTIME_CMD=(ruby "$RUNTIMES/ruby/index.rb") ;;
    *)
        echo "runtime_cmd: unknown language '$1' (want: ${RUNTIME_LANGS[*]})" >&2
        return 1
        ;;
    esac
}

# handler_error_type LANG: the errorType the `error` handler reports in LANG.
handler_error_type() {
    case $1 in
    python | node) echo HandlerError ;;
    java) echo lwrap.handlers.HandlerError ;;
    ruby) echo 'Function<HandlerError>' ;;
    esac
}

# emu_args LANG NAME: sets the array EMU_ARGS to the emulator options and runtime command
# for sample handler NAME (everything after the emulator's own options, starting with
# --handler ... and ending with -- RUNTIME_CMD...). Put more options before "${EMU_ARGS[@]}".
emu_args() {
    runtime_cmd "$1" "$2" || return 1
    EMU_ARGS=(--handler "$(handler_name "$1" "$2")" --task-root "$(handler_dir "$1")" -- "${RUNTIME_CMD[@]}")
}

# emu_invoke LANG NAME EVENT_JSON [EMU_OPTION...]: one invoke of sample handler NAME through
# lambda-emu with --log-format json. Leaves bats' $status, $output (the JSON event lines)
# and $stderr. Options go before the runtime command (e.g. --no-telemetry-fd, -e N=V).
emu_invoke() {
    local lang=$1 name=$2 event=$3
    shift 3
    emu_invoke_events "$lang" "$name" "$event" -- "$@"
}

# emu_invoke_events LANG NAME EVENT_JSON... [-- EMU_OPTION...]: several invokes in a row,
# one emulator run (one runtime start: cheap for Java). Same results as emu_invoke.
# Both give init 30 s instead of Lambda's 10 (a loaded 2-core CI machine can take several
# seconds to start node or a JVM); a test's own --init-timeout comes later and wins.
emu_invoke_events() {
    local lang=$1 name=$2
    shift 2
    emu_event_files "$@"
    shift "$EMU_EVENTS_USED"
    emu_args "$lang" "$name" || return 1
    run --separate-stderr "$EMU" --log-format json --init-timeout 30 "$@" "${EMU_EVENT_ARGS[@]}" "${EMU_ARGS[@]}"
}

# emu_event_files EVENT_JSON... [-- ...]: write each event to its own file; sets
# EMU_EVENT_ARGS (--event FILE ...) and EMU_EVENTS_USED (arguments to shift, `--` included).
emu_event_files() {
    local n=0 f
    EMU_EVENT_ARGS=()
    # Out of the way of tests that look at their (initially empty) directory.
    mkdir -p "$BATS_TEST_TMPDIR/.emu-events"
    while (($#)) && [[ $1 != -- ]]; do
        f=$BATS_TEST_TMPDIR/.emu-events/$n.json
        printf '%s' "$1" >"$f"
        EMU_EVENT_ARGS+=(--event "$f")
        n=$((n + 1))
        shift
    done
    EMU_EVENTS_USED=$n
    [[ ${1:-} == -- ]] && EMU_EVENTS_USED=$((n + 1))
    return 0
}

# emu_select JQ_CONDITION [FIELD]: from $output (emulator JSON lines), print FIELD (default
# .message) of each event matching the condition, one compact JSON value per line
# (strings quoted, so embedded newlines stay visible as \n). Non-JSON lines are skipped.
#   emu_select '.type=="response"' .body
#   emu_select '.type=="function" and .stream=="telemetry"'
emu_select() {
    local field=${2:-.message}
    jq -c -R "fromjson? | select($1) | $field" <<<"$output"
}

# emu_responses: the body of each response event, raw (one per line), in order.
emu_responses() {
    jq -r -R 'fromjson? | select(.type=="response") | .body' <<<"$output"
}

# emu_stream STREAM: the raw message of each function event on STREAM (stdout, stderr,
# telemetry), one per line (a multi-line message prints as several lines: use emu_select
# to keep events apart).
emu_stream() {
    jq -r -R --arg s "$1" 'fromjson? | select(.type=="function" and .stream==$s) | .message' <<<"$output"
}
