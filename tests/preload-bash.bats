#!/usr/bin/env bats
# bash as a runtime, as a wrapper and as a shim, and the preload's child environment in
# every kind of program (issue 10: 2a, 2b, 2c, 10a).
#  - The scrub of LD_PRELOAD reaches programs that define their own getenv/setenv (bash):
#    no child of a preloaded bash, dash, python3, node, perl or C program loads us.
#  - An exec in the same process puts our entry back only for an environment that still
#    carries lwrap's settings and where the caller did not clear LD_PRELOAD.
#  - A version manager's shim and an LWRAP_NEXT wrapper in bash work under lwrap.
#  - A bash + curl custom runtime like AWS's tutorial runs under lambda-emu through lwrap
#    exactly as without it.
load test_helper

BASH_FIX=$FIXTURES/bash

setup_file() {
    gcc -O -o "$BATS_FILE_TMPDIR/execenv" "$FIXTURES/bash/execenv.c"
    gcc -O -o "$BATS_FILE_TMPDIR/spawn" "$FIXTURES/bash/spawn.c"
    gcc -O -static -o "$BATS_FILE_TMPDIR/envdump" "$FIXTURES/bash/envdump.c" 2>/dev/null ||
        musl-gcc -O -static -o "$BATS_FILE_TMPDIR/envdump" "$FIXTURES/bash/envdump.c"
    gcc -shared -fPIC -o "$BATS_FILE_TMPDIR/other.so" -x c /dev/null
    gcc -shared -fPIC -o "$BATS_FILE_TMPDIR/other2.so" -x c /dev/null
}

setup() {
    lwrap_test_setup
    EXECENV=$BATS_FILE_TMPDIR/execenv
    SPAWN=$BATS_FILE_TMPDIR/spawn
    ENVDUMP=$BATS_FILE_TMPDIR/envdump # static: shows exactly the environment exec gave it
    OTHER=$BATS_FILE_TMPDIR/other.so
    OTHER2=$BATS_FILE_TMPDIR/other2.so
    CHILD=$BASH_FIX/child.sh
    if [[ -x /usr/bin/python3 ]]; then PY=/usr/bin/python3; else PY=$(command -v python3); fi
}

# undecorate: each line of stdin as written by the program: Lambda's text prefix or the
# JSON record of LWRAP_LOGS=text|json taken off (a JSON object line the pipeline merged
# into its record comes back without timestamp/level/requestId), other lines unchanged.
undecorate() {
    jq -R -r '
        if test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z\t[^\t]*\t[A-Z]+\t") then
            sub("^[^\t]*\t[^\t]*\t[^\t]*\t"; "")
        else (try fromjson catch null) as $j
            | if ($j | type) == "object" and ($j | has("timestamp")) and ($j | has("level")) then
                if $j | has("message") then $j.message
                else $j | del(.timestamp, .level, .requestId) | tojson end
              else . end
        end'
}

# ---------------------------------------------------------------------------------------
# 2a: the children of every kind of runtime run without the preload

# in_runtime KIND: runs KIND (bash, dash, python, node, perl, c) with the preload; it
# reports whether liblwrap.so is mapped in itself, then starts $CHILD as a child.
in_runtime() {
    local kind=$1
    shift
    local -a cmd
    case $kind in
    # (bash -c execs its last simple command in place: exit keeps "$0" a child)
    bash | dash) cmd=("$kind" -c 'grep -q liblwrap /proc/$$/maps && echo "self: loaded"; "$0"; exit' "$CHILD") ;;
    python) cmd=("$PY" -c 'import subprocess, sys
print("self: loaded" if "liblwrap" in open("/proc/self/maps").read() else "self: absent", flush=True)
subprocess.run([sys.argv[1]])' "$CHILD") ;;
    node) cmd=(node -e 'const fs = require("fs");
process.stdout.write(fs.readFileSync("/proc/self/maps", "utf8").includes("liblwrap") ? "self: loaded\n" : "self: absent\n");
require("child_process").execFileSync(process.argv[1], { stdio: "inherit" })' "$CHILD") ;;
    perl) cmd=(perl -e 'open(my $m, "<", "/proc/self/maps"); local $/; my $s = <$m>; $| = 1;
print($s =~ /liblwrap/ ? "self: loaded\n" : "self: absent\n"); system($ARGV[0])' "$CHILD") ;;
    c) cmd=("$SPAWN" "$CHILD") ;;
    esac
    run --separate-stderr env "$@" "${cmd[@]}"
}

