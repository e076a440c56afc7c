#!/usr/bin/env bats
# LWRAP_ARGS (shell-like quoting, ${NAME} expansion) placed per LWRAP_ARGS_AT.
load test_helper

@test "quoting: single, double, backslash, empty words, literal \$ forms" {
    export V='v  1'
    LWRAP_ARGS=$'-a  "b c" \'d  e\' f\\ g "" \'\' h\\"i "j\\"k" "l\\\\m" "n\\o" ${V} "${V}" \'${V}\' \\${V} $V $(echo x) `y` "a"\'b\'c' \
        run -0 --separate-stderr "$LWRAP" "$WR_STUB" last
    [ -z "$stderr" ]
    diff -u - <(printf '%s\n' "$output") <<'OUT'
-a
b c
d  e
f g


h"i
j"k
l\m
n\o
v  1
v  1
${V}
${V}
$V
$(echo
x)
`y`
abc
last
OUT
}

@test "blanks: tabs and newlines separate words; an empty or blank LWRAP_ARGS adds nothing" {
    LWRAP_ARGS=$'\t a\tb\n\nc  ' run -0 "$LWRAP" "$WR_STUB" z
    [ "$output" = $'a\nb\nc\nz' ]
    LWRAP_ARGS= run -0 "$LWRAP" "$WR_STUB" z
    [ "$output" = z ]
    LWRAP_ARGS=$' \t\n' run -0 "$LWRAP" "$WR_STUB" z
    [ "$output" = z ]
}

@test "\${NAME}: unset expands to nothing (a lone unquoted one drops the word), values are not split again" {
    export V='a b' EMPTY=
    LWRAP_ARGS='${UNSET_X} "${UNSET_X}" x${UNSET_X}y ${EMPTY} ${V}' run -0 "$LWRAP" "$WR_STUB" z
    printf '%s\n' "$output" | diff -u - <(printf '%s\n' '' xy 'a b' z)
}

@test "\${NAME} sees the environment after lwrap's edits; backslash-newline joins lines" {
    LWRAP_SET_FLAG=--from-set LWRAP_ARGS=$'${FLAG} --one\\\n--two' run -0 "$LWRAP" "$WR_STUB" z
    [ "$output" = $'--from-set\n--one--two\nz' ]
}

@test "positions for a plain command: interpreter (default), script, end" {
    LWRAP_ARGS='-x "y z"' run -0 "$LWRAP" "$WR_STUB" a b
    [ "$output" = $'-x\ny z\na\nb' ]
    LWRAP_ARGS_AT=interpreter LWRAP_ARGS='-x' run -0 "$LWRAP" "$WR_STUB" a b
    [ "$output" = $'-x\na\nb' ]
    LWRAP_ARGS_AT=script LWRAP_ARGS='-x' run -0 "$LWRAP" "$WR_STUB" a b
    [ "$output" = $'a\n-x\nb' ]
    LWRAP_ARGS_AT=end LWRAP_ARGS='-x' run -0 "$LWRAP" "$WR_STUB" a b
    [ "$output" = $'a\nb\n-x' ]
}

@test "positions with only the interpreter: every position is right after it" {
    for at in interpreter script end; do
        LWRAP_ARGS_AT=$at LWRAP_ARGS='-x -y' run -0 "$LWRAP" "$WR_STUB"
        [ "$output" = $'-x\n-y' ]
    done
}

@test "positions on AWS's Python command line" {
    py=$(wr_stub_as python3.12)
    LWRAP_ARGS='-X dev' run -0 "$LWRAP" "$py" /var/runtime/bootstrap.py
    [ "$output" = $'-X\ndev\n/var/runtime/bootstrap.py' ]
    LWRAP_ARGS_AT=script LWRAP_ARGS='-X dev' run -0 "$LWRAP" "$py" /var/runtime/bootstrap.py
    [ "$output" = $'-X\ndev\n/var/runtime/bootstrap.py' ]
    LWRAP_ARGS_AT=end LWRAP_ARGS='-X dev' run -0 "$LWRAP" "$py" /var/runtime/bootstrap.py
    [ "$output" = $'/var/runtime/bootstrap.py\n-X\ndev' ]
}

