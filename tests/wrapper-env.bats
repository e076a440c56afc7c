#!/usr/bin/env bats
# Environment edits: LWRAP_SET_, LWRAP_DEFAULT_, LWRAP_APPEND_, LWRAP_PREPEND_, LWRAP_UNSET.
load test_helper

@test "LWRAP_SET_ sets, overriding an existing value; values are literal" {
    export B=old
    STUB_ENV='A B C' LWRAP_SET_A='x y' LWRAP_SET_B=new LWRAP_SET_C='${HOME} "q" \n' run -0 "$LWRAP" "$WR_STUB"
    [ "$output" = $'A=x y\nB=new\nC=${HOME} "q" \\n' ]
}

@test "LWRAP_SET_ with an empty value sets the variable to empty; lower-case names work" {
    export A=old
    STUB_ENV='A lower' LWRAP_SET_A= LWRAP_SET_lower=v run -0 "$LWRAP" "$WR_STUB"
    [ "$output" = $'A=\nlower=v' ]
}

@test "LWRAP_DEFAULT_ sets only a variable that is unset or empty" {
    export SETVAR=keep EMPTYVAR=
    STUB_ENV='SETVAR EMPTYVAR NEWVAR' LWRAP_DEFAULT_SETVAR=d1 LWRAP_DEFAULT_EMPTYVAR=d2 LWRAP_DEFAULT_NEWVAR=d3 \
        run -0 "$LWRAP" "$WR_STUB"
    [ "$output" = $'SETVAR=keep\nEMPTYVAR=d2\nNEWVAR=d3' ]
}

@test "LWRAP_APPEND_ uses a space, and ':' for names ending in PATH" {
    export NODE_OPTIONS=--a MYPATH=/x PYTHONPATH=/p
    STUB_ENV='NODE_OPTIONS MYPATH PYTHONPATH NEWOPTS NEWPATH' LWRAP_APPEND_NODE_OPTIONS='--b --c' \
        LWRAP_APPEND_MYPATH=/y LWRAP_APPEND_PYTHONPATH=/opt/a:/opt/b LWRAP_APPEND_NEWOPTS=-v \
        LWRAP_APPEND_NEWPATH=/n run -0 "$LWRAP" "$WR_STUB"
    [ "$output" = $'NODE_OPTIONS=--a --b --c\nMYPATH=/x:/y\nPYTHONPATH=/p:/opt/a:/opt/b\nNEWOPTS=-v\nNEWPATH=/n' ]
}

@test "LWRAP_PREPEND_ puts the new tokens first, in their order" {
    export PATH="/usr/bin:/bin" JAVA_TOOL_OPTIONS=-Xmx1g
    STUB_ENV='PATH JAVA_TOOL_OPTIONS' LWRAP_PREPEND_PATH=/opt/bin:/opt/sbin \
        LWRAP_PREPEND_JAVA_TOOL_OPTIONS='-Da=1 -Db=2' run -0 "$LWRAP" "$WR_STUB"
    [ "$output" = $'PATH=/opt/bin:/opt/sbin:/usr/bin:/bin\nJAVA_TOOL_OPTIONS=-Da=1 -Db=2 -Xmx1g' ]
}

@test "append and prepend are idempotent: a unit already present is moved, not added twice" {
    export NODE_OPTIONS='--a --b' PATH="/opt/bin:/usr/bin:/bin"
    STUB_ENV='NODE_OPTIONS PATH' LWRAP_APPEND_NODE_OPTIONS='--b --c --c' LWRAP_PREPEND_PATH=/bin:/opt/bin:/new \
        run -0 "$LWRAP" "$WR_STUB"
    [ "$output" = $'NODE_OPTIONS=--a --b --c\nPATH=/bin:/opt/bin:/new:/usr/bin' ]
    # lwrap run twice (nested) gives the same result as once
    STUB_ENV='NODE_OPTIONS PATH' LWRAP_APPEND_NODE_OPTIONS='--b --c' LWRAP_PREPEND_PATH=/new \
        run -0 "$LWRAP" "$LWRAP" "$WR_STUB"
    [ "$output" = $'NODE_OPTIONS=--a --b --c\nPATH=/new:/opt/bin:/usr/bin:/bin' ]
    # and applied to its own result, nothing changes
    export NODE_OPTIONS='--a --b --c' PATH=/bin:/opt/bin:/new:/usr/bin
    STUB_ENV='NODE_OPTIONS PATH' LWRAP_DEBUG=1 LWRAP_APPEND_NODE_OPTIONS='--b --c --c' LWRAP_PREPEND_PATH=/bin:/opt/bin:/new \
        run -0 --separate-stderr "$LWRAP" "$WR_STUB"
    [ "$output" = $'NODE_OPTIONS=--a --b --c\nPATH=/bin:/opt/bin:/new:/usr/bin' ]
    [ -z "$stderr" ]
}