@test "bash: no child of a preloaded bash loads the preload (bash has its own setenv)" {
    in_runtime bash "LD_PRELOAD=$LIBLWRAP" LWRAP_TRACE=text
    [ "$status" -eq 0 ]
    [ "$output" = $'self: loaded\nchild: maps=0 entries=0 LD_PRELOAD=unset' ]
    [ -z "$stderr" ]
}

@test "bash: the other LD_PRELOAD entries reach its children, in order" {
    in_runtime bash "LD_PRELOAD=$OTHER:$LIBLWRAP $OTHER" LWRAP_TRACE=text
    [ "$status" -eq 0 ]
    [ "$output" = $'self: loaded\nchild: maps=0 entries=1 LD_PRELOAD='"$OTHER:$OTHER" ]
}

@test "bash: a pipeline, a command substitution and a subshell's children run without it" {
    run --separate-stderr env "LD_PRELOAD=$LIBLWRAP" LWRAP_TRACE=text bash -c '
        a=$(grep -c liblwrap /proc/self/maps)
        b=$(echo x | grep -c liblwrap /proc/self/maps)
        c=$( (grep -c liblwrap /proc/self/maps) )
        d=$(env | grep -c "^LD_PRELOAD=")
        echo "$a $b $c $d"'
    [ "$output" = "0 0 0 0" ]
}

@test "dash, python3, node, perl and a C program: no child loads the preload" {
    local kind
    for kind in dash python node perl c; do
        case $kind in node | perl) command -v "$kind" >/dev/null || continue ;; esac
        in_runtime "$kind" "LD_PRELOAD=$LIBLWRAP" LWRAP_TRACE=text
        [ "$status" -eq 0 ] || { echo "$kind: status $status: $stderr"; return 1; }
        # the C program runs its child twice (fork + execv, system)
        local want=$'self: loaded\nchild: maps=0 entries=0 LD_PRELOAD=unset'
        [ "$kind" = c ] && want+=$'\nchild: maps=0 entries=0 LD_PRELOAD=unset'
        [ "$output" = "$want" ] || { echo "$kind: $output"; return 1; }
        in_runtime "$kind" "LD_PRELOAD=$OTHER:$LIBLWRAP" LWRAP_TRACE=text
        [[ $output == *"child: maps=0 entries=1 LD_PRELOAD=$OTHER" ]] || { echo "$kind: $output"; return 1; }
    done
}

@test "LD_PRELOAD given twice (execve allows it): every copy is cleaned, bash and python" {
    local kind
    for kind in bash python; do
        local -a cmd=(/bin/bash -c '"$0"; exit' "$CHILD")
        [ "$kind" = python ] && cmd=("$PY" -c 'import subprocess, sys; subprocess.run([sys.argv[1]])' "$CHILD")
        # the loader reads the last copy, getenv the first
        run --separate-stderr "$EXECENV" "LD_PRELOAD=$LIBLWRAP" LWRAP_TRACE=text PATH=/usr/bin:/bin \
            "LD_PRELOAD=$OTHER:$LIBLWRAP" -- "${cmd[@]}"
        [ "$status" -eq 0 ]
        [ "$output" = "child: maps=0 entries=1 LD_PRELOAD=$OTHER" ] || { echo "$kind: $output"; return 1; }
    done
}

