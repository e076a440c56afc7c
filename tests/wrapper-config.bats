#!/usr/bin/env bats
# The config file: LWRAP_CONFIG, else $LAMBDA_TASK_ROOT/lwrap.conf, else /opt/lwrap.conf.
# KEY=value lines, # comments, blank lines; the environment wins.
load test_helper

setup() {
    lwrap_test_setup
    mkdir task
    export LAMBDA_TASK_ROOT=$PWD/task
}

@test "\$LAMBDA_TASK_ROOT/lwrap.conf: settings, comments, blank lines, indentation, CRLF, quotes" {
    printf '%s\n' '# lwrap settings' '' '   LWRAP_SET_A=from file' "LWRAP_ARGS='-x \"y z\"'" \
        $'LWRAP_SET_B=crlf\r' "LWRAP_SET_C='single'" 'LWRAP_SET_D="unbalanced' 'LWRAP_SET_E=a=b=c' \
        '  # indented comment' 'LWRAP_SET_F=' >task/lwrap.conf
    STUB_ENV='A B C D E F' run -0 --separate-stderr "$LWRAP" "$WR_STUB" arg
    [ "$stderr" = "lwrap: $PWD/task/lwrap.conf:7: LWRAP_SET_D: unterminated double quote; ignored" ]
    diff -u - <(printf '%s\n' "$output") <<'OUT'
-x
y z
arg
A=from file
B=crlf
C=single
D unset
E=a=b=c
F=
OUT
}

@test "a value from the file is read as sh reads NAME=VALUE: comments, trailing blanks, quotes, escapes" {
    printf '%s\n' 'LWRAP_ARGS=-X dev   # dev mode' 'LWRAP_STRICT=1 ' "LWRAP_SET_A=\"a  b\"'c'\\ d   " \
        'LWRAP_SET_B=#fff # a colour' 'LWRAP_SET_C= # nothing' 'LWRAP_SET_D="${HOME} \$x"' \
        "LWRAP_SET_E='it''s' \"it's\"" 'LWRAP_SET_F=one   two' >task/lwrap.conf
    py=$(wr_stub_as python3)
    STUB_ENV='A B C D E F' run -0 --separate-stderr "$LWRAP" "$py" app.py
    [ -z "$stderr" ]
    diff -u - <(printf '%s\n' "$output") <<'OUT'
-X
dev
app.py
A=a  bc d
B=#fff
C=
D=${HOME} $x
E=its it's
F=one two
OUT
    # the trailing blank no longer turns strict mode off
    echo 'LWRAP_ARGS_AT=middle' >>task/lwrap.conf
    run -125 --separate-stderr "$LWRAP" "$py" app.py
}

@test "LWRAP_ARGS: '#' starting a word starts a comment (to the end of the line)" {
    py=$(wr_stub_as python3)
    LWRAP_ARGS='-X dev   # dev mode' run -0 "$LWRAP" "$py" app.py
    [ "$output" = $'-X\ndev\napp.py' ]
    LWRAP_ARGS=$'-u # unbuffered\n-X dev #\n"#kept" a#b \\#c' run -0 "$LWRAP" "$py" app.py
    [ "$output" = $'-u\n-X\ndev\n#kept\na#b\n#c\napp.py' ]
}

@test "a UTF-8 byte order mark and a missing final newline are fine" {
    printf '\xef\xbb\xbfLWRAP_SET_A=1\nLWRAP_SET_B=2' >task/lwrap.conf
    STUB_ENV='A B' run -0 --separate-stderr "$LWRAP" "$WR_STUB"
    [ -z "$stderr" ]
    [ "$output" = $'A=1\nB=2' ]
}

@test "the environment wins over the file, key by key" {
    printf '%s\n' 'LWRAP_SET_A=file' 'LWRAP_SET_B=file' 'LWRAP_ARGS=--file' >task/lwrap.conf
    STUB_ENV='A B' LWRAP_SET_A=env LWRAP_ARGS=--env run -0 "$LWRAP" "$WR_STUB"
    [ "$output" = $'--env\nA=env\nB=file' ]
    # set but empty in the environment still wins
    STUB_ENV='A' LWRAP_ARGS= run -0 "$LWRAP" "$WR_STUB"
    [ "$output" = 'A=file' ]
}