@test "an option and its separate value are one unit: --require a --require b loads both" {
    STUB_ENV=NODE_OPTIONS LWRAP_APPEND_NODE_OPTIONS='--require ./a.js --require ./b.js' run -0 "$LWRAP" "$WR_STUB"
    [ "$output" = 'NODE_OPTIONS=--require ./a.js --require ./b.js' ]
    NODE_OPTIONS='--require ./a.js' STUB_ENV=NODE_OPTIONS LWRAP_PREPEND_NODE_OPTIONS='--require ./b.js' run -0 "$LWRAP" "$WR_STUB"
    [ "$output" = 'NODE_OPTIONS=--require ./b.js --require ./a.js' ]
    # -r, --import, --loader; a unit already there (as option=value too) is not repeated
    NODE_OPTIONS='-r ./a.js --import ./x.mjs' STUB_ENV=NODE_OPTIONS \
        LWRAP_APPEND_NODE_OPTIONS='-r ./a.js -r ./b.js --import ./x.mjs --loader ./l.mjs --import=./y.mjs' \
        run -0 "$LWRAP" "$WR_STUB"
    [ "$output" = 'NODE_OPTIONS=-r ./a.js -r ./b.js --import ./x.mjs --loader ./l.mjs --import=./y.mjs' ]
    # a quoted value with blanks is one word, as Node reads NODE_OPTIONS
    NODE_OPTIONS='--require "./my dir/a.js"' STUB_ENV=NODE_OPTIONS LWRAP_APPEND_NODE_OPTIONS='--require "./my dir/a.js" --require ./c.js' \
        run -0 "$LWRAP" "$WR_STUB"
    [ "$output" = 'NODE_OPTIONS=--require "./my dir/a.js" --require ./c.js' ]
}

@test "JAVA_TOOL_OPTIONS: each word is a unit (-javaagent:..., -Dx=y); JDK_JAVA_OPTIONS pairs --add-opens X" {
    JAVA_TOOL_OPTIONS='-javaagent:/opt/a.jar -Dx=1' STUB_ENV='JAVA_TOOL_OPTIONS JDK_JAVA_OPTIONS' \
        LWRAP_APPEND_JAVA_TOOL_OPTIONS='-Dx=1 -Dy=2 -javaagent:/opt/b.jar' \
        LWRAP_APPEND_JDK_JAVA_OPTIONS='--add-opens java.base/java.lang=ALL-UNNAMED --add-opens java.base/java.io=ALL-UNNAMED' \
        run -0 "$LWRAP" "$WR_STUB"
    [ "$output" = $'JAVA_TOOL_OPTIONS=-javaagent:/opt/a.jar -Dx=1 -Dy=2 -javaagent:/opt/b.jar\nJDK_JAVA_OPTIONS=--add-opens java.base/java.lang=ALL-UNNAMED --add-opens java.base/java.io=ALL-UNNAMED' ]
}

@test "PREPEND puts an entry that is already there first (APPEND: last), and LWRAP_DEBUG says so" {
    PATH=/d1:/d2:/usr/bin:/bin LD_LIBRARY_PATH=/var/lang/lib:/var/task/lib:/opt/lib STUB_ENV='PATH LD_LIBRARY_PATH' \
        LWRAP_DEBUG=1 LWRAP_PREPEND_PATH=/d2 LWRAP_APPEND_LD_LIBRARY_PATH=/var/lang/lib LWRAP_PREPEND_LD_LIBRARY_PATH=/var/task/lib \
        run -0 --separate-stderr "$LWRAP" "$WR_STUB"
    [ "$output" = $'PATH=/d2:/d1:/usr/bin:/bin\nLD_LIBRARY_PATH=/var/task/lib:/opt/lib:/var/lang/lib' ]
    diff -u - <(printf '%s\n' "$stderr") <<'ERR'
lwrap: set LD_LIBRARY_PATH=/var/task/lib:/var/lang/lib:/opt/lib (LWRAP_PREPEND_LD_LIBRARY_PATH)
lwrap: set PATH=/d2:/d1:/usr/bin:/bin (LWRAP_PREPEND_PATH)
lwrap: set LD_LIBRARY_PATH=/var/task/lib:/opt/lib:/var/lang/lib (LWRAP_APPEND_LD_LIBRARY_PATH)
ERR
}