@test "bash: the preload still reads its settings (bash's getenv before main)" {
    run --separate-stderr env "LD_PRELOAD=$LIBLWRAP" LWRAP_LOGS=json bash -c 'echo visible'
    [ "$status" -eq 0 ]
    [ "$(jq -r .message <<<"$output")" = visible ]
    [ "$(jq -r 'has("timestamp")' <<<"$output")" = true ]
    # LWRAP_KEEP_PRELOAD=1 is read too: the children keep it
    in_runtime bash "LD_PRELOAD=$LIBLWRAP" LWRAP_TRACE=text LWRAP_KEEP_PRELOAD=1
    [[ $output == $'self: loaded\nchild: maps='[1-9]*" entries=1 LD_PRELOAD=$LIBLWRAP" ]]
}

# ---------------------------------------------------------------------------------------
# 10a: exec in the same process: the preload is handed on only where it belongs

# Each exec below ends in $ENVDUMP, which prints exactly the environment it was given.
# pre [NAME=VALUE...] CMD...: CMD with the preload and LWRAP_TRACE=text (lwrap's settings).
pre() {
    run --separate-stderr env "LD_PRELOAD=$LIBLWRAP" LWRAP_TRACE=text "$@"
}

# ld_lines: the LD_PRELOAD lines of the listing in $output ("none" when there are none).
ld_lines() {
    grep '^LD_PRELOAD=' <<<"$output" || echo none
}

@test "env -i from a preloaded process: the emptied environment stays empty" {
    pre env -i "$ENVDUMP"
    [ "$status" -eq 0 ]
    [ "$output" = "" ]
    # bash hands over to env (same process), env empties the environment
    pre bash -c 'exec env -i A=1 "$0"' "$ENVDUMP"
    [ "$status" -eq 0 ]
    [ "$output" = "A=1" ]
}

@test "execve(path, argv, {NULL}) from a preloaded C program and python: nothing is added" {
    pre "$EXECENV" -- "$ENVDUMP"
    [ "$status" -eq 0 ]
    [ "$output" = "" ]
    pre "$PY" -c 'import os, sys; os.execve(sys.argv[1], ["envdump"], {})' "$ENVDUMP"
    [ "$status" -eq 0 ]
    [ "$output" = "" ]
    pre "$PY" -c 'import os, sys; os.execve(sys.argv[1], ["envdump"], {"A": "1"})' "$ENVDUMP"
    [ "$output" = "A=1" ]
}

@test "an environment without lwrap's settings is not given the preload back" {
    pre LWRAP_CRASH=1 bash -c 'exec env -u LWRAP_TRACE -u LWRAP_CRASH "$0"' "$ENVDUMP"
    [ "$status" -eq 0 ]
    [ "$(ld_lines)" = none ]
    [ -n "$output" ] # the rest of the environment is there
}

@test "a handover that keeps lwrap's settings gets the preload back (bash exec, python execv)" {
    pre bash -c 'exec "$0"' "$ENVDUMP"
    [ "$(ld_lines)" = "LD_PRELOAD=$LIBLWRAP" ]
    # bash -c execs its last simple command in place: a handover too
    pre bash -c '"$0"' "$ENVDUMP"
    [ "$(ld_lines)" = "LD_PRELOAD=$LIBLWRAP" ]
    pre "$PY" -c 'import os, sys; os.execv(sys.argv[1], ["envdump"])' "$ENVDUMP"
    [ "$(ld_lines)" = "LD_PRELOAD=$LIBLWRAP" ]
    # only one exec: the settings may come as _LWRAP_ variables too
    run --separate-stderr env "LD_PRELOAD=$LIBLWRAP" _LWRAP_START_NS=1 bash -c 'exec "$0"' "$ENVDUMP"
    [ "$(ld_lines)" = "LD_PRELOAD=$LIBLWRAP" ]
    # after the other entries, and after what the wrapper added in front of them
    run --separate-stderr env "LD_PRELOAD=$OTHER:$LIBLWRAP" LWRAP_TRACE=text bash -c \
        'export LD_PRELOAD="$1:$LD_PRELOAD"; exec "$0"' "$ENVDUMP" "$OTHER2"
    [ "$(ld_lines)" = "LD_PRELOAD=$OTHER2:$OTHER:$LIBLWRAP" ]
    # a forked child's exec is not a handover
    pre bash -c '"$0"; exit' "$ENVDUMP"
    [ "$(ld_lines)" = none ]
    pre "$PY" -c 'import subprocess, sys; subprocess.run([sys.argv[1]])' "$ENVDUMP"
    [ "$(ld_lines)" = none ]
    # and the program handed over to really loads it (and cleans it for its own children)
    pre bash -c 'exec grep -c liblwrap /proc/self/maps'
    [ "$output" -gt 0 ]
    pre bash -c 'exec bash -c "\"\$0\"; exit" "$0"' "$CHILD"
    [ "$output" = "child: maps=0 entries=0 LD_PRELOAD=unset" ]
}