@test "--explain and LWRAP_DEBUG name the file read; settings exported from it name it as source" {
    printf '%s\n' 'LWRAP_SET_A=1' 'LWRAP_TRACE=off' >task/lwrap.conf
    run -0 --separate-stderr "$LWRAP" --explain "$WR_STUB"
    diff -u - <(printf '%s\n' "$output") <<OUT
config $PWD/task/lwrap.conf
set LWRAP_TRACE=off ($PWD/task/lwrap.conf)
set A=1 (LWRAP_SET_A)
argv $WR_STUB
OUT
    LWRAP_DEBUG=1 run -0 --separate-stderr "$LWRAP" "$WR_STUB"
    [ "${stderr_lines[0]}" = "lwrap: config $PWD/task/lwrap.conf" ]
}

@test "a later line wins over an earlier one" {
    printf '%s\n' 'LWRAP_SET_A=first' 'LWRAP_SET_A=second' >task/lwrap.conf
    STUB_ENV=A run -0 "$LWRAP" "$WR_STUB"
    [ "$output" = 'A=second' ]
}

@test "LWRAP_CONFIG names the file (instead of the task root's); empty turns files off" {
    echo 'LWRAP_SET_A=task' >task/lwrap.conf
    echo 'LWRAP_SET_A=explicit' >my.conf
    STUB_ENV=A LWRAP_CONFIG=$PWD/my.conf run -0 "$LWRAP" "$WR_STUB"
    [ "$output" = 'A=explicit' ]
    STUB_ENV=A LWRAP_CONFIG= run -0 "$LWRAP" "$WR_STUB"
    [ "$output" = 'A unset' ]
}

@test "LWRAP_CONFIG that cannot be read: one line, the runtime still runs" {
    STUB_ENV=A LWRAP_CONFIG=$PWD/missing.conf run -0 --separate-stderr "$LWRAP" "$WR_STUB"
    [ "$stderr" = "lwrap: LWRAP_CONFIG: $PWD/missing.conf: No such file or directory; ignored" ]
    [ "$output" = 'A unset' ]
    LWRAP_CONFIG=$PWD/task run -0 --separate-stderr "$LWRAP" "$WR_STUB" ran
    [ "$stderr" = "lwrap: LWRAP_CONFIG: $PWD/task: is a directory; ignored" ]
    [ "$output" = ran ]
}

@test "a missing task-root file is not an error; an unreadable one is" {
    run -0 --separate-stderr "$LWRAP" "$WR_STUB" ran
    [ -z "$stderr" ]
    mkdir task/lwrap.conf
    run -0 --separate-stderr "$LWRAP" "$WR_STUB" ran
    [ "$stderr" = "lwrap: $PWD/task/lwrap.conf: is a directory; ignored" ]
    [ "$output" = ran ]
}

@test "syntax errors name the file and line; the other lines still apply; the runtime runs" {
    printf '%s\n' 'LWRAP_SET_A=ok' 'just words' '1BAD=x' 'LWRAP SET=x' '=x' 'FOO=bar' \
        'LWRAP_CONFIG=/elsewhere' 'LWRAP_SET_B=ok too' >task/lwrap.conf
    STUB_ENV='A B FOO' run -0 --separate-stderr "$LWRAP" "$WR_STUB"
    [ "$output" = $'A=ok\nB=ok too\nFOO unset' ]
    f=$PWD/task/lwrap.conf
    diff -u - <(printf '%s\n' "$stderr") <<ERR
lwrap: $f:2: expected NAME=value; ignored
lwrap: $f:3: "1BAD" is not a valid name; ignored
lwrap: $f:4: "LWRAP SET" is not a valid name; ignored
lwrap: $f:5: "" is not a valid name; ignored
lwrap: $f:6: FOO: not an lwrap setting (to set FOO use LWRAP_SET_FOO); ignored
lwrap: $f:7: LWRAP_CONFIG: only read from the environment; ignored
ERR
}

