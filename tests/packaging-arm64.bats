#!/usr/bin/env bats
# arm64 for real: the cross-built lwrap and liblwrap.so run under qemu-aarch64 (Debian
# qemu-user with the cross glibc; no binfmt here, so every arm64 program is started
# through qemu-aarch64 explicitly, including the one lwrap execs).
load test_helper

setup_file() {
    pk_build_native
    if command -v "${PK_ARM64_CROSS}gcc" >/dev/null; then pk_build_arm64; fi
}

setup() {
    lwrap_test_setup
    pk_require_cmd "${PK_ARM64_CROSS}gcc" "gcc-aarch64-linux-gnu"
    pk_require_qemu
    QEMU=$(command -v qemu-aarch64)
    PROBE=$BUILD_ARM64/tests/packaging/argv-probe
}

@test "the arm64 test program runs under qemu" {
    run -0 --separate-stderr pk_qemu "$PROBE" x
    [ "$output" = "arg: x
var: (unset)
preload: (none)
write: libc.so.6" ]
}

@test "arm64 lwrap execs the program with LWRAP_ARGS and environment edits" {
    # lwrap execs qemu-aarch64 (a host program), which runs the arm64 probe; the edits
    # go at the end so qemu's own arguments stay in front.
    LWRAP_ARGS="--flag 'two words' \"x y\"" LWRAP_ARGS_AT=end LWRAP_SET_LWRAP_PROBE_VAR=from-lwrap \
        run -0 --separate-stderr pk_qemu "$BUILD_ARM64/lwrap" "$QEMU" -L "$PK_ARM64_SYSROOT" "$PROBE" first
    [ "$output" = "arg: first
arg: --flag
arg: two words
arg: x y
var: from-lwrap
preload: (none)
write: libc.so.6" ]
    [ "$stderr" = "" ]
}

@test "arm64 lwrap passes the program's exit status and reports a missing program with 127" {
    run -3 pk_qemu "$BUILD_ARM64/lwrap" /bin/sh -c 'exit 3'
    run -127 --separate-stderr pk_qemu "$BUILD_ARM64/lwrap" /nonexistent/runtime
    [[ $stderr == *"/nonexistent/runtime"* ]]
}

@test "the arm64 liblwrap.so loads and its write() hook carries the program's output" {
    run -0 --separate-stderr pk_qemu -E LD_PRELOAD="$BUILD_ARM64/liblwrap.so" "$PROBE" one
    [ "$output" = "arg: one
var: (unset)
preload: $BUILD_ARM64/liblwrap.so
write: liblwrap.so" ]
    [ "$stderr" = "" ]
}

@test "under qemu the arm64 write() hook runs: the preload's debug channel records the output" {
    run -0 --separate-stderr pk_qemu -E LD_PRELOAD="$BUILD_ARM64/liblwrap.so" \
        -E LWRAP_OBSERVER_LOG="$PWD/obs.log" "$PROBE" hooked
    [ "${lines[0]}" = "arg: hooked" ]
    run -0 grep -c '^out .* fd=1 .*data=arg: hooked\\x0a$' obs.log
    [ "$output" = 1 ]
}

@test "under qemu the arm64 log pipeline rewrites each stdout line (LWRAP_LOGS=json)" {
    run -0 --separate-stderr pk_qemu -E LD_PRELOAD="$BUILD_ARM64/liblwrap.so" -E LWRAP_LOGS=json "$PROBE" logged
    [ "$(jq -r '.level + " " + .message' <<<"$output")" = "INFO arg: logged
INFO var: (unset)
INFO preload: $BUILD_ARM64/liblwrap.so
INFO write: liblwrap.so" ]
    [[ ${lines[0]} == '{"timestamp":"'* ]]
}

@test "the arm64 compat probe (pinned libdl, libpthread, stat symbols) works under qemu" {
    run -0 --separate-stderr pk_qemu -E LD_PRELOAD="$BUILD_ARM64/tests/packaging/compat-probe.so" "$PROBE"
    [ "$stderr" = "compat-probe: ok" ]
}

@test "the arm64 layer: /opt/lwrap finds /opt/lib/liblwrap.so and the guest runs with it" {
    pk_make BUILD="$BUILD" DIST="$PWD/dist" layer-arm64
    mkdir opt && (cd opt && unzip -q ../dist/lwrap-layer-arm64.zip)
    # lwrap sets LD_PRELOAD for qemu-aarch64, which hands its environment to the guest;
    # the host loader's complaint about the arm64 library is expected on stderr.
    LWRAP_CRASH=1 run -0 --separate-stderr pk_qemu "$PWD/opt/lwrap" "$QEMU" -L "$PK_ARM64_SYSROOT" "$PROBE" z
    [ "$output" = "arg: z
var: (unset)
preload: $PWD/opt/lib/liblwrap.so
write: liblwrap.so" ]
}
