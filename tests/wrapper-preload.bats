#!/usr/bin/env bats
# Preload injection: which settings ask for liblwrap.so, where lwrap finds it,
# how LD_PRELOAD is edited, and the start time handed to it.
load test_helper

setup() {
    lwrap_test_setup
    FAKELIB=$(wr_fake_lib "$BATS_TEST_TMPDIR/lib/liblwrap.so")
}

@test "each preload feature injects liblwrap.so and _LWRAP_START_NS" {
    for setting in LWRAP_TRACE=text LWRAP_TRACE=json LWRAP_LOGS=json LWRAP_LOGS=text LWRAP_LOG_LEVEL=WARN \
        LWRAP_REDACT=secret LWRAP_EXTENSION=1 LWRAP_CRASH=1 LWRAP_TRACE_FILE=/tmp/t-%p.json \
        LWRAP_TRACE_OTLP=http://127.0.0.1:4318; do
        run -0 --separate-stderr env "$setting" LWRAP_PRELOAD_PATH="$FAKELIB" STUB_ENV='LD_PRELOAD _LWRAP_START_NS' \
            "$LWRAP" "$WR_STUB"
        [ -z "$stderr" ]
        [ "${lines[0]}" = "LD_PRELOAD=$FAKELIB" ] || { echo "$setting: $output"; return 1; }
        [[ ${lines[1]} =~ ^_LWRAP_START_NS=[1-9][0-9]*$ ]]
    done
}

@test "LWRAP_EXTENSION and LWRAP_CRASH: on and true count as 1, as the preload reads them; a bad flag adds nothing" {
    for setting in LWRAP_EXTENSION=true LWRAP_EXTENSION=on LWRAP_CRASH=true LWRAP_CRASH=on; do
        run -0 --separate-stderr env "$setting" LWRAP_PRELOAD_PATH="$FAKELIB" STUB_ENV='LD_PRELOAD' "$LWRAP" "$WR_STUB"
        [ -z "$stderr" ] && [ "$output" = "LD_PRELOAD=$FAKELIB" ] || { echo "$setting: $output $stderr"; return 1; }
    done
    run -0 --separate-stderr env LWRAP_CRASH=yes LWRAP_PRELOAD_PATH="$FAKELIB" STUB_ENV='LD_PRELOAD' "$LWRAP" "$WR_STUB"
    [ "$output" = 'LD_PRELOAD unset' ]
    [ "$stderr" = 'lwrap: LWRAP_CRASH: want 1, on or true, or 0 or off, got "yes"; ignored' ]
}

@test "features off (or nothing asked) leave LD_PRELOAD and _LWRAP_START_NS alone" {
    for setting in LWRAP_TRACE=off LWRAP_TRACE= LWRAP_LOGS=off LWRAP_LOG_LEVEL= LWRAP_EXTENSION=0 LWRAP_CRASH=0 X=1 \
        LWRAP_TRACE_FILE=off LWRAP_TRACE_OTLP=; do
        run -0 --separate-stderr env "$setting" LWRAP_PRELOAD_PATH="$FAKELIB" STUB_ENV='LD_PRELOAD _LWRAP_START_NS' \
            "$LWRAP" "$WR_STUB"
        [ "$output" = $'LD_PRELOAD unset\n_LWRAP_START_NS unset' ] || { echo "$setting: $output"; return 1; }
    done
}

@test "existing LD_PRELOAD entries are kept, liblwrap.so goes last (':'-separated: ld.so reads both)" {
    a=$(wr_fake_lib "$PWD/a/liba.so") b=$(wr_fake_lib "$PWD/b/libb.so")
    LD_PRELOAD="$a:$b" STUB_ENV=LD_PRELOAD LWRAP_TRACE=text LWRAP_PRELOAD_PATH=$FAKELIB run -0 "$LWRAP" "$WR_STUB"
    [ "$output" = "LD_PRELOAD=$a:$b:$FAKELIB" ]
    LD_PRELOAD="$a $b" STUB_ENV=LD_PRELOAD LWRAP_TRACE=text LWRAP_PRELOAD_PATH=$FAKELIB run -0 "$LWRAP" "$WR_STUB"
    [ "$output" = "LD_PRELOAD=$a:$b:$FAKELIB" ]
}

@test "never twice: any liblwrap.so already in LD_PRELOAD stays the only one" {
    other=$(wr_fake_lib "$PWD/other/liblwrap.so")
    a=$(wr_fake_lib "$PWD/a/liba.so")
    LD_PRELOAD="$a:$other" STUB_ENV='LD_PRELOAD _LWRAP_START_NS' LWRAP_TRACE=text LWRAP_PRELOAD_PATH=$FAKELIB \
        run -0 --separate-stderr "$LWRAP" "$WR_STUB"
    [ "${lines[0]}" = "LD_PRELOAD=$a:$other" ]
    [[ ${lines[1]} =~ ^_LWRAP_START_NS=[0-9]+$ ]]
    # lwrap under lwrap: still once
    STUB_ENV=LD_PRELOAD LWRAP_TRACE=text LWRAP_PRELOAD_PATH=$FAKELIB run -0 "$LWRAP" "$LWRAP" "$WR_STUB"
    [ "$output" = "LD_PRELOAD=$FAKELIB" ]
}