@test "a line holding a NUL byte: one line naming it, ignored whole; the others still apply" {
    printf 'LWRAP_SET_A=x\0y\nLWRAP_SET_B=ok\nLWRAP_SET_C\0=z\n' >task/lwrap.conf
    STUB_ENV='A B C' run -0 --separate-stderr "$LWRAP" "$WR_STUB"
    [ "$output" = $'A unset\nB=ok\nC unset' ]
    f=$PWD/task/lwrap.conf
    diff -u - <(printf '%s\n' "$stderr") <<ERR
lwrap: $f:1: holds a NUL byte (no environment variable can); ignored
lwrap: $f:3: holds a NUL byte (no environment variable can); ignored
ERR
    LWRAP_STRICT=1 run -125 --separate-stderr "$LWRAP" "$WR_STUB"
}

@test "a bad value from the file names the file, line and variable" {
    printf '%s\n' '# x' 'LWRAP_ARGS_AT=middle' 'LWRAP_ARGS=-x "open' 'LWRAP_SET_9=x' 'LWRAP_DEBUG=yes' >task/lwrap.conf
    run -0 --separate-stderr "$LWRAP" "$WR_STUB" ran
    [ "$output" = ran ]
    f=$PWD/task/lwrap.conf
    diff -u - <(printf '%s\n' "$stderr") <<ERR
lwrap: $f:3: LWRAP_ARGS: unterminated double quote; ignored
lwrap: $f:5: LWRAP_DEBUG: expected 1 or 0, got "yes"; ignored
lwrap: $f:4: LWRAP_SET_9: "9" is not a valid variable name (letters, digits, _; no leading digit); ignored
lwrap: $f:2: LWRAP_ARGS_AT: unknown position "middle" (want interpreter, script or end); ignored
ERR
}

@test "preload settings from the file are exported (the environment wins); lwrap's own and unknown ones are not" {
    wr_fake_lib "$BATS_TEST_TMPDIR/lib/liblwrap.so" >/dev/null
    printf '%s\n' 'LWRAP_TRACE=json' 'LWRAP_LOGS=text' 'LWRAP_REDACT=foo' 'LWRAP_FUTURE_THING=1' \
        'LWRAP_ARGS=-v' 'LWRAP_SET_A=1' "LWRAP_PRELOAD_PATH=$BATS_TEST_TMPDIR/lib" >task/lwrap.conf
    STUB_ENV='LWRAP_TRACE LWRAP_LOGS LWRAP_REDACT LWRAP_FUTURE_THING LWRAP_ARGS LWRAP_SET_A LWRAP_PRELOAD_PATH LD_PRELOAD' \
        LWRAP_LOGS=off run -0 --separate-stderr "$LWRAP" "$WR_STUB"
    [ "$stderr" = "lwrap: $PWD/task/lwrap.conf:4: LWRAP_FUTURE_THING: unknown setting (lwrap --help lists them); ignored" ]
    diff -u - <(printf '%s\n' "$output") <<OUT
-v
LWRAP_TRACE=json
LWRAP_LOGS=off
LWRAP_REDACT=foo
LWRAP_FUTURE_THING unset
LWRAP_ARGS unset
LWRAP_SET_A unset
LWRAP_PRELOAD_PATH unset
LD_PRELOAD=$BATS_TEST_TMPDIR/lib/liblwrap.so
OUT
}

@test "/opt/lwrap.conf is the fallback; the task root's file, when present, is the only one read" {
    wr_need_opt_ns
    mkdir opt
    printf '%s\n' 'LWRAP_SET_A=opt' 'LWRAP_SET_B=opt' >opt/lwrap.conf
    STUB_ENV='A B' run -0 wr_with_opt "$PWD/opt" "$LWRAP" "$WR_STUB"
    [ "$output" = $'A=opt\nB=opt' ]
    echo 'LWRAP_SET_A=task' >task/lwrap.conf
    STUB_ENV='A B' run -0 wr_with_opt "$PWD/opt" "$LWRAP" "$WR_STUB"
    [ "$output" = $'A=task\nB unset' ]
}

