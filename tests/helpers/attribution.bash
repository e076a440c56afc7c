# Request-id attribution where several invocations run at once (tests/preload-managed.bats):
# N invokes of the idlines handler (tests/fixtures/preload/handlers/idlines.*, Java
# lwrap.handlers.IdLines), each writing M lines that name their own invocation, and a
# checker (tests/fixtures/preload/check_ids.py) that reads every line's decoration.

# idlines_run LANG N M EVENT_JSON [EMU_OPTION...]: lambda-emu --log-format json with
# liblwrap.so preloaded (debug channel on: $OBSERVER_LOG), N invokes of idlines with
# EVENT_JSON (which says "lines":M). Leaves bats' $status, $output, $stderr.
idlines_run() {
    local lang=$1 n=$2 ev=$BATS_TEST_TMPDIR/idlines.json
    printf '%s' "$4" >"$ev"
    shift 4
    local -a events=() handler root
    local i
    for ((i = 0; i < n; i++)); do events+=(--event "$ev"); done
    case $lang in
    java)
        handler=$(handler_name java idLines)
        root=$BUILD/tests/java
        runtime_cmd java idLines || return 1
        ;;
    *)
        handler=idlines.handler
        root=$PRELOAD_FIXTURES/handlers
        runtime_cmd "$lang" || return 1
        ;;
    esac
    run --separate-stderr "$EMU" --log-format json --init-timeout 30 "${events[@]}" "$@" \
        --handler "$handler" --task-root "$root" "${PRELOAD_OPTS[@]}" -- "${RUNTIME_CMD[@]}"
}

# check_ids MODE N M [--all-right|--all-none]: every idline of $output attributed right
# or not at all (never to another invocation), each exactly once; prints the counts.
check_ids() {
    run_check_ids() { /usr/bin/python3 "$PRELOAD_FIXTURES/check_ids.py" "$@" <<<"$output"; }
    local out
    out=$(run_check_ids "$@") || { printf '%s\n' "$out"; return 1; }
    printf '%s\n' "$out"
    IDS_COUNTS=$(head -n 1 <<<"$out")
}

# ids_count NAME: NAME's value in the last check_ids' counts (right, none, wrong, ...).
ids_count() {
    tr ' ' '\n' <<<"$IDS_COUNTS" | awk -F= -v k="$1" '$1 == k { print $2 }'
}
