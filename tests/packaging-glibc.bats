#!/usr/bin/env bats
# liblwrap.so must load on glibc 2.26 (Amazon Linux 2) on x86_64 and arm64, and lwrap must
# be static: scripts/check-glibc reads the built objects; these tests check the checker
# (it fails on a deliberately bad object) and what glibc_compat.h does to an object.
load test_helper

setup_file() {
    pk_build_native
    if command -v "${PK_ARM64_CROSS}gcc" >/dev/null; then pk_build_arm64; fi
}

# versions FILE: the GLIBC_ versions FILE requires, one per line, sorted.
versions() {
    readelf -V -W "$1" | sed -n 's/^ *0x[0-9a-f]*: *Name: *\(GLIBC_[0-9.]*\) .*/\1/p' | sort -uV
}

# imports FILE: undefined dynamic symbols with their versions (name@VERSION), sorted.
imports() {
    readelf --dyn-syms -W "$1" | awk '$7 == "UND" && $8 ~ /@/ { sub(/ \(.*/, "", $8); print $8 }' | sort -u
}

arm64_or_skip() {
    pk_require_cmd "${PK_ARM64_CROSS}gcc" "gcc-aarch64-linux-gnu"
}

@test "liblwrap.so (x86_64) needs nothing newer than GLIBC_2.26 and only glibc libraries" {
    run -0 "$REPO/scripts/check-glibc" "$LIBLWRAP"
    [[ $output =~ ^"check-glibc: $LIBLWRAP (x86_64): ok: needs GLIBC_2.2.5"(,GLIBC_[0-9.]+)*" <= GLIBC_2.26; NEEDED "[a-z0-9.,-]+$ ]]
    # Independently of the script: the newest version need is at most 2.26.
    newest=$(versions "$LIBLWRAP" | tail -n 1)
    [[ $(printf '%s\n' "$newest" GLIBC_2.26 | sort -V | tail -n 1) == GLIBC_2.26 ]]
}

@test "liblwrap.so (arm64) needs nothing newer than GLIBC_2.26" {
    arm64_or_skip
    run -0 "$REPO/scripts/check-glibc" "$BUILD_ARM64/liblwrap.so"
    [[ $output =~ ^"check-glibc: $BUILD_ARM64/liblwrap.so (arm64): ok: needs GLIBC_2.17"(,GLIBC_[0-9.]+)*" <= GLIBC_2.26; NEEDED "[a-z0-9.,-]+$ ]]
    newest=$(versions "$BUILD_ARM64/liblwrap.so" | tail -n 1)
    [[ $(printf '%s\n' "$newest" GLIBC_2.26 | sort -V | tail -n 1) == GLIBC_2.26 ]]
}

