#!/usr/bin/env bats
# examples/sam: the template is valid YAML (with SAM's tags), each layer's
# `make build-<LogicalId>` target exists and fills ARTIFACTS_DIR with the layer content.
load test_helper

TEMPLATE=$REPO/examples/sam/template.yaml

@test "the SAM template parses and its layers, targets, functions and handler fit together" {
    /usr/bin/python3 -c 'import yaml' || skip "python3-yaml missing for /usr/bin/python3"
    run -0 /usr/bin/python3 "$FIXTURES/packaging/check_sam.py" "$TEMPLATE"
    [ "$output" = "layer LwrapLayerX86 x86_64 makefile target build-LwrapLayerX86 in ../..
layer LwrapLayerArm64 arm64 makefile target build-LwrapLayerArm64 in ../..
function HelloFunction python3.12 x86_64 layers LwrapLayerX86 handler app.handler
function HelloArm64Function python3.11 arm64 layers LwrapLayerArm64 handler app.handler" ]
}

@test "the validator fails on a layer whose Makefile target does not exist" {
    mkdir -p sam/hello
    cp "$REPO/examples/sam/hello/app.py" sam/hello/
    sed 's|ContentUri: ../../|ContentUri: '"$REPO"'|; s/LwrapLayerX86/LwrapLayerNope/g' "$TEMPLATE" >sam/template.yaml
    run -1 /usr/bin/python3 "$FIXTURES/packaging/check_sam.py" sam/template.yaml
    [[ $output == "check_sam: LwrapLayerNope: make target build-LwrapLayerNope: "*"No rule to make target 'build-LwrapLayerNope'"* ]]
}

@test "the SAM function's environment points at /opt/lwrap (the layer's zip root lwrap)" {
    run -0 grep -c 'AWS_LAMBDA_EXEC_WRAPPER: /opt/lwrap' "$TEMPLATE"
    [ "$output" = 1 ]
}

@test "make build-<LogicalId> fills ARTIFACTS_DIR with the layer, per architecture" {
    pk_require_cmd "${PK_ARM64_CROSS}gcc" "gcc-aarch64-linux-gnu"
    for pair in LwrapLayerX86:X86-64 LwrapLayerArm64:AArch64; do
        IFS=: read -r id machine <<<"$pair"
        pk_make BUILD="$BUILD" DIST="$BATS_TEST_TMPDIR/dist" "build-$id" ARTIFACTS_DIR="$PWD/art-$id"
        run -0 find "art-$id" -type f
        [ "$(sort <<<"$output")" = "art-$id/lib/liblwrap.so
art-$id/lwrap
art-$id/lwrap.conf.example" ]
        [ "$(pk_machine "art-$id/lwrap")" = "$machine" ]
        [ -x "art-$id/lwrap" ]
    done
}

@test "make build-<LogicalId> without ARTIFACTS_DIR says what is missing" {
    run -2 --separate-stderr make -C "$REPO" --no-print-directory -s BUILD="$BUILD" \
        DIST="$BATS_TEST_TMPDIR/dist" build-LwrapLayerX86 ARTIFACTS_DIR=
    [[ $stderr == *"build-LwrapLayerX86: ARTIFACTS_DIR is not set (sam build sets it)"* ]]
}