@test "an LD_PRELOAD the caller cleared stays cleared" {
    # set to empty
    pre bash -c 'LD_PRELOAD= exec "$0"' "$ENVDUMP"
    [ "$(ld_lines)" = "LD_PRELOAD=" ]
    # removed while it still held other entries
    run --separate-stderr env "LD_PRELOAD=$OTHER:$LIBLWRAP" LWRAP_TRACE=text bash -c 'unset LD_PRELOAD; exec "$0"' "$ENVDUMP"
    [ "$(ld_lines)" = none ]
    run --separate-stderr env "LD_PRELOAD=$OTHER:$LIBLWRAP" LWRAP_TRACE=text "$PY" -c \
        'import os, sys; del os.environ["LD_PRELOAD"]; os.execv(sys.argv[1], ["envdump"])' "$ENVDUMP"
    [ "$(ld_lines)" = none ]
}

# ---------------------------------------------------------------------------------------
# 2b: bash's builtins write where their fd 1 / fd 2 point now (needs the log_stdio.c fix)

@test "bash under LWRAP_LOGS: \$(echo ...) captures exactly, > file fills the file, 2>/dev/null is quiet" {
    local mode
    for mode in text json; do
        rm -f f g x.out
        run --separate-stderr env "LD_PRELOAD=$LIBLWRAP" "LWRAP_LOGS=$mode" bash -c '
            x=$(echo inner)
            /usr/bin/printf "%s" "$x" >x.out
            echo hi >f
            printf "a\nb\n" >>g
            { echo quiet >&2; } 2>/dev/null
            enable -f ./no-such-builtin.so realpath 2>/dev/null
            echo visible'
        [ "$(od -An -c x.out)" = "$(printf inner | od -An -c)" ] || { echo "$mode: x=$(cat x.out)"; return 1; }
        [ "$(cat f)" = hi ] && [ "$(wc -c <f)" -eq 3 ] || { echo "$mode: f=$(cat f)"; return 1; }
        [ "$(cat g)" = $'a\nb' ] || { echo "$mode: g=$(cat g)"; return 1; }
        [ "$(undecorate <<<"$output")" = visible ] || { echo "$mode: stdout=$output"; return 1; }
        [ "$output" != visible ] # decorated: the preload was on
        [ -z "$stderr" ] || { echo "$mode: stderr=$stderr"; return 1; }
    done
}

# ---------------------------------------------------------------------------------------
# 2c: a version manager's shim and an LWRAP_NEXT wrapper in bash

# shim_check [NAME=VALUE...]: `python3 PROG` through the shim found in PATH, with lwrap
# and the settings given (or plainly, with none); compares with the plain run in $plain_*.
PYPROG='import os, sys
open("ran", "w").write(sys.executable + " " + os.environ.get("SHIM_VERSION", "-"))
print("out", flush=True)
print("err", file=sys.stderr)
sys.exit(3)'