@test "search next to lwrap: lib/, then ../lib/, then the same directory" {
    lw=$(wr_copy_lwrap "$PWD/opt/bin")
    wr_fake_lib "$PWD/opt/bin/liblwrap.so" >/dev/null
    STUB_ENV=LD_PRELOAD LWRAP_TRACE=text run -0 "$lw" "$WR_STUB"
    [ "$output" = "LD_PRELOAD=$PWD/opt/bin/liblwrap.so" ]
    wr_fake_lib "$PWD/opt/lib/liblwrap.so" >/dev/null
    STUB_ENV=LD_PRELOAD LWRAP_TRACE=text run -0 "$lw" "$WR_STUB"
    [ "$output" = "LD_PRELOAD=$PWD/opt/lib/liblwrap.so" ]
    wr_fake_lib "$PWD/opt/bin/lib/liblwrap.so" >/dev/null
    STUB_ENV=LD_PRELOAD LWRAP_TRACE=text run -0 "$lw" "$WR_STUB"
    [ "$output" = "LD_PRELOAD=$PWD/opt/bin/lib/liblwrap.so" ]
}

@test "the layer layout: /opt/lwrap finds /opt/lib/liblwrap.so (lib/ next to it)" {
    lw=$(wr_copy_lwrap "$PWD/opt")
    wr_fake_lib "$PWD/opt/lib/liblwrap.so" >/dev/null
    STUB_ENV=LD_PRELOAD LWRAP_CRASH=1 run -0 "$lw" "$WR_STUB"
    [ "$output" = "LD_PRELOAD=$PWD/opt/lib/liblwrap.so" ]
}

@test "the build tree: build/lwrap finds build/liblwrap.so" {
    [ -f "$LIBLWRAP" ]
    LWRAP_TRACE=text run -0 "$LWRAP" --explain "$WR_STUB"
    [[ $output == *"set LD_PRELOAD=$LIBLWRAP (LWRAP_TRACE)"* ]]
}

@test "a symlink to lwrap still finds the library next to the real binary" {
    lw=$(wr_copy_lwrap "$PWD/opt")
    wr_fake_lib "$PWD/opt/lib/liblwrap.so" >/dev/null
    mkdir elsewhere
    ln -s "$lw" elsewhere/lwrap
    STUB_ENV=LD_PRELOAD LWRAP_TRACE=text run -0 elsewhere/lwrap "$WR_STUB"
    [ "$output" = "LD_PRELOAD=$PWD/opt/lib/liblwrap.so" ]
}

@test "never the current directory; missing library: one line, the runtime starts without it" {
    lw=$(wr_copy_lwrap "$PWD/x/opt")
    wr_fake_lib "$PWD/liblwrap.so" >/dev/null
    cd "$PWD/lib" # holds liblwrap.so too (setup)
    STUB_PID=1 STUB_ENV='LD_PRELOAD _LWRAP_START_NS' LWRAP_TRACE=text run -0 --separate-stderr \
        bash -c 'echo "pid $$"; exec "$@"' _ "$lw" "$WR_STUB"
    o=$BATS_TEST_TMPDIR/x/opt
    [ "$stderr" = "lwrap: liblwrap.so: not found in $o/lib, $o/../lib or $o; starting without it (set LWRAP_PRELOAD_PATH); ignored" ]
    [ "${lines[0]}" = "${lines[1]}" ]
    [ "${lines[2]}" = 'LD_PRELOAD unset' ]
    [ "${lines[3]}" = '_LWRAP_START_NS unset' ]
}

@test "LWRAP_PRELOAD_PATH: a file or a directory, made canonical; a relative one is refused (security.bats)" {
    STUB_ENV=LD_PRELOAD LWRAP_TRACE=text LWRAP_PRELOAD_PATH=$FAKELIB run -0 "$LWRAP" "$WR_STUB"
    [ "$output" = "LD_PRELOAD=$FAKELIB" ]
    STUB_ENV=LD_PRELOAD LWRAP_TRACE=text LWRAP_PRELOAD_PATH=$BATS_TEST_TMPDIR/lib run -0 "$LWRAP" "$WR_STUB"
    [ "$output" = "LD_PRELOAD=$FAKELIB" ]
    STUB_ENV=LD_PRELOAD LWRAP_TRACE=text LWRAP_PRELOAD_PATH=$BATS_TEST_TMPDIR/lib/../lib/liblwrap.so run -0 "$LWRAP" "$WR_STUB"
    [ "$output" = "LD_PRELOAD=$FAKELIB" ]
    STUB_ENV=LD_PRELOAD LWRAP_TRACE=text LWRAP_PRELOAD_PATH=lib/liblwrap.so run -0 --separate-stderr "$LWRAP" "$WR_STUB"
    [ "$stderr" = "lwrap: LWRAP_PRELOAD_PATH: lib/liblwrap.so: not an absolute path; looking next to lwrap; ignored" ]
    [ "$output" != "LD_PRELOAD=$FAKELIB" ] # not the current directory's
}