@test "script position on python -m / -c: before -m (the runtime interface client's command line)" {
    py=$(wr_stub_as python3)
    LWRAP_ARGS_AT=script LWRAP_ARGS='-X dev' run -0 "$LWRAP" "$py" -m awslambdaric app.handler
    [ "$output" = $'-X\ndev\n-m\nawslambdaric\napp.handler' ]
    LWRAP_ARGS_AT=script LWRAP_ARGS=-u run -0 "$LWRAP" "$py" -X importtime -W ignore -c 'print(1)' a b
    [ "$output" = $'-X\nimporttime\n-W\nignore\n-u\n-c\nprint(1)\na\nb' ]
    # flags in one word (-Bm), attached values that contain m or c (-Wdefault::DeprecationWarning)
    LWRAP_ARGS_AT=script LWRAP_ARGS=-u run -0 "$LWRAP" "$py" -Wdefault::DeprecationWarning -Xfrozen_modules=off -Bm mod x
    [ "$output" = $'-Wdefault::DeprecationWarning\n-Xfrozen_modules=off\n-u\n-Bm\nmod\nx' ]
    # a script with arguments: before the script, not before its last argument
    LWRAP_ARGS_AT=script LWRAP_ARGS=-u run -0 "$LWRAP" "$py" -E app.py --port 80
    [ "$output" = $'-E\n-u\napp.py\n--port\n80' ]
}

@test "positions on AWS's Node.js command line" {
    node=$(wr_stub_as node)
    cmd=("$node" --expose-gc --max-http-header-size 81920 /var/runtime/index.mjs)
    LWRAP_ARGS=--no-opt run -0 "$LWRAP" "${cmd[@]}"
    [ "$output" = $'--no-opt\n--expose-gc\n--max-http-header-size\n81920\n/var/runtime/index.mjs' ]
    LWRAP_ARGS_AT=script LWRAP_ARGS=--no-opt run -0 "$LWRAP" "${cmd[@]}"
    [ "$output" = $'--expose-gc\n--max-http-header-size\n81920\n--no-opt\n/var/runtime/index.mjs' ]
    LWRAP_ARGS_AT=end LWRAP_ARGS=--no-opt run -0 "$LWRAP" "${cmd[@]}"
    [ "$output" = $'--expose-gc\n--max-http-header-size\n81920\n/var/runtime/index.mjs\n--no-opt' ]
}

@test "script position on node and ruby: before the script or the code, never among the program's arguments" {
    node=$(wr_stub_as node)
    LWRAP_ARGS_AT=script LWRAP_ARGS=--no-opt run -0 "$LWRAP" "$node" --expose-gc -r ./pre.js index.js a b
    [ "$output" = $'--expose-gc\n-r\n./pre.js\n--no-opt\nindex.js\na\nb' ]
    LWRAP_ARGS_AT=script LWRAP_ARGS=--no-opt run -0 "$LWRAP" "$node" -e CODE a b
    [ "$output" = $'--no-opt\n-e\nCODE\na\nb' ]
    LWRAP_ARGS_AT=script LWRAP_ARGS=--no-opt run -0 "$LWRAP" "$node" --max-http-header-size 81920 -- -x.js a
    [ "$output" = $'--max-http-header-size\n81920\n--\n--no-opt\n-x.js\na' ]
    ruby=$(wr_stub_as ruby)
    LWRAP_ARGS_AT=script LWRAP_ARGS=-W0 run -0 "$LWRAP" "$ruby" -I lib -rjson --disable gems script.rb a b
    [ "$output" = $'-I\nlib\n-rjson\n--disable\ngems\n-W0\nscript.rb\na\nb' ]
    LWRAP_ARGS_AT=script LWRAP_ARGS=-W0 run -0 "$LWRAP" "$ruby" -ne CODE a
    [ "$output" = $'-W0\n-ne\nCODE\na' ]
    # a family lwrap cannot parse: before the last argument, as AWS's bash sample does
    LWRAP_ARGS_AT=script LWRAP_ARGS=-x run -0 "$LWRAP" "$WR_STUB" --opt a b
    [ "$output" = $'--opt\na\n-x\nb' ]
}