@test "list variables use their own separator: RUBYLIB, PERL5LIB, PYTHONPATH, NODE_PATH, CLASSPATH, LD_PRELOAD" {
    l1=$(wr_fake_lib "$PWD/l1.so") l2=$(wr_fake_lib "$PWD/l2.so") l3=$(wr_fake_lib "$PWD/l3.so")
    RUBYLIB=/r1 PERL5LIB=/p1 NODE_PATH=/n1 CLASSPATH=/c1.jar LD_PRELOAD="$l1 $l2" \
        STUB_ENV='RUBYLIB PERL5LIB PYTHONPATH NODE_PATH CLASSPATH LD_PRELOAD' \
        LWRAP_APPEND_RUBYLIB=/r2 LWRAP_PREPEND_PERL5LIB=/p0 LWRAP_APPEND_PYTHONPATH=/y1:/y2 LWRAP_APPEND_NODE_PATH=/n2 \
        LWRAP_APPEND_CLASSPATH=/c2.jar LWRAP_APPEND_LD_PRELOAD="$l3 $l1" run -0 "$LWRAP" "$WR_STUB"
    diff -u - <(printf '%s\n' "$output") <<OUT
RUBYLIB=/r1:/r2
PERL5LIB=/p0:/p1
PYTHONPATH=/y1:/y2
NODE_PATH=/n1:/n2
CLASSPATH=/c1.jar:/c2.jar
LD_PRELOAD=$l2:$l3:$l1
OUT
}

@test "appending only tokens already there changes nothing (no note under LWRAP_DEBUG)" {
    export NODE_OPTIONS='--a'
    STUB_ENV=NODE_OPTIONS LWRAP_DEBUG=1 LWRAP_APPEND_NODE_OPTIONS='--a' run -0 --separate-stderr "$LWRAP" "$WR_STUB"
    [ "$output" = 'NODE_OPTIONS=--a' ]
    [ -z "$stderr" ]
}

@test "LWRAP_UNSET removes each comma-separated name (blanks around names allowed)" {
    export A=1 B=2 C=3 D=4
    STUB_ENV='A B C D' LWRAP_UNSET=' A, C ,,NOT_THERE' run -0 --separate-stderr "$LWRAP" "$WR_STUB"
    [ "$output" = $'A unset\nB=2\nC unset\nD=4' ]
    [ -z "$stderr" ]
}

@test "order: UNSET, then SET, then DEFAULT, then PREPEND, then APPEND" {
    export X=orig
    STUB_ENV=X LWRAP_UNSET=X LWRAP_APPEND_X=app LWRAP_PREPEND_X=pre LWRAP_DEFAULT_X=def run -0 "$LWRAP" "$WR_STUB"
    [ "$output" = 'X=pre def app' ]
    STUB_ENV=X LWRAP_SET_X=set LWRAP_DEFAULT_X=def LWRAP_APPEND_X=app run -0 "$LWRAP" "$WR_STUB"
    [ "$output" = 'X=set app' ]
}

@test "invalid names: one line each naming the variable, other edits still applied, runtime runs" {
    run -0 --separate-stderr env STUB_ENV='GOOD' 'LWRAP_SET_=x' 'LWRAP_SET_1BAD=x' 'LWRAP_APPEND_my-var=x' \
        'LWRAP_DEFAULT_a.b=x' LWRAP_SET_GOOD=yes LWRAP_UNSET='OK,B=c,9x,has space' "$LWRAP" "$WR_STUB" arg
    [ "$output" = $'arg\nGOOD=yes' ]
    diff -u - <(printf '%s\n' "$stderr") <<'ERR'
lwrap: LWRAP_UNSET: "B=c" is not a valid variable name (a name cannot contain "="); ignored
lwrap: LWRAP_UNSET: "9x" is not a valid variable name; ignored
lwrap: LWRAP_UNSET: "has space" is not a valid variable name; ignored
lwrap: LWRAP_SET_: empty variable name; ignored
lwrap: LWRAP_SET_1BAD: "1BAD" is not a valid variable name (letters, digits, _; no leading digit); ignored
lwrap: LWRAP_DEFAULT_a.b: "a.b" is not a valid variable name (letters, digits, _; no leading digit); ignored
lwrap: LWRAP_APPEND_my-var: "my-var" is not a valid variable name (letters, digits, _; no leading digit); ignored
ERR
}

@test "LWRAP_* settings themselves stay in the runtime's environment" {
    STUB_ENV='LWRAP_SET_A A' LWRAP_SET_A=1 run -0 "$LWRAP" "$WR_STUB"
    [ "$output" = $'LWRAP_SET_A=1\nA=1' ]
}
