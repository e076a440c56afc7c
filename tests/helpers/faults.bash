# The fault suite (tests/preload-faults.bats): programs run with and without liblwrap.so
# while something fails around them (tests/fixtures/faults), and their fates compared.
# shellcheck disable=SC2154 # status and output are set by bats' run

FAULTS_FIX=$FIXTURES/faults

# faults_build NAME...: compile tests/fixtures/faults/NAME.c once per bats run into
# $FAULTS_BIN (NAME ending in .so: a shared library built from NAME without .so).
faults_build() {
    FAULTS_BIN=${BATS_RUN_TMPDIR:-/tmp}/faults
    mkdir -p "$FAULTS_BIN"
    local name src
    for name in "$@"; do
        [[ -e $FAULTS_BIN/$name ]] && continue
        src=$FAULTS_FIX/${name%.so}.c
        if [[ $name == *.so ]]; then
            gcc -std=c11 -D_GNU_SOURCE -O1 -Wall -Wextra -Werror -shared -fPIC -o "$FAULTS_BIN/$name.$$" "$src" -ldl || return 1
        else
            gcc -std=c11 -D_GNU_SOURCE -O1 -Wall -Wextra -Werror -pthread -o "$FAULTS_BIN/$name.$$" "$src" -ldl || return 1
        fi
        mv -f "$FAULTS_BIN/$name.$$" "$FAULTS_BIN/$name"
    done
}

# fate_emu NAME EMU_OPTION... -- CMD...: one lambda-emu run (--log-format json, under a
# timeout); leaves NAME.out (its JSON lines), NAME.err, and NAME.fate: what the run came
# to without lwrap's decoration (tests/fixtures/faults/emu_fate.py), and NAME.lwrap:
# lwrap's own lines (trace record, "lwrap: ..." lines).
fate_emu() {
    local name=$1 st=0
    shift
    timeout -k 5 120 "$EMU" --log-format json --init-timeout 30 "$@" >"$name.out" 2>"$name.err" || st=$?
    "$EMU_PY" "$FAULTS_FIX/emu_fate.py" "$name.out" "$st" >"$name.fate" 2>"$name.lwrap"
}

# fate_same A B: the two runs' fates are the same; else the difference, and fail.
fate_same() {
    if ! diff -u "$1.fate" "$2.fate"; then
        echo "--- $2.err:"
        head -c 2000 "$2.err"
        return 1
    fi
}

# diff_check_env PROG MODE NAME=VALUE...: diff_check with settings for both runs.
diff_check_env() {
    local prog=$1 mode=$2
    shift 2
    local -a envs=()
    local kv
    for kv in "$@"; do envs+=(--env "$kv"); done
    run diff_harness check "$prog" "$mode" "${envs[@]}" --lib "$LIBLWRAP" --ref "$BATS_FILE_TMPDIR/ref" \
        --out "$BATS_TEST_TMPDIR" --cache "${BATS_RUN_TMPDIR:-/tmp}/differential"
    printf '%s\n' "$output"
    [ "$status" -eq 0 ]
}

# faults_small_table_lib: liblwrap.so built with a 1024-fd observer table (preload/fdtab.h)
# into $BATS_RUN_TMPDIR, once per run; prints its path. Where RLIMIT_NOFILE cannot be raised
# past 65536, an fd past this table stands in for one past the real one.
faults_small_table_lib() {
    local dir=${BATS_RUN_TMPDIR:-/tmp}/fdtab-1024
    [[ -s $dir/liblwrap.so ]] ||
        make -s -C "$REPO" -j2 BUILD="$dir" CFLAGS=-DLWRAP_FDTAB_FDS=1024 "$dir/liblwrap.so" >&2 || return 1
    printf '%s\n' "$dir/liblwrap.so"
}

# faults_attributed FILE: every "handled <id>" record in lambda-emu's output FILE was
# decorated (LWRAP_LOGS text or json) with that very request id; prints the offenders.
faults_attributed() {
    jq -r -R 'fromjson? | select(.type == "function" and (.message | test("handled [-0-9a-f]{36}")))
        | (.message | capture("handled (?<id>[-0-9a-f]{36})").id) as $id
        | (.message | (fromjson? | .requestId) // (capture("^[^\t]*\t(?<r>[^\t]*)\t").r)) as $got
        | if $got == $id then "ok" else "BAD \($got) \(.message)" end' "$1" >attributed.txt
    grep -q '^ok' attributed.txt && ! grep '^BAD' attributed.txt
}

# fake_api_run NAME CUT MODE [NAME=VALUE...] -- CMD...: CMD as the runtime of the fake
# Runtime API (tests/fixtures/faults/fake_api.py) that cuts CUT short; with MODE "none"
# no preload, else liblwrap.so with LWRAP_LOGS=MODE and the given settings. Leaves
# NAME.status, NAME.log (the server's), NAME.stdout and NAME.stderr.
fake_api_run() {
    local name=$1 cut=$2 mode=$3 st=0
    shift 3
    local -a envs=()
    if [[ $mode != none ]]; then envs=(--env "LD_PRELOAD=$LIBLWRAP" --env "LWRAP_LOGS=$mode"); fi
    while (($#)) && [[ $1 != -- ]]; do envs+=(--env "$1"); shift; done
    shift
    rm -f "$name.log"
    "$EMU_PY" "$FAULTS_FIX/fake_api.py" --cut "$cut" --log "$name.log" "${envs[@]}" -- "$@" \
        >"$name.stdout" 2>"$name.stderr" || st=$?
    echo "$st" >"$name.status"
}

# fake_api_same REF RUN MODE: RUN (LWRAP_LOGS=MODE) came to what REF (no preload) did:
# exit status, output with the decoration taken off (tests/fixtures/faults/undecorate.py),
# the runtime's requests (the internal extension's left out).
fake_api_same() {
    local ref=$1 cand=$2 mode=$3 s
    diff -u "$ref.status" "$cand.status" || { echo "(exit status differs)"; return 1; }
    "$EMU_PY" "$FAULTS_FIX/undecorate.py" "$mode" "$cand.stdout" "$cand.stderr" --ref "$ref.stdout" "$ref.stderr"
    for s in stdout stderr; do
        diff -u "$ref.$s.cmp" "$cand.$s.cmp" || { echo "($s differs)"; return 1; }
    done
    local ext="/extension/|^cut (register|event-next)$"
    diff -u <(grep -Ev "$ext" "$ref.log") <(grep -Ev "$ext" "$cand.log") || { echo "(requests differ)"; return 1; }
}