@test "an unusable task-root file (directory, over 1 MiB, FIFO) is reported and /opt/lwrap.conf is not read instead" {
    wr_need_opt_ns
    mkdir opt
    echo 'LWRAP_SET_A=opt' >opt/lwrap.conf
    for kind in dir big fifo; do
        rm -rf task/lwrap.conf
        case $kind in
        dir) mkdir task/lwrap.conf; why='is a directory' ;;
        big) head -c 1100000 /dev/zero | tr '\0' '#' >task/lwrap.conf; why='larger than 1 MiB' ;;
        fifo) mkfifo task/lwrap.conf; why='not a regular file' ;;
        esac
        STUB_ENV=A run -0 --separate-stderr wr_with_opt "$PWD/opt" "$LWRAP" "$WR_STUB"
        [ "$output" = 'A unset' ] || { echo "$kind: $output"; return 1; }
        [ "$stderr" = "lwrap: $PWD/task/lwrap.conf: $why; ignored" ]
    done
}

@test "a task-root file lwrap's user cannot read (mode 0600 from a zip): one line, no fallback" {
    # as root, without a user namespace (where no other uid is mapped)
    [[ $(id -u) == 0 ]] && unshare -m true || skip "needs root to run lwrap as another user"
    WR_NS=(unshare -m)
    root=$(mktemp -d /tmp/lwrap-task.XXXXXX) && chmod 755 "$root"
    mkdir opt
    echo 'LWRAP_SET_A=opt' >opt/lwrap.conf
    echo 'LWRAP_SET_A=task' >"$root/lwrap.conf" && chmod 600 "$root/lwrap.conf"
    run -0 --separate-stderr wr_with_opt "$PWD/opt" setpriv --reuid=65534 --regid=65534 --clear-groups \
        env LAMBDA_TASK_ROOT="$root" "$LWRAP" --explain /bin/true
    rm -rf "$root"
    [ "$stderr" = "lwrap: $root/lwrap.conf: cannot be read (permission denied; files in a Lambda zip need mode 644); ignored" ]
    [ "$output" = 'argv /bin/true' ]
}

@test "out of file descriptors (ulimit -n 3): missing config files are still no error" {
    # (the shipped lwrap: a sanitizer runtime cannot start with no descriptor to spare)
    run -0 --separate-stderr env -i LAMBDA_TASK_ROOT="$PWD/task" LWRAP="$SHIP_LWRAP" bash -c 'ulimit -n 3; exec "$LWRAP" --explain /bin/true'
    [ -z "$stderr" ]
    [ "$output" = 'argv /bin/true' ]
}

@test "typos: an unknown LWRAP_* name gets one line with the nearest known name, and is not exported" {
    printf '%s\n' 'LWRAP_PRESET=python-faulthandler' 'LWRAP_SETT_FOO=1' 'LWRAP_TRACEFILE=/tmp/t.json' >task/lwrap.conf
    STUB_ENV='LWRAP_PRESET LWRAP_SETT_FOO FOO' LWRAP_ARG=-v LWRAP_UNSETT=A LWRAP_LOG=text run -0 --separate-stderr \
        "$LWRAP" "$WR_STUB" a
    [ "$output" = $'a\nLWRAP_PRESET unset\nLWRAP_SETT_FOO unset\nFOO unset' ]
    # the environment's first (in its order), then the file's
    diff -u - <(printf '%s\n' "${stderr_lines[@]:0:3}" | sort; printf '%s\n' "${stderr_lines[@]:3}") <<ERR
lwrap: LWRAP_ARG: unknown setting (did you mean LWRAP_ARGS?); ignored
lwrap: LWRAP_LOG: unknown setting (did you mean LWRAP_LOGS?); ignored
lwrap: LWRAP_UNSETT: unknown setting (did you mean LWRAP_UNSET?); ignored
lwrap: $PWD/task/lwrap.conf:1: LWRAP_PRESET: unknown setting (did you mean LWRAP_PRESETS?); ignored
lwrap: $PWD/task/lwrap.conf:2: LWRAP_SETT_FOO: unknown setting (did you mean LWRAP_SET_FOO?); ignored
lwrap: $PWD/task/lwrap.conf:3: LWRAP_TRACEFILE: unknown setting (did you mean LWRAP_TRACE_FILE?); ignored
ERR
    LWRAP_STRICT=1 LWRAP_ARG=-v run -125 --separate-stderr "$LWRAP" "$WR_STUB" a
}

