#!/usr/bin/env bats
# make layer: dist/lwrap-layer-{x86_64,arm64}.zip giving /opt/lwrap, /opt/lib/liblwrap.so
# and /opt/lwrap.conf.example; same inputs, same bytes.
load test_helper

setup_file() {
    pk_require_cmd "${PK_ARM64_CROSS}gcc" "gcc-aarch64-linux-gnu"
    pk_require_cmd zip "zip"
    export DIST1=$BATS_FILE_TMPDIR/dist
    pk_make BUILD="$BUILD" DIST="$DIST1" layer
}

# zipmeta ZIP: one line per entry: name, mode, date, extra-field length, system, method.
zipmeta() {
    /usr/bin/python3 - "$1" <<'PY'
import sys, zipfile
for i in zipfile.ZipFile(sys.argv[1]).infolist():
    print(i.filename, oct(i.external_attr >> 16), "%04d-%02d-%02d %02d:%02d:%02d" % i.date_time,
          len(i.extra), i.create_system, i.compress_type)
PY
}

@test "make layer writes both zips with exactly lwrap, lib/liblwrap.so and lwrap.conf.example" {
    for arch in x86_64 arm64; do
        run -0 zipinfo -1 "$DIST1/lwrap-layer-$arch.zip"
        [ "$output" = "lib/liblwrap.so
lwrap
lwrap.conf.example" ]
    done
}

@test "entries have fixed modes and mtimes, no extra attributes, unix system, deflate" {
    for arch in x86_64 arm64; do
        run -0 zipmeta "$DIST1/lwrap-layer-$arch.zip"
        [ "$output" = "lib/liblwrap.so 0o100755 2000-01-01 00:00:00 0 3 8
lwrap 0o100755 2000-01-01 00:00:00 0 3 8
lwrap.conf.example 0o100644 2000-01-01 00:00:00 0 3 8" ]
    done
}

@test "each zip holds its own architecture's programs, as built (library stripped)" {
    for pair in x86_64:X86-64:"$BUILD" arm64:AArch64:"$BUILD_ARM64"; do
        IFS=: read -r arch machine dir <<<"$pair"
        rm -rf opt && mkdir opt
        (cd opt && unzip -q "$DIST1/lwrap-layer-$arch.zip")
        [ "$(pk_machine opt/lwrap)" = "$machine" ]
        [ "$(pk_machine opt/lib/liblwrap.so)" = "$machine" ]
        cmp opt/lwrap "$dir/lwrap"
        # Stripping keeps every dynamic symbol (the hooks) and drops the debug info.
        diff <(readelf --dyn-syms -W opt/lib/liblwrap.so | awk 'NR > 3 { print $5, $7, $8 }') \
            <(readelf --dyn-syms -W "$dir/liblwrap.so" | awk 'NR > 3 { print $5, $7, $8 }')
        ! readelf -S -W opt/lib/liblwrap.so | grep -q '\.debug_'
        readelf -S -W "$dir/liblwrap.so" | grep -q '\.debug_'
        cmp opt/lwrap.conf.example "$REPO/scripts/lwrap.conf.example"
    done
}

# reproduce ARCH: build ARCH's layer from scratch in two copies of the same sources at
# different paths, with different BUILD names, and compare the zips byte for byte. The
# copies are a snapshot, so edits in the working tree during the run cannot differ.
reproduce() {
    local n
    for n in 1 2; do
        if [[ ! -d $BATS_FILE_TMPDIR/co$n/src ]]; then
            mkdir -p "$BATS_FILE_TMPDIR/co$n/src"
            tar -C "$REPO" --exclude=./.git --exclude=./build --exclude='./build-*' --exclude=./dist -cf - . |
                tar -C "$BATS_FILE_TMPDIR/co$n/src" -xf -
        fi
    done
    diff -r "$BATS_FILE_TMPDIR/co1/src" "$BATS_FILE_TMPDIR/co2/src" >/dev/null
    # Build output beside the copies (../), so the copies stay comparable.
    REPO=$BATS_FILE_TMPDIR/co1/src pk_make BUILD=../out-a DIST=../dist LAYER_ARCHES="$1" layer
    REPO=$BATS_FILE_TMPDIR/co2/src pk_make BUILD=../b DIST=../dist LAYER_ARCHES="$1" layer
    cmp "$BATS_FILE_TMPDIR/co1/dist/lwrap-layer-$1.zip" "$BATS_FILE_TMPDIR/co2/dist/lwrap-layer-$1.zip"
}

@test "reproducible (x86_64): clean builds in two checkouts at different paths give identical zips" {
    reproduce x86_64
    [ -f "$BATS_FILE_TMPDIR/co1/out-a/liblwrap.so" ]
}

@test "reproducible (arm64): clean builds in two checkouts at different paths give identical zips" {
    reproduce arm64
    [ -f "$BATS_FILE_TMPDIR/co2/b-arm64/liblwrap.so" ]
}

@test "reproducible across time zones and umasks; SOURCE_DATE_EPOCH sets the mtime" {
    (umask 077 && TZ=Asia/Tokyo "$REPO/scripts/build-layer" --arch x86_64 --build "$BUILD" --out tz.zip) 2>/dev/null
    cmp tz.zip "$DIST1/lwrap-layer-x86_64.zip"
    SOURCE_DATE_EPOCH=1700000000 "$REPO/scripts/build-layer" --arch x86_64 --build "$BUILD" --out sde.zip 2>/dev/null
    run -0 zipmeta sde.zip
    [ "${lines[0]}" = "lib/liblwrap.so 0o100755 2023-11-14 22:13:20 0 3 8" ]
}

@test "build-layer refuses programs built for the other architecture" {
    run -1 --separate-stderr "$REPO/scripts/build-layer" --arch x86_64 --build "$BUILD_ARM64" --out wrong.zip
    [ "$stderr" = "build-layer: $BUILD_ARM64/lwrap: built for AArch64, not x86_64" ]
    [ ! -e wrong.zip ]
}

@test "build-layer refuses a library that fails the glibc check" {
    mkdir bad
    cp "$LWRAP" bad/lwrap
    cp "$BUILD/tests/packaging/bad-newsym.so" bad/liblwrap.so
    run -1 --separate-stderr "$REPO/scripts/build-layer" --arch x86_64 --build bad --out bad.zip
    [ "$stderr" = "check-glibc: bad/lwrap (x86_64): ok: static, no interpreter, no NEEDED
check-glibc: bad/liblwrap.so (x86_64): FAIL: requires closefrom@GLIBC_2.34, newer than glibc 2.26 (Amazon Linux 2)" ]
    [ ! -e bad.zip ]
}

@test "unpacked as /opt, lwrap finds /opt/lib/liblwrap.so and the preload's write() is in use" {
    mkdir opt && (cd opt && unzip -q "$DIST1/lwrap-layer-x86_64.zip")
    LWRAP_CRASH=1 run -0 --separate-stderr "$PWD/opt/lwrap" "$BUILD/tests/packaging/argv-probe" one
    [ "$output" = "arg: one
var: (unset)
preload: $PWD/opt/lib/liblwrap.so
write: liblwrap.so" ]
}
