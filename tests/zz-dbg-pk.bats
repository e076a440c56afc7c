load test_helper
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
    REPO=$BATS_FILE_TMPDIR/co1/src pk_make BUILD=out-a DIST=dist LAYER_ARCHES="$1" layer
    REPO=$BATS_FILE_TMPDIR/co2/src pk_make BUILD=b DIST=dist LAYER_ARCHES="$1" layer
    cmp "$BATS_FILE_TMPDIR/co1/src/dist/lwrap-layer-$1.zip" "$BATS_FILE_TMPDIR/co2/src/dist/lwrap-layer-$1.zip"
}
@test "a" { reproduce x86_64; }
@test "b" { set -x; REPO=$BATS_FILE_TMPDIR/co1/src pk_make BUILD=out-a DIST=dist LAYER_ARCHES=arm64 layer; ls $BATS_FILE_TMPDIR/co1/src/dist >&3; make -C $BATS_FILE_TMPDIR/co1/src -n BUILD=out-a DIST=dist LAYER_ARCHES=arm64 layer >&3 2>&3; }