@test "script position on the real node: the flag reaches node, the script's argv stays its own" {
    command -v node >/dev/null || skip "no node"
    printf '%s\n' 'console.log(JSON.stringify([process.argv.slice(2), process.execArgv]))' >index.js
    LWRAP_ARGS_AT=script LWRAP_ARGS=--no-warnings run -0 "$LWRAP" "$(wr_real_cmd node)" index.js a b
    [ "$output" = '[["a","b"],["--no-warnings"]]' ]
}

@test "positions on AWS's Java command line: script is before the main class, not the handler" {
    java=$(wr_stub_as java)
    cmd=("$java" -XX:+UseSerialGC -classpath /var/runtime/lib Main example.Handler::handle)
    LWRAP_ARGS=-Xss2m run -0 "$LWRAP" "${cmd[@]}"
    [ "$output" = $'-Xss2m\n-XX:+UseSerialGC\n-classpath\n/var/runtime/lib\nMain\nexample.Handler::handle' ]
    LWRAP_ARGS_AT=script LWRAP_ARGS=-Xss2m run -0 "$LWRAP" "${cmd[@]}"
    [ "$output" = $'-XX:+UseSerialGC\n-classpath\n/var/runtime/lib\n-Xss2m\nMain\nexample.Handler::handle' ]
    LWRAP_ARGS_AT=end LWRAP_ARGS=-Xss2m run -0 "$LWRAP" "${cmd[@]}"
    [ "$output" = $'-XX:+UseSerialGC\n-classpath\n/var/runtime/lib\nMain\nexample.Handler::handle\n-Xss2m' ]
}

@test "positions on AWS's .NET command line: interpreter is after 'dotnet exec', script before the .dll" {
    dotnet=$(wr_stub_as dotnet)
    cmd=("$dotnet" exec --depsfile f.deps.json --runtimeconfig f.runtimeconfig.json Support.dll F::H)
    LWRAP_ARGS='--roll-forward Major' run -0 "$LWRAP" "${cmd[@]}"
    [ "$output" = $'exec\n--roll-forward\nMajor\n--depsfile\nf.deps.json\n--runtimeconfig\nf.runtimeconfig.json\nSupport.dll\nF::H' ]
    LWRAP_ARGS_AT=script LWRAP_ARGS=-x run -0 "$LWRAP" "${cmd[@]}"
    [ "$output" = $'exec\n--depsfile\nf.deps.json\n--runtimeconfig\nf.runtimeconfig.json\n-x\nSupport.dll\nF::H' ]
    # without "exec", dotnet is an ordinary interpreter
    LWRAP_ARGS=-x run -0 "$LWRAP" "$dotnet" app.dll
    [ "$output" = $'-x\napp.dll' ]
}

@test "bad LWRAP_ARGS_AT: one line, interpreter used, the runtime still runs" {
    LWRAP_ARGS_AT=middle LWRAP_ARGS=-x run -0 --separate-stderr "$LWRAP" "$WR_STUB" a b
    [ "$stderr" = 'lwrap: LWRAP_ARGS_AT: unknown position "middle" (want interpreter, script or end); ignored' ]
    [ "$output" = $'-x\na\nb' ]
}

@test "bad LWRAP_ARGS: exact message, no argument added, the runtime still runs with its own" {
    check() {
        LWRAP_ARGS=$1 STUB_PID=1 run -0 --separate-stderr bash -c 'echo "pid $$"; exec "$@"' _ "$LWRAP" "$WR_STUB" a
        [ "$stderr" = "lwrap: LWRAP_ARGS: $2; ignored" ] || { echo "for [$1]: $stderr"; return 1; }
        [ "${lines[0]}" = "${lines[1]}" ] && [ "${lines[2]}" = a ] && [ "${#lines[@]}" -eq 3 ]
    }
    check "-x 'abc" "unterminated single quote"
    check '-x "abc' "unterminated double quote"
    check '-x "a\"' "unterminated double quote"
    check '-x abc\' "trailing backslash"
    check '-x ${HOME' 'unterminated ${'
    check '-x ${A-B}' 'bad substitution: ${...} takes a variable name'
    check '-x ${}' 'bad substitution: ${...} takes a variable name'
    check '-x "${1X}"' 'bad substitution: ${...} takes a variable name'
}
