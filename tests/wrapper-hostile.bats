#!/usr/bin/env bats
# Never break the function: hostile settings, files and environments each get at most one
# "lwrap: ...; ignored" line, and the runtime still starts.
load test_helper

setup() {
    lwrap_test_setup
    mkdir task
    export LAMBDA_TASK_ROOT=$PWD/task
}

@test "a FIFO as the config file is refused at once instead of blocking the start" {
    mkfifo task/lwrap.conf
    # (timeout only guards the suite: without the fix lwrap waits for a writer forever)
    run -0 --separate-stderr timeout 60 "$LWRAP" "$WR_STUB" ran
    [ "$stderr" = "lwrap: $PWD/task/lwrap.conf: not a regular file; ignored" ]
    [ "$output" = ran ]
    LWRAP_CONFIG=$PWD/task/lwrap.conf run -0 --separate-stderr timeout 60 "$LWRAP" "$WR_STUB" ran
    [ "$stderr" = "lwrap: LWRAP_CONFIG: $PWD/task/lwrap.conf: not a regular file; ignored" ]
}

@test "config file extremes: a 1 MB comment, a 1 MB line without '=', CRLF and no final newline" {
    {
        printf '# %0900000d\r\n' 0
        printf 'LWRAP_SET_A=1\r\n'
        printf '%0100000d\n' 0
        printf 'LWRAP_SET_B=2'
    } >task/lwrap.conf
    STUB_ENV='A B' run -0 --separate-stderr "$LWRAP" "$WR_STUB" ran
    [ "$stderr" = "lwrap: $PWD/task/lwrap.conf:3: expected NAME=value; ignored" ]
    [ "$output" = $'ran\nA=1\nB=2' ]
    # over 1 MiB: the whole file is refused, with one line
    head -c 1048577 /dev/zero | tr '\0' '#' >task/lwrap.conf
    run -0 --separate-stderr "$LWRAP" "$WR_STUB" ran
    [ "$stderr" = "lwrap: $PWD/task/lwrap.conf: larger than 1 MiB; ignored" ]
    [ "$output" = ran ]
}

@test "changes too long for execve (E2BIG): one line, the runtime starts as it would without lwrap" {
    # 200 KB in one variable: over Linux's 128 KiB per string
    printf 'LWRAP_SET_BIG=%0200000d\nLWRAP_SET_SMALL=1\nLWRAP_ARGS=-v\n' 0 >task/lwrap.conf
    STUB_PID=1 STUB_ENV='BIG SMALL' run -0 --separate-stderr bash -c 'echo "pid $$"; exec "$@"' _ "$LWRAP" "$WR_STUB" a
    [ "$stderr" = "lwrap: $WR_STUB: too long with lwrap's changes (E2BIG); starting the runtime without them; ignored" ]
    [ "${lines[0]}" = "${lines[1]}" ]
    [ "${lines[*]:2}" = 'a BIG unset SMALL unset' ]
    # 450,000 one-letter LWRAP_ARGS words: 0.9 MB of text, but 3.6 MB of argv pointers
    { printf 'LWRAP_ARGS='; head -c 450000 /dev/zero | tr '\0' '\n' | sed 's/^/a/' | tr '\n' ' '; } >task/lwrap.conf
    run -0 --separate-stderr "$LWRAP" "$WR_STUB" a
    [ "$stderr" = "lwrap: $WR_STUB: too long with lwrap's changes (E2BIG); starting the runtime without them; ignored" ]
    [ "$output" = a ]
    run -125 --separate-stderr env LWRAP_STRICT=1 "$LWRAP" "$WR_STUB" a
    [ "$stderr" = "lwrap: $WR_STUB: too long with lwrap's changes (E2BIG); LWRAP_STRICT=1: not starting the runtime" ]
    [ -z "$output" ]
}

@test "binary bytes in values pass through exactly; notes escape them on one line" {
    val=$'\x01\x02 \x7f\xc3\xa9\xff\t~'
    STUB_NUL=$PWD/args STUB_ENVIRON=$PWD/env LWRAP_DEBUG=1 LWRAP_SET_BIN=$val LWRAP_ARGS="'$val'" \
        run -0 --separate-stderr "$LWRAP" "$WR_STUB" z
    printf '%s\0' "$val" z | cmp - args
    printf 'BIN=%s\0' "$val" >want
    grep -az '^BIN=' env | cmp want -
    # control bytes escaped; other bytes (UTF-8 or not) as they are
    esc=$'\\x01\\x02 \\x7f\xc3\xa9\xff\\x09~'
    [ "$stderr" = "lwrap: set BIN=$esc (LWRAP_SET_BIN)"$'\n'"lwrap: insert '$esc' (LWRAP_ARGS at interpreter)" ]
}

