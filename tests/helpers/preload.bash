# Preload core suites (tests/preload-*.bats): run handlers through lambda-emu with
# liblwrap.so preloaded, and read what the Runtime API observer derived from its debug
# channel (LWRAP_OBSERVER_LOG, one line per event: `<event> pid=N tid=N key=value...`).

PRELOAD_FIXTURES=$REPO/tests/fixtures/preload

# preload_opts [NAME=VALUE...]: sets PRELOAD_OPTS, the emulator options that preload
# liblwrap.so with its debug channel on (file $OBSERVER_LOG) and set the given variables.
preload_opts() {
    OBSERVER_LOG=$BATS_TEST_TMPDIR/observer.log
    PRELOAD_OPTS=(-e "LD_PRELOAD=$LIBLWRAP" -e "LWRAP_OBSERVER_LOG=$OBSERVER_LOG")
    local kv
    for kv in "$@"; do
        PRELOAD_OPTS+=(-e "$kv")
    done
}

# observer_field EVENT FIELD: FIELD's value on each EVENT line of the debug channel.
observer_field() {
    awk -v ev="$1" -v key="$2=" '$1 == ev {
        for (i = 2; i <= NF; i++) if (index($i, key) == 1) print substr($i, length(key) + 1) }' \
        "$OBSERVER_LOG"
}

# observer_out: "<attributed id> <data>" for each write to stdout/stderr the channel saw.
observer_out() {
    awk '$1 == "out" { id = ""; for (i = 2; i <= NF; i++) if ($i ~ /^id=/) id = substr($i, 4)
        sub(/^.* data=/, ""); print id, $0 }' "$OBSERVER_LOG"
}

# emu_ids TYPE: the requestId of each emulator JSON event of TYPE in $output, in order.
emu_ids() {
    jq -r --arg t "$1" 'select(.type == $t) | .requestId' <<<"$output"
}

# emu_fixture_runtime [EMU_OPTION...] -- CMD...: lambda-emu (JSON) with the preload and
# three invokes of {"a":1}; leaves bats' $status, $output, $stderr.
emu_three() {
    printf '{"a":1}' >"$BATS_TEST_TMPDIR/a.json"
    local ev=(--event "$BATS_TEST_TMPDIR/a.json")
    run --separate-stderr "$EMU" --log-format json "${ev[@]}" "${ev[@]}" "${ev[@]}" "$@"
}

# assert_lifecycle_matches N: the observer saw exactly the emulator's N invocations: one
# start each, every id the emulator's, never a stray event; and one end each, except that
# the last end may be missing: the emulator kills the runtime as soon as the last
# response has arrived, which can be before the hook that sent it logs the end.
assert_lifecycle_matches() {
    local want starts ends
    want=$(emu_ids platform.start | sort)
    starts=$(observer_field start id | sort)
    ends=$(observer_field end id | sort)
    [ "$(wc -l <<<"$want")" -eq "$1" ]
    [ "$starts" = "$want" ] || { echo "starts: $starts"; echo "want: $want"; return 1; }
    [ -z "$(comm -13 <(echo "$want") <(echo "$ends"))" ] # no end for an unknown id
    [ "$(sort -u <<<"$ends" | wc -l)" -eq "$(wc -l <<<"$ends")" ] # none twice
    [ "$(wc -l <<<"$ends")" -ge $(($1 - 1)) ]
    [ "$(observer_field ready pid | wc -l)" -eq 1 ]
    ! grep -Eq '^(lost|end-unknown|start-untracked) ' "$OBSERVER_LOG"
}

# assert_out_attributed PREFIX: every write whose data is "PREFIX <id>..." was attributed
# to that very id (and there was at least one).
assert_out_attributed() {
    local lines
    lines=$(observer_out | awk -v p="$1" '$2 == p')
    [ -n "$lines" ]
    awk '{ d = $3; sub(/\\x0a$/, "", d); if ($1 != d) { print "misattributed: " $0; bad = 1 } }
         END { exit bad }' <<<"$lines"
}

# assert_out_never_wrong PREFIX: writes "PREFIX <id>" carry that id or none ("-"), never
# another invocation's (several in flight that the writing thread did not fetch).
assert_out_never_wrong() {
    observer_out | awk -v p="$1" '$2 == p { d = $3; sub(/\\x0a$/, "", d)
        if ($1 != d && $1 != "-") { print "misattributed: " $0; bad = 1 } } END { exit bad }'
}
