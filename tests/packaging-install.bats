#!/usr/bin/env bats
# make install / uninstall with PREFIX and DESTDIR: lwrap in $(PREFIX)/bin, liblwrap.so in
# $(PREFIX)/lib, where the installed lwrap finds it (../lib/ relative to itself).
load test_helper

setup_file() {
    pk_build_native
}

@test "make install DESTDIR=... PREFIX=/usr puts exactly lwrap and liblwrap.so under DESTDIR" {
    pk_make BUILD="$BUILD" DESTDIR="$PWD/root" PREFIX=/usr install
    run -0 find root -type f -printf '%P %m\n'
    [ "$(sort <<<"$output")" = "usr/bin/lwrap 755
usr/lib/liblwrap.so 755" ]
    cmp root/usr/bin/lwrap "$LWRAP"
    cmp root/usr/lib/liblwrap.so "$LIBLWRAP"
}

@test "the installed lwrap runs and preloads the installed liblwrap.so from ../lib" {
    pk_make BUILD="$BUILD" PREFIX="$PWD/prefix" install
    LWRAP_CRASH=1 LWRAP_ARGS="--flag 'two words'" LWRAP_ARGS_AT=end LWRAP_SET_LWRAP_PROBE_VAR=set \
        run -0 --separate-stderr "$PWD/prefix/bin/lwrap" "$BUILD/tests/packaging/argv-probe" first
    [ "$output" = "arg: first
arg: --flag
arg: two words
var: set
preload: $PWD/prefix/lib/liblwrap.so
write: liblwrap.so" ]
}

@test "without a preload feature the installed lwrap execs the program unchanged" {
    pk_make BUILD="$BUILD" PREFIX="$PWD/prefix" install
    run -0 --separate-stderr "$PWD/prefix/bin/lwrap" "$BUILD/tests/packaging/argv-probe" a b
    [ "$output" = "arg: a
arg: b
var: (unset)
preload: (none)
write: libc.so.6" ]
    [ "$stderr" = "" ]
}

@test "make uninstall removes exactly what install put there" {
    mkdir -p root/usr/bin root/usr/lib
    echo keep >root/usr/bin/other
    echo keep >root/usr/lib/libother.so
    pk_make BUILD="$BUILD" DESTDIR="$PWD/root" PREFIX=/usr install
    pk_make BUILD="$BUILD" DESTDIR="$PWD/root" PREFIX=/usr uninstall
    run -0 find root -type f -printf '%P\n'
    [ "$(sort <<<"$output")" = "usr/bin/other
usr/lib/libother.so" ]
    # Uninstalling twice is not an error.
    pk_make BUILD="$BUILD" DESTDIR="$PWD/root" PREFIX=/usr uninstall
}