shim_run() {
    rm -f ran
    if (($#)); then
        run --separate-stderr env "$@" "PATH=$SHIM_PATH" timeout 30 "$LWRAP" python3 -c "$PYPROG"
    else
        run --separate-stderr env "PATH=$SHIM_PATH" timeout 30 python3 -c "$PYPROG"
    fi
}

shim_compare() {
    local plain_ran
    shim_run
    [ "$status" -eq 3 ] && [ "$output" = out ] && [ "$stderr" = err ]
    plain_ran=$(cat ran)
    local setting
    for setting in LWRAP_LOGS=text LWRAP_LOGS=json LWRAP_TRACE=text LWRAP_EXTENSION=1 LWRAP_CRASH=1; do
        shim_run "$setting"
        [ "$status" -eq 3 ] || { echo "$setting: status $status; stderr: $stderr"; return 1; }
        [ "$(cat ran)" = "$plain_ran" ] || { echo "$setting: ran $(cat ran)"; return 1; }
        [ "$(undecorate <<<"$output")" = out ] || { echo "$setting: stdout $output"; return 1; }
        [ "$(undecorate <<<"$stderr")" = err ] || { echo "$setting: stderr $stderr"; return 1; }
    done
}

@test "a version manager's shim in bash starts python3 under lwrap as it does plainly" {
    mkdir shims
    ln -s "$BASH_FIX/shim" shims/python3
    SHIM_PATH=$PWD/shims:$(dirname "$PY"):/usr/bin:/bin
    shim_compare
    # and pyenv's own shim, where python3 on PATH is one (as on the development machine)
    local py
    py=$(command -v python3) || return 0
    if [[ $(head -c 2 "$py") == '#!' ]] && grep -q pyenv "$py"; then
        SHIM_PATH=$PATH
        shim_compare
    fi
}

@test "a bash LWRAP_NEXT wrapper's export V=\"\$(uname -m)\" reaches the runtime, which has the preload" {
    local setting want
    want="$(uname -m) True"
    for setting in LWRAP_LOGS=text LWRAP_TRACE=text; do
        rm -f v
        run --separate-stderr env "$setting" "LWRAP_NEXT=$BASH_FIX/uname_wrapper.sh" "$LWRAP" "$PY" -c \
            'import os; open("v", "w").write(os.environ.get("V", "<unset>") + " " + str("liblwrap" in open("/proc/self/maps").read()))'
        [ "$status" -eq 0 ] || { echo "$setting: $status $stderr"; return 1; }
        [ "$(cat v)" = "$want" ] || { echo "$setting: $(cat v)"; return 1; }
    done
}

# ---------------------------------------------------------------------------------------
# A custom runtime in bash + curl (AWS's tutorial shape) under lambda-emu through lwrap

# tutorial [lwrap] [EMU_OPTION...]: the fixture bootstrap with function.sh under lambda-emu
# (JSON events, invoke timeout 3 s), three invokes of $EV1 $EV2 $EV3; with "lwrap" through
# lwrap's bootstrap mode (bootstrap -> lwrap, the real one in bootstrap.real).
tutorial() {
    local root=$BATS_TEST_TMPDIR/task start=bootstrap.real
    mkdir -p "$root"
    cp "$BASH_FIX/function.sh" "$root/"
    cp "$BASH_FIX/bootstrap" "$root/bootstrap.real"
    ln -sfn "$LWRAP" "$root/bootstrap"
    if [[ ${1:-} == lwrap ]]; then
        start=bootstrap
        shift
    fi
    printf '%s' "$EV1" >e1.json
    printf '%s' "$EV2" >e2.json
    printf '%s' "$EV3" >e3.json
    run --separate-stderr timeout -k 5 60 "$EMU" --log-format json --timeout 3 \
        --handler function.handler --task-root "$root" \
        --event e1.json --event e2.json --event e3.json "$@" -- "$root/$start"
}

EV1='{"n":1}'
EV2='"two  words"'
EV3='{"q":"it'"'"'s"}'

# responses: each invoke's [status, body], compact JSON.
responses() {
    jq -c 'select(.type=="response") | [.status, .body]' <<<"$output"
}

# log_lines: every line the function logged (any stream), undecorated.
log_lines() {
    jq -r 'select(.type=="function") | .message' <<<"$output" | undecorate
}

# tutorial_compare SETTING [NOTE]: the plain run's responses, then a run through lwrap with
# SETTING: byte-identical responses, one start, no invoke waiting out its timeout (an
# extension stall), each handler's stderr line exactly once, nothing logged but those,
# curl's answers and NOTE (exactly once when given), at most one startup trace record.
tutorial_compare() {
    local setting=$1 note=${2:-} plain lines ev
    tutorial
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    plain=$(responses)
    [ "$plain" = "$(printf '%s\n' '["success","Echo of the event: '"'"'{\"n\":1}'"'"'"]' \
        '["success","Echo of the event: '"'"'\"two words\"'"'"'"]' \
        '["success","Echo of the event: '"'"'{\"q\":\"it'"'"'s\"}'"'"'"]')" ]
    tutorial lwrap -e "$setting"
    [ "$status" -eq 0 ] || { echo "status $status"; echo "$output"; return 1; }
    [ "$(responses)" = "$plain" ] || { responses; echo "$output"; return 1; }
    [ "$(jq -c 'select(.type=="platform.initStart")' <<<"$output" | wc -l)" -eq 1 ]
    [ -z "$(jq -c 'select(.type=="emu" and (.message | test("timeout")))' <<<"$output")" ] ||
        { echo "stall"; echo "$output"; return 1; }
    [ -z "$(jq -c 'select(.type=="platform.report" and .durationMs >= 3000)' <<<"$output")" ]
    lines=$(log_lines)
    for ev in "$EV1" "$EV2" "$EV3" ${note:+"$note"}; do
        [ "$(grep -cxF -- "$ev" <<<"$lines")" -eq 1 ] || { echo "$ev:"; echo "$lines"; return 1; }
    done
    [ -z "$(grep -vxF -e "$EV1" -e "$EV2" -e "$EV3" ${note:+-e "$note"} <<<"$lines" | grep -vxE '(\{"status":"OK"\})+' |
        grep -v '^LWRAP TRACE ' | grep -v '"type":"lwrap.trace"')" ] || { echo "$lines"; return 1; }
    [ "$(grep -c -e '^LWRAP TRACE ' -e '"type":"lwrap.trace"' <<<"$lines")" -le 1 ] || { echo "$lines"; return 1; }
}

@test "tutorial bootstrap in bash + curl through lwrap, LWRAP_LOGS=text: answers as without lwrap" {
    tutorial_compare LWRAP_LOGS=text
}

@test "tutorial bootstrap in bash + curl through lwrap, LWRAP_LOGS=json: answers as without lwrap" {
    tutorial_compare LWRAP_LOGS=json
}

@test "tutorial bootstrap in bash + curl through lwrap, LWRAP_TRACE=text: at most one trace, and the one line saying why there is none" {
    # curl, not bash, calls the Runtime API: README, Child processes
    tutorial_compare LWRAP_TRACE=text "lwrap: LWRAP_TRACE: the Runtime API is called by a child process (curl), not by the runtime's own process: no trace record, timeline or OTLP spans for this runtime"
}

@test "tutorial bootstrap in bash + curl through lwrap, LWRAP_EXTENSION=1: no extension stall" {
    tutorial_compare LWRAP_EXTENSION=1
}

@test "tutorial bootstrap as 'lwrap bash bootstrap' with LWRAP_LOGS=text: same responses, one stderr line each" {
    tutorial
    local plain
    plain=$(responses)
    local root=$BATS_TEST_TMPDIR/task
    run --separate-stderr timeout -k 5 60 "$EMU" --log-format json --timeout 3 \
        --handler function.handler --task-root "$root" -e LWRAP_LOGS=text \
        --event e1.json --event e2.json --event e3.json -- "$LWRAP" bash "$root/bootstrap.real"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    [ "$(responses)" = "$plain" ]
    local lines ev
    lines=$(log_lines)
    for ev in "$EV1" "$EV2" "$EV3"; do
        [ "$(grep -cxF -- "$ev" <<<"$lines")" -eq 1 ] || { echo "$ev"; echo "$lines"; return 1; }
    done
}