@test "typos: a left-out '_', a swap, another case or a dropped last word still find the name, letters kept" {
    local n
    for n in LWRAP_APPENDPATH LWRAP_SETNODE_OPTIONS LWRAP_PREPENDNODE_OPTIONS LWRAP_DEFAULTFOO LWRAP_SSMDB_PASS \
        LWRAP_SE_FOO LWRAP_DEBGU LWRAP_DBEUG LWRAP_Debug LWRAP_TRACE_OTLP_TIMEOUT; do
        run -0 --separate-stderr env -i "$n=1" "$LWRAP" --explain /bin/true
        printf '%s\n' "$stderr"
    done >got
    diff -u - got <<'ERR'
lwrap: LWRAP_APPENDPATH: unknown setting (did you mean LWRAP_APPEND_PATH?); ignored
lwrap: LWRAP_SETNODE_OPTIONS: unknown setting (did you mean LWRAP_SET_NODE_OPTIONS?); ignored
lwrap: LWRAP_PREPENDNODE_OPTIONS: unknown setting (did you mean LWRAP_PREPEND_NODE_OPTIONS?); ignored
lwrap: LWRAP_DEFAULTFOO: unknown setting (did you mean LWRAP_DEFAULT_FOO?); ignored
lwrap: LWRAP_SSMDB_PASS: unknown setting (did you mean LWRAP_SSM_DB_PASS?); ignored
lwrap: LWRAP_SE_FOO: unknown setting (did you mean LWRAP_SET_FOO?); ignored
lwrap: LWRAP_DEBGU: unknown setting (did you mean LWRAP_DEBUG?); ignored
lwrap: LWRAP_DBEUG: unknown setting (did you mean LWRAP_DEBUG?); ignored
lwrap: LWRAP_Debug: unknown setting (did you mean LWRAP_DEBUG?); ignored
lwrap: LWRAP_TRACE_OTLP_TIMEOUT: unknown setting (did you mean LWRAP_TRACE_OTLP_TIMEOUT_MS?); ignored
ERR
    # far from every name: no guess
    run -0 --separate-stderr env -i LWRAP_XYZZY_ABC=1 "$LWRAP" --explain /bin/true
    [ "$stderr" = 'lwrap: LWRAP_XYZZY_ABC: unknown setting (lwrap --help lists them); ignored' ]
}

@test "every LWRAP_* name the preload reads, and the settings still to come, are known to lwrap" {
    names=$(grep -ohE '"LWRAP_[A-Z0-9_]+"' "$REPO"/preload/*.c | tr -d '"' | sort -u)
    [ -n "$names" ]
    for name in $names LWRAP_SSM_DB LWRAP_SECRET_DB LWRAP_APPCONFIG LWRAP_APPCONFIG_PREFIX LWRAP_FETCH_TIMEOUT_MS \
        LWRAP_FETCH_OVERRIDE LWRAP_TRACE_FILE LWRAP_TRACE_OTLP; do
        run -0 --separate-stderr env "$name=off" "$LWRAP" --explain "$WR_STUB"
        [[ $stderr != *"unknown setting"* ]] || { echo "$stderr"; return 1; }
    done
}
