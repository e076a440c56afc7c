#!/usr/bin/env bats
# glibc 2.31 for real (Debian 11, older than the 2.34 merge of libdl and libpthread into
# libc): the shipped x86_64 layer, unpacked into the root made by scripts/prepare-oldglibc,
# loads into perl and /bin/true, and watches a perl runtime loop that runs inside the root
# (chroot) against lambda-emu outside it, on loopback.
load test_helper

setup_file() {
    pk_build_native
    # The emulator (owned by its suites) is only needed by the runtime-loop tests, which
    # say so when it is missing.
    pk_make BUILD="$BUILD" "$BUILD/lambda-emu" || true
    export PK_DIST=$BATS_FILE_TMPDIR/dist
    pk_make BUILD="$BUILD" DIST="$PK_DIST" layer-x86_64
}

setup() {
    lwrap_test_setup
    pk_require_oldroot
    # The layer as Lambda unpacks it under /opt, here under a fresh directory in the root.
    pk_oldroot_stage "$FIXTURES/packaging/runtime.pl" "$BUILD/tests/packaging/compat-probe.so" \
        "$BUILD/tests/packaging/naive-dlsym.so"
    (cd "$PK_STAGE_HOST" && unzip -q "$PK_DIST/lwrap-layer-x86_64.zip")
}

teardown() {
    pk_oldroot_cleanup
    lwrap_test_teardown
}

@test "the root really is glibc 2.31, where a naively built library does not load" {
    run -0 pk_chroot ldd --version
    [[ ${lines[0]} == "ldd (Debian GLIBC 2.31-"*") 2.31" ]]
    run -1 --separate-stderr pk_chroot LD_PRELOAD="$PK_STAGE/naive-dlsym.so" /bin/true
    [ "$stderr" = "/bin/true: /lib/x86_64-linux-gnu/libc.so.6: version \`GLIBC_2.34' not found (required by $PK_STAGE/naive-dlsym.so)" ]
}

@test "the layer's liblwrap.so loads on glibc 2.31 into /bin/true and perl" {
    run -0 --separate-stderr pk_chroot LD_PRELOAD="$PK_STAGE/lib/liblwrap.so" /bin/true
    [ "$output" = "" ]
    [ "$stderr" = "" ]
    run -0 --separate-stderr pk_chroot LD_PRELOAD="$PK_STAGE/lib/liblwrap.so" perl -e 'print "perl ok\n"'
    [ "$output" = "perl ok" ]
    [ "$stderr" = "" ]
}

@test "the pinned libdl, libpthread and stat symbols work on glibc 2.31" {
    run -0 --separate-stderr pk_chroot LD_PRELOAD="$PK_STAGE/compat-probe.so" /bin/true
    [ "$stderr" = "compat-probe: ok" ]
}

@test "the static lwrap from the layer runs in the root and preloads lib/liblwrap.so next to it" {
    # What perl has mapped (the preload may remove LD_PRELOAD from the environment).
    printf '%s\n' 'open my $m, "<", "/proc/self/maps" or die; my %s;' \
        'while (<$m>) { $s{$1} = 1 if m{ (/\S*liblwrap\.so)$} } print "$_\n" for sort keys %s;' \
        'print "arg: $_\n" for @ARGV;' >"$PK_STAGE_HOST/maps.pl"
    run -0 --separate-stderr pk_chroot LWRAP_CRASH=1 LWRAP_ARGS="'two words'" LWRAP_ARGS_AT=end \
        "$PK_STAGE/lwrap" perl "$PK_STAGE/maps.pl" one
    [ "$output" = "$PK_STAGE/lib/liblwrap.so
arg: one
arg: two words" ]
}

@test "on glibc 2.31 the write() hook runs: the debug channel sees perl's output" {
    run -0 --separate-stderr pk_chroot LD_PRELOAD="$PK_STAGE/lib/liblwrap.so" \
        LWRAP_OBSERVER_LOG="$PK_STAGE/obs.log" perl -e 'syswrite STDOUT, "hi\n"'
    [ "$output" = "hi" ]
    run -0 grep -c '^out .* fd=1 .*data=hi' "$PK_STAGE_HOST/obs.log"
    [ "$output" = 1 ]
}

@test "a perl runtime loop in the root, through the layer's lwrap, against lambda-emu: the preload sees each request id" {
    [[ -x $EMU ]] || skip "lambda-emu not built"
    printf '{"n":1}' >e1.json
    printf '{"n":2}' >e2.json
    run -0 --separate-stderr "$EMU" --log-format json --event e1.json --event e2.json \
        -e LWRAP_CRASH=1 -e LWRAP_OBSERVER_LOG="$PK_STAGE/obs.log" -- \
        "${PK_CHROOT[@]}" "$PK_STAGE/lwrap" perl "$PK_STAGE/runtime.pl"
    emu_out=$output
    ids=$(jq -r 'select(.type == "response") | .requestId' <<<"$emu_out")
    [ "$(wc -l <<<"$ids")" -eq 2 ]
    [ "$(jq -r 'select(.type == "response") | .status + " " + .body' <<<"$emu_out")" = 'success {"n":1}
success {"n":2}' ]
    log=$PK_STAGE_HOST/obs.log
    # The end of the first invoke is logged before the runtime asks for the second one;
    # the last one's may be cut short by the emulator's shutdown, so it is not asserted.
    first=$(head -n 1 <<<"$ids")
    grep -q "^end .* id=$first via=response " "$log" || { cat "$log"; false; }
    for id in $ids; do
        grep -q "^start .* id=$id " "$log" || { cat "$log"; false; }
        # The runtime's own stdout line is attributed to the invoke it belongs to.
        grep -q "^out .* fd=1 id=$id .*data=handling $id" "$log" || { cat "$log"; false; }
        # ... and the emulator agrees.
        [ "$(jq -r --arg id "$id" 'select(.type == "function" and .requestId == $id) | .message' <<<"$emu_out")" = "handling $id" ]
    done
}

@test "on glibc 2.31 the startup trace works, including the dlopen hook (perl loading its XS modules)" {
    [[ -x $EMU ]] || skip "lambda-emu not built"
    printf '{}' >e1.json
    run -0 --separate-stderr "$EMU" --log-format json --event e1.json -e LWRAP_TRACE=text -- \
        "${PK_CHROOT[@]}" "$PK_STAGE/lwrap" perl "$PK_STAGE/runtime.pl"
    trace=$(jq -r 'select(.type == "function" and .stream == "telemetry") | .message' <<<"$output")
    [[ $trace == "LWRAP TRACE "* ]] || { echo "$output"; false; }
    [[ $trace == *"/perl-base/auto/Socket/Socket.so:"* ]] || { echo "$trace"; false; }
    [ "$(jq -r 'select(.type == "response") | .status' <<<"$output")" = success ]
}
