# Helpers for tests/packaging-*.bats (layer zips, glibc check, Debian 11, arm64, install, SAM).

PK_ARM64_CROSS=aarch64-linux-gnu-
PK_ARM64_SYSROOT=/usr/aarch64-linux-gnu
# The arm64 build lives next to the suite's x86_64 build, as `make layer` puts it.
BUILD_ARM64=${BUILD_ARM64:-$BUILD-arm64}
PK_OLDROOT=${LWRAP_CACHE_DIR:-/var/cache/lwrap}/bullseye

# pk_make ARGS...: make in the checkout (parallel: the two architectures build at once),
# quiet unless it fails (then its output is shown).
pk_make() {
    local out
    if ! out=$(make -C "$REPO" --no-print-directory -j"$(nproc)" "$@" 2>&1); then
        printf '%s\n' "$out" >&2
        return 1
    fi
}

# Build what the x86_64 tests use into $BUILD (programs and packaging fixtures).
pk_build_native() {
    pk_make BUILD="$BUILD" "$BUILD/lwrap" "$BUILD/liblwrap.so" packaging-fixtures
}

# Build the arm64 programs and fixtures into $BUILD_ARM64 (cross compilers required).
pk_build_arm64() {
    pk_require_cmd "${PK_ARM64_CROSS}gcc" "the arm64 cross compiler (gcc-aarch64-linux-gnu)"
    pk_make CROSS="$PK_ARM64_CROSS" CC="${PK_ARM64_CROSS}gcc" BUILD="$BUILD_ARM64" \
        "$BUILD_ARM64/lwrap" "$BUILD_ARM64/liblwrap.so" packaging-fixtures
}

# pk_require_cmd CMD WHAT: skip (with the reason) when a tool is missing.
pk_require_cmd() {
    command -v "$1" >/dev/null || skip "$1 not installed ($2)"
}

pk_require_qemu() {
    pk_require_cmd qemu-aarch64 "Debian qemu-user"
    [[ -e $PK_ARM64_SYSROOT/lib/ld-linux-aarch64.so.1 ]] ||
        skip "no arm64 glibc in $PK_ARM64_SYSROOT (libc6-dev-arm64-cross)"
}

# pk_qemu ARGS...: run an arm64 program with the cross glibc.
pk_qemu() {
    qemu-aarch64 -L "$PK_ARM64_SYSROOT" "$@"
}

# The Debian 11 (glibc 2.31) root that scripts/prepare-oldglibc makes; tests that need it
# skip with the reason when it is missing (CI prepares it and counts skips as failures).
pk_require_oldroot() {
    [[ -f $PK_OLDROOT/.lwrap-ready ]] ||
        skip "no Debian 11 root at $PK_OLDROOT: run scripts/prepare-oldglibc (as root)"
    ((EUID == 0)) || skip "chroot into $PK_OLDROOT needs root"
}

# pk_oldroot_stage FILE...: copy files into a fresh directory inside the Debian 11 root;
# sets PK_STAGE (path as seen inside the root) and PK_STAGE_HOST (outside).
pk_oldroot_stage() {
    PK_STAGE_HOST=$(mktemp -d "$PK_OLDROOT/tmp/lwrap-test.XXXXXX")
    PK_STAGE=${PK_STAGE_HOST#"$PK_OLDROOT"}
    chmod 0755 "$PK_STAGE_HOST"
    [[ $# -eq 0 ]] || cp "$@" "$PK_STAGE_HOST/"
}

pk_oldroot_cleanup() {
    [[ -z ${PK_STAGE_HOST:-} || $PK_STAGE_HOST != "$PK_OLDROOT"/tmp/lwrap-test.* ]] || rm -rf "$PK_STAGE_HOST"
}

# PK_CHROOT: the command prefix that runs a program inside the Debian 11 root, with /proc
# mounted there (Lambda has it; lwrap finds its library through /proc/self/exe) in a
# private mount namespace, so nothing stays mounted when the program ends.
PK_CHROOT=(unshare "--mount-proc=$PK_OLDROOT/proc" chroot "$PK_OLDROOT")

# pk_chroot CMD...: run a command inside the Debian 11 root with a clean environment.
pk_chroot() {
    "${PK_CHROOT[@]}" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C "$@"
}

# pk_machine FILE: the ELF machine name readelf reports (X86-64, AArch64).
pk_machine() {
    readelf -h "$1" | sed -n 's/^ *Machine: *//p' | sed 's/Advanced Micro Devices //'
}