@test "LWRAP_PRELOAD_PATH that does not hold the library: one line, then the usual search" {
    lw=$(wr_copy_lwrap "$PWD/opt")
    wr_fake_lib "$PWD/opt/lib/liblwrap.so" >/dev/null
    STUB_ENV=LD_PRELOAD LWRAP_TRACE=text LWRAP_PRELOAD_PATH=/nonexistent/liblwrap.so run -0 --separate-stderr "$lw" "$WR_STUB"
    [ "$stderr" = 'lwrap: LWRAP_PRELOAD_PATH: /nonexistent/liblwrap.so: no readable library there; looking next to lwrap; ignored' ]
    [ "$output" = "LD_PRELOAD=$PWD/opt/lib/liblwrap.so" ]
}

@test "a library path LD_PRELOAD cannot hold (blank or colon) is refused with one line" {
    lib=$(wr_fake_lib "$PWD/my dir/liblwrap.so")
    STUB_ENV=LD_PRELOAD LWRAP_TRACE=text LWRAP_PRELOAD_PATH=$lib run -0 --separate-stderr "$LWRAP" "$WR_STUB"
    [ "$stderr" = "lwrap: liblwrap.so: $lib: LD_PRELOAD cannot hold a path with ':' or ' '; starting without it; ignored" ]
    [ "$output" = 'LD_PRELOAD unset' ]
}

@test "_LWRAP_START_NS is CLOCK_MONOTONIC in ns, taken when lwrap started" {
    py=$(wr_real_cmd python3)
    before=$("$py" -c 'import time; print(time.monotonic_ns())')
    STUB_ENV=_LWRAP_START_NS LWRAP_TRACE=text LWRAP_PRELOAD_PATH=$FAKELIB run -0 "$LWRAP" "$WR_STUB"
    after=$("$py" -c 'import time; print(time.monotonic_ns())')
    ns=${output#_LWRAP_START_NS=}
    [[ $ns =~ ^[0-9]+$ ]]
    ((before < ns && ns < after))
}

@test "a statically linked runtime (a Go bootstrap): one line says the preload cannot load, none is added" {
    printf 'int main(void) { return 7; }\n' >static.c
    cc -static -o bootstrap-go static.c
    STUB_ENV=LD_PRELOAD LWRAP_LOGS=text LWRAP_PRELOAD_PATH=$FAKELIB run -7 --separate-stderr "$LWRAP" ./bootstrap-go
    [ "$stderr" = "lwrap: LWRAP_LOGS: ./bootstrap-go is statically linked: liblwrap.so cannot load into it, so the preload's features do not apply; ignored" ]
    LWRAP_TRACE=json LWRAP_PRELOAD_PATH=$FAKELIB run -0 --separate-stderr "$LWRAP" --explain ./bootstrap-go
    [ "$output" = $'no preload: ./bootstrap-go is statically linked (LWRAP_TRACE)\nargv ./bootstrap-go' ]
    [[ $stderr == 'lwrap: LWRAP_TRACE: ./bootstrap-go is statically linked'* ]]
    # through PATH, and as the interpreter of a #! script
    printf '#!%s\n' "$PWD/bootstrap-go" >script
    chmod 755 script
    PATH=$PWD:$PATH LWRAP_CRASH=1 LWRAP_PRELOAD_PATH=$FAKELIB run -0 --separate-stderr "$LWRAP" --explain script
    [ "$output" = "no preload: $PWD/bootstrap-go is statically linked (LWRAP_CRASH)"$'\nargv script' ]
    [ "$stderr" = "lwrap: LWRAP_CRASH: $PWD/bootstrap-go is statically linked: liblwrap.so cannot load into it, so the preload's features do not apply; ignored" ]
    # a dynamic runtime still gets it
    LWRAP_LOGS=text LWRAP_PRELOAD_PATH=$FAKELIB run -0 --separate-stderr "$LWRAP" --explain "$(command -v true)"
    [[ $output == *"set LD_PRELOAD=$FAKELIB (LWRAP_LOGS)"* ]]
}
