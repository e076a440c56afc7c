# Helpers for tests/wrapper-*.bats (lwrap, the exec wrapper).

WR_STUB=$FIXTURES/wrapper/argv-stub

# wr_stub_as NAME: a symlink to the argv stub called NAME (python3.12, node, java, ...)
# in $BATS_TEST_TMPDIR/bin, so lwrap detects that runtime family. Prints its path.
wr_stub_as() {
    mkdir -p "$BATS_TEST_TMPDIR/bin"
    ln -sf "$WR_STUB" "$BATS_TEST_TMPDIR/bin/$1"
    printf '%s\n' "$BATS_TEST_TMPDIR/bin/$1"
}

# wr_lib_layout DIR: a copy of lwrap at DIR/lwrap (a copy, not a symlink: lwrap finds
# liblwrap.so through /proc/self/exe). Prints the path of the copy.
wr_copy_lwrap() {
    mkdir -p "$1"
    cp "$LWRAP" "$1/lwrap"
    printf '%s\n' "$1/lwrap"
}

# wr_fake_lib PATH: a stand-in liblwrap.so (an empty shared object, so the stub's bash
# loads it silently) for tests of lwrap's search and LD_PRELOAD edits. Prints PATH.
wr_fake_lib() {
    mkdir -p "$(dirname "$1")"
    if [[ ! -e $BATS_FILE_TMPDIR/empty.so ]]; then
        # built aside and renamed: tests of one file may run in parallel (bats --jobs)
        cc -shared -o "$BATS_FILE_TMPDIR/empty.so.$BATS_TEST_NUMBER" -x c /dev/null || return 1
        mv -f "$BATS_FILE_TMPDIR/empty.so.$BATS_TEST_NUMBER" "$BATS_FILE_TMPDIR/empty.so"
    fi
    cp "$BATS_FILE_TMPDIR/empty.so" "$1"
    printf '%s\n' "$1"
}

# wr_real_cmd NAME: the real binary of python3/node/java/ruby (not a version manager shim).
wr_real_cmd() {
    case $1 in
    python3) runtime_python3 && printf '%s\n' "$RUNTIME_PYTHON3" ;;
    *) command -v "$1" ;;
    esac
}

# wr_emu_ready: the emulator and test runtimes are built (skip otherwise: CI has them).
wr_emu_ready() {
    [[ -x $EMU ]] || skip "lambda-emu not built"
}

# wr_emu HANDLER TASK_ROOT EVENT_JSON [EMU_OPTION...] -- CMD...: one invoke through
# lambda-emu (--log-format json) with AWS_LAMBDA_EXEC_WRAPPER set to a script that
# records its PID in $WR_PIDFILE and execs lwrap. Leaves bats' $status/$output/$stderr.
wr_emu() {
    local handler=$1 root=$2
    printf '%s' "$3" >"$BATS_TEST_TMPDIR/event.json"
    shift 3
    local -a opts=()
    while (($#)) && [[ $1 != -- ]]; do opts+=("$1"); shift; done
    shift
    export WR_PIDFILE=$BATS_TEST_TMPDIR/wrapper.pid WR_LWRAP=$LWRAP
    run --separate-stderr "$EMU" --log-format json --event "$BATS_TEST_TMPDIR/event.json" \
        -e AWS_LAMBDA_EXEC_WRAPPER="$FIXTURES/wrapper/pid-recorder" "${opts[@]}" \
        --handler "$handler" --task-root "$root" -- "$@"
}

# wr_body JQ: a field of the (single) response body, e.g. wr_body '.env.FOO'.
wr_body() {
    emu_responses | jq -c "$1"
}

# wr_json_array WORD...: the words as one compact JSON array of strings.
wr_json_array() {
    printf '%s\n' "$@" | jq -R . | jq -cs .
}

# wr_need_opt_ns: call in the test itself (not under `run`): chooses how wr_with_opt
# gets a private mount namespace (unprivileged with a user namespace, else as root),
# or skips the test when neither works here.
wr_need_opt_ns() {
    if unshare -rm true 2>/dev/null; then
        WR_NS=(unshare -rm)
    elif unshare -m true 2>/dev/null; then
        WR_NS=(unshare -m)
    else
        skip "needs a mount namespace (unshare) to stand in for /opt"
    fi
}

# wr_with_opt DIR CMD...: run CMD with DIR mounted on /opt (after wr_need_opt_ns).
wr_with_opt() {
    local dir=$1
    shift
    "${WR_NS[@]}" sh -c 'mount --bind "$1" /opt && shift && exec "$@"' _ "$dir" "$@"
}

# wr_explained_argv CMD...: `lwrap --explain CMD...` (settings from the caller's
# environment), only the final argv, one word per line. Explain execs nothing, so AWS's
# own paths (/var/lang/bin/java) can be used as they are.
wr_explained_argv() {
    "$LWRAP" --explain "$@" | sed -n 's/^argv //p'
}

# wr_explain_parse CMD...: one `lwrap --explain` run (settings from the caller), parsed
# in bash (no sed, no diff: these helpers run hundreds of times under a loaded CI):
# WR_ARGV = the final argv, WR_FAMILY = the family named by a "skip preset" note, if any.
wr_explain_parse() {
    local out line
    out=$("$LWRAP" --explain "$@") || return 1
    WR_ARGV=() WR_FAMILY=
    while IFS= read -r line; do
        case $line in
        'argv '*) WR_ARGV+=("${line#argv }") ;;
        'skip preset '*) WR_FAMILY=${line##*, the runtime is } ;;
        esac
    done <<<"$out"
}

# wr_check_positions FAMILY I S E CMD...: CMD is detected as FAMILY, and
# LWRAP_ARGS=--lwrap-probe lands at argv[I], argv[S], argv[E] of the runtime command for
# LWRAP_ARGS_AT=interpreter, script, end, everything else in its place.
wr_check_positions() {
    local family=$1 at index probe=ruby-frozen-strings
    local -A where=([interpreter]=$2 [script]=$3 [end]=$4)
    shift 4
    [[ $family == ruby ]] && probe=python-faulthandler
    for at in interpreter script end; do
        index=${where[$at]}
        local -a want=("${@:1:index}" --lwrap-probe "${@:index+1}")
        LWRAP_PRESETS=$probe LWRAP_ARGS=--lwrap-probe LWRAP_ARGS_AT=$at wr_explain_parse "$@" || return 1
        [[ ${WR_FAMILY:-${probe%%-*}} == "$family" ]] || { echo "$1: family ${WR_FAMILY:-?}, not $family"; return 1; }
        [[ ${WR_ARGV[*]@Q} == "${want[*]@Q}" ]] ||
            { printf 'LWRAP_ARGS_AT=%s on %s\n got: %s\nwant: %s\n' "$at" "$*" "${WR_ARGV[*]}" "${want[*]}"; return 1; }
    done
}

# wr_execve ENTRY... -- CMD...: exec CMD with exactly the environment entries given, in
# order (duplicates and entries without '=' included, which no shell can produce).
wr_execve() {
    "$(wr_real_cmd python3)" - "$@" <<'PY'
import ctypes, os, sys
args = sys.argv[1:]
cut = args.index("--")
env, cmd = args[:cut], args[cut + 1:]
def arr(words):
    a = (ctypes.c_char_p * (len(words) + 1))(*[os.fsencode(w) for w in words], None)
    return a
libc = ctypes.CDLL(None, use_errno=True)
libc.execve(os.fsencode(cmd[0]), arr(cmd), arr(env))
sys.exit("execve: " + os.strerror(ctypes.get_errno()))
PY
}