@test "lwrap is static with no interpreter and no NEEDED, on both architectures" {
    arm64_or_skip
    run -0 "$REPO/scripts/check-glibc" --static "$LWRAP" --static "$BUILD_ARM64/lwrap"
    [ "$output" = "check-glibc: $LWRAP (x86_64): ok: static, no interpreter, no NEEDED
check-glibc: $BUILD_ARM64/lwrap (arm64): ok: static, no interpreter, no NEEDED" ]
}

@test "a deliberately bad object (closefrom, glibc 2.34 only) fails the check on both architectures" {
    arm64_or_skip
    run -1 "$REPO/scripts/check-glibc" "$BUILD/tests/packaging/bad-newsym.so" "$BUILD_ARM64/tests/packaging/bad-newsym.so"
    [ "$output" = "check-glibc: $BUILD/tests/packaging/bad-newsym.so (x86_64): FAIL: requires closefrom@GLIBC_2.34, newer than glibc 2.26 (Amazon Linux 2)
check-glibc: $BUILD_ARM64/tests/packaging/bad-newsym.so (arm64): FAIL: requires closefrom@GLIBC_2.34, newer than glibc 2.26 (Amazon Linux 2)" ]
}

@test "one bad file among good ones still fails the whole check" {
    run -1 "$REPO/scripts/check-glibc" "$LIBLWRAP" "$BUILD/tests/packaging/bad-newsym.so" --static "$LWRAP"
    [ "${#lines[@]}" -eq 3 ]
    [[ ${lines[0]} == "check-glibc: $LWRAP (x86_64): ok: "* ]]
    [[ ${lines[1]} == "check-glibc: $LIBLWRAP (x86_64): ok: "* ]]
    [[ ${lines[2]} == *"bad-newsym.so (x86_64): FAIL: requires closefrom@GLIBC_2.34, "* ]]
}

@test "without glibc_compat.h a dlsym call needs dlsym@GLIBC_2.34 and fails the check" {
    run -1 "$REPO/scripts/check-glibc" "$BUILD/tests/packaging/naive-dlsym.so"
    [ "$output" = "check-glibc: $BUILD/tests/packaging/naive-dlsym.so (x86_64): FAIL: requires dlsym@GLIBC_2.34, newer than glibc 2.26 (Amazon Linux 2)" ]
}

@test "glibc_compat.h pins libdl, libpthread, fcntl64 and the stat family to old versions (x86_64)" {
    probe=$BUILD/tests/packaging/compat-probe.so
    run -0 imports "$probe"
    for sym in dlsym dlopen dlerror dladdr pthread_create pthread_join pthread_once pthread_detach \
        pthread_key_create pthread_getspecific pthread_setspecific pthread_sigmask \
        pthread_attr_setstacksize fcntl __xstat __lxstat __fxstat glob; do
        grep -qx "$sym@GLIBC_2.2.5" <<<"$output" || { echo "missing $sym@GLIBC_2.2.5 in:"; echo "$output"; false; }
    done
    grep -qx '__fxstatat@GLIBC_2.4' <<<"$output"
    ! grep -E '^(stat|lstat|fstat|fstatat|fcntl64)@' <<<"$output"
    run -0 versions "$probe"
    [ "$output" = "GLIBC_2.2.5
GLIBC_2.3.4
GLIBC_2.4" ]
    run -0 "$REPO/scripts/check-glibc" "$probe"
}

@test "glibc_compat.h pins everything to the aarch64 baseline GLIBC_2.17" {
    arm64_or_skip
    probe=$BUILD_ARM64/tests/packaging/compat-probe.so
    run -0 imports "$probe"
    for sym in dlsym dlopen pthread_create pthread_once pthread_key_create fcntl __xstat __fxstatat; do
        grep -qx "$sym@GLIBC_2.17" <<<"$output" || { echo "missing $sym@GLIBC_2.17 in:"; echo "$output"; false; }
    done
    run -0 versions "$probe"
    [ "$output" = "GLIBC_2.17" ]
}

@test "--max moves the limit (the probe needs GLIBC_2.4, so 2.3 fails it)" {
    run -1 "$REPO/scripts/check-glibc" --max 2.3 "$BUILD/tests/packaging/compat-probe.so"
    [[ $output == *"FAIL: requires __fxstatat@GLIBC_2.4, newer than glibc 2.3 (Amazon Linux 2)"* ]]
    [[ $output == *"FAIL: requires __snprintf_chk@GLIBC_2.3.4, newer than glibc 2.3 (Amazon Linux 2)"* ]]
}

@test "a dynamic program given as static fails, naming its interpreter" {
    run -1 "$REPO/scripts/check-glibc" --static /bin/true
    [ "$output" = "check-glibc: /bin/true (x86_64): FAIL: has a program interpreter (/lib64/ld-linux-x86-64.so.2): not static" ]
}

@test "a library that needs a non-glibc library fails" {
    lib=$(find /usr/lib/x86_64-linux-gnu -maxdepth 1 -name 'libstdc++.so.6' | head -n 1)
    [[ -n $lib ]] || skip "no libstdc++.so.6 to test with"
    run -1 "$REPO/scripts/check-glibc" --max 99 "$lib"
    [ "$output" = "check-glibc: $lib (x86_64): FAIL: needs libgcc_s.so.1, which is not part of glibc" ]
}

@test "check-glibc refuses a file that is not ELF and bad usage" {
    echo 'not elf' >notelf.so
    run -1 "$REPO/scripts/check-glibc" notelf.so
    [ "$output" = "check-glibc: notelf.so: FAIL: not an ELF file" ]
    run -2 --separate-stderr "$REPO/scripts/check-glibc"
    [ "$stderr" = "usage: check-glibc [--max VERSION] [--static PROG]... [--build DIR] [LIB]..." ]
}

@test "make check-glibc checks both architectures' builds" {
    arm64_or_skip
    run -0 make -C "$REPO" --no-print-directory -s BUILD="$BUILD" check-glibc
    [ "${#lines[@]}" -eq 4 ]
    [ "${lines[0]}" = "check-glibc: $BUILD/lwrap (x86_64): ok: static, no interpreter, no NEEDED" ]
    [ "${lines[1]}" = "check-glibc: $BUILD_ARM64/lwrap (arm64): ok: static, no interpreter, no NEEDED" ]
    [[ ${lines[2]} == "check-glibc: $BUILD/liblwrap.so (x86_64): ok: needs GLIBC_2.2.5"* ]]
    [[ ${lines[3]} == "check-glibc: $BUILD_ARM64/liblwrap.so (arm64): ok: needs GLIBC_2.17"* ]]
}