@test "duplicate names in the environment: an edited name is left once, with the new value" {
    # FOO twice: getenv reads the first, Java's System.getenv the last; after an edit both agree
    run -0 --separate-stderr wr_execve FOO=first NOEQUALS LWRAP_SET_FOO=x FOO=second BAR=1 BAR=2 DUP=a DUP=b \
        LWRAP_APPEND_BAR=3 LWRAP_UNSET=DUP -- "$LWRAP" /usr/bin/env
    [ -z "$stderr" ]
    [ "$output" = $'FOO=x\nNOEQUALS\nLWRAP_SET_FOO=x\nBAR=1 3\nLWRAP_APPEND_BAR=3\nLWRAP_UNSET=DUP' ]
    # setting the value the first copy already has still drops the second
    run -0 wr_execve FOO=same FOO=other LWRAP_SET_FOO=same -- "$LWRAP" /usr/bin/env
    [ "$output" = $'FOO=same\nLWRAP_SET_FOO=same' ]
    # a duplicated LWRAP_* setting: the first one counts, as getenv would say
    run -0 wr_execve LWRAP_ARGS=-a LWRAP_ARGS=-b -- "$LWRAP" --explain /bin/true
    [ "$output" = $'insert -a (LWRAP_ARGS at interpreter)\nargv /bin/true\nargv -a' ]
}

@test "100,000 runtime arguments with LWRAP_ARGS at each position" {
    mapfile -t args < <(seq 100000)
    for at in interpreter script end; do
        STUB_NUL=$PWD/got LWRAP_ARGS_AT=$at LWRAP_ARGS="-x 'y z'" run -0 "$LWRAP" "$WR_STUB" "${args[@]}"
        case $at in
        interpreter) printf '%s\0' -x 'y z' "${args[@]}" ;;
        script) printf '%s\0' "${args[@]:0:99999}" -x 'y z' 100000 ;;
        end) printf '%s\0' "${args[@]}" -x 'y z' ;;
        esac | cmp - got || { echo "at $at"; return 1; }
    done
}

@test "costs grow linearly: a 50,000-line lwrap.conf, --explain of 100,000 arguments, a 20,000-entry APPEND" {
    for ((i = 0; i < 50000; i++)); do printf 'LWRAP_SET_A%d=x\n' "$i"; done >big.conf
    # (the limit is generous for a loaded machine: quadratic processing took 13 s and 26 s)
    # (printenv: bash itself takes seconds to start with 50,000 variables)
    LWRAP_CONFIG=$PWD/big.conf run -0 --separate-stderr timeout 5 "$LWRAP" printenv A0 A49999
    [ "$output" = $'x\nx' ]
    mapfile -t args < <(seq 100000)
    run -0 --separate-stderr timeout 5 "$LWRAP" --explain "$WR_STUB" "${args[@]}"
    [ "${#lines[@]}" -eq 100001 ] && [ "${lines[100000]}" = 'argv 100000' ]
    # and a list of 20,000 entries merged into PATH (9 s when each was looked for in turn)
    LWRAP_APPEND_PATH=$(seq -s: 20000) run -0 --separate-stderr timeout 5 "$LWRAP" printenv PATH
    [[ $output == "$PATH:1:2:3:"*":19999:20000" ]]
}

@test "masking stays linear: long runs of blanks, quotes and keys in one value" {
    local blanks quotes keys
    blanks=$(printf '%*s' 100000 '')
    quotes=$(printf '"%.0s' {1..50000})
    keys=$(printf 'password: %.0s' {1..10000})
    # (a look back over the blanks from each position took 3 s for each such value)
    run -0 --separate-stderr env "LWRAP_SET_A=a${blanks}b" "LWRAP_SET_B=password=$quotes" "LWRAP_SET_C=$keys" \
        "LWRAP_SET_D=$blanks" "LWRAP_SET_E=$blanks" timeout 5 "$LWRAP" --explain /bin/true
    [[ ${lines[0]} == "set A=a${blanks}b (LWRAP_SET_A)" ]]
    [[ ${lines[2]} == 'set C=password: ****'* ]]
}

@test "hostile LWRAP_* values: long, unterminated, odd names, empty list entries; the runtime runs" {
    long=$(printf '%03000d' 0)
    run -0 --separate-stderr env "LWRAP_SET_$long=1" LWRAP_UNSET=",,, ,A=B,1X," LWRAP_NEXT='::' \
        LWRAP_PRESETS=', ,' LWRAP_ARGS='a ${' "LWRAP_ARGS_AT=$long" "$LWRAP" "$WR_STUB" ran
    [ "$output" = ran ]
    [ "${#stderr_lines[@]}" -eq 5 ]
    for line in "${stderr_lines[@]}"; do [[ $line == 'lwrap: '*'; ignored' ]] || { echo "$line"; return 1; }; done
    [[ ${stderr_lines[2]} == "lwrap: LWRAP_SET_$long: \"${long:0:255}\" is not a valid variable name "* ]]
}

@test "LD_PRELOAD with blanks and colons mixed: liblwrap.so found as ld.so would split it, never added twice" {
    lib=$(wr_fake_lib "$PWD/lib/liblwrap.so")
    a=$(wr_fake_lib "$PWD/a/liba.so")
    for list in "$a $lib" "$a:$lib" " $lib: $a:" "$a::$lib  "; do
        LD_PRELOAD=$list STUB_ENV=LD_PRELOAD LWRAP_TRACE=text LWRAP_PRELOAD_PATH=$lib run -0 --separate-stderr "$LWRAP" "$WR_STUB"
        [ -z "$stderr" ]
        [ "$output" = "LD_PRELOAD=$list" ] || { echo "[$list] -> $output"; return 1; }
    done
    LD_PRELOAD=" $a: " STUB_ENV=LD_PRELOAD LWRAP_TRACE=text LWRAP_PRELOAD_PATH=$lib run -0 "$LWRAP" "$WR_STUB"
    [ "$output" = "LD_PRELOAD=$a:$lib" ]
}
