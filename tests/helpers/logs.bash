# The log pipeline's suites (tests/logs-*.bats): run a function through lambda-emu and
# lwrap with LWRAP_LOGS & co., and pick apart what arrived.

LOGS_FIXTURES=$REPO/tests/fixtures/logs

# logs_py EVENT_JSON... [-- EMU_OPTION...]: invoke tests/fixtures/logs/python/writes.py
# through lwrap (AWS_LAMBDA_EXEC_WRAPPER) under lambda-emu --log-format json. Pass lwrap
# settings as -e NAME=VALUE. Leaves $status, $output, $stderr.
logs_py() {
    logs_lang_run python writes "$LOGS_FIXTURES/python" "$@"
}

# logs_handler LANG NAME EVENT_JSON... [-- EMU_OPTION...]: a sample handler of LANG.
logs_handler() {
    local lang=$1 name=$2
    shift 2
    logs_lang_run "$lang" "$name" "$(handler_dir "$lang")" "$@"
}

logs_lang_run() {
    local lang=$1 name=$2 root=$3
    shift 3
    emu_event_files "$@"
    shift "$EMU_EVENTS_USED"
    runtime_cmd "$lang" "$name" || return 1
    run --separate-stderr "$EMU" --log-format json -e "AWS_LAMBDA_EXEC_WRAPPER=$LWRAP" "$@" \
        "${EMU_EVENT_ARGS[@]}" --handler "$(handler_name "$lang" "$name")" --task-root "$root" \
        -- "${RUNTIME_CMD[@]}"
}

# logs_events: the message of every function event (any stream), one JSON string a line.
logs_events() {
    emu_select '.type=="function"'
}

# logs_hex STRING: its bytes as hex (for {"writes": [[1, "..."]]}).
logs_hex() {
    printf '%s' "$1" | od -An -v -tx1 | tr -d ' \n'
}

# logs_build_native: compile the ctypes fixture once per run; prints its path.
logs_build_native() {
    local so=${BATS_RUN_TMPDIR:-/tmp}/lwrap-native-fixture.so
    [[ -s $so ]] || gcc -shared -fPIC -O1 -o "$so" "$LOGS_FIXTURES/native.c" || return 1
    printf '%s\n' "$so"
}

# logs_build_unit: compile tests/fixtures/logs/unit.c with the pipeline's pure pieces
# (no preload core needed) once per run; prints the program's path.
logs_build_unit() {
    local bin=${BATS_RUN_TMPDIR:-/tmp}/lwrap-logs-unit
    [[ -x $bin ]] || gcc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -O1 -I"$REPO/preload" \
        -o "$bin" "$LOGS_FIXTURES/unit.c" "$REPO"/preload/log_{parse,continuation,level,format_json,time,redact}.c ||
        return 1
    printf '%s\n' "$bin"
}
