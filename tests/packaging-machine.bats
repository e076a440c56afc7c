#!/usr/bin/env bats
# What a fresh machine needs: `make demo` a C compiler and python3, `make test` what
# scripts/install-test-deps installs. (A packaging suite: under SANITIZE it runs outside the
# sanitizer namespace, as a fresh machine would.)
load test_helper

# A PATH holding only the named programs (links to this machine's), for "what if the
# machine had nothing but ..." tests.
only_path() {
    mkdir -p "$BATS_TEST_TMPDIR/bin"
    local t p
    for t in "$@"; do
        p=$(command -v "$t") && ln -sf "$p" "$BATS_TEST_TMPDIR/bin/$t"
    done
    printf '%s\n' "$BATS_TEST_TMPDIR/bin"
}

@test "install-test-deps names each package a bare machine lacks" {
    bin=$(only_path bash uname gcc)
    run -0 env PATH="$bin" bash "$REPO/scripts/install-test-deps" --print
    for p in bats ruby jq valgrind strace openjdk-17-jdk-headless musl-tools clang libclang-rt-dev nodejs npm; do
        grep -qx "$p" <<<"$output" || { echo "missing $p in: $output"; false; }
    done
    # this machine has everything (CI installed it): nothing to say, nothing to do
    run -0 "$REPO/scripts/install-test-deps" --print
    [ -z "$output" ]
}

@test "install-test-deps as a non-root user prints the one command to run and stops" {
    command -v setpriv >/dev/null || skip "setpriv (util-linux) missing"
    # bats' own temp dirs are private to root: the other user gets a PATH dir of its own
    bin=$(mktemp -d /tmp/lwrap-nonroot.XXXXXX)
    chmod 755 "$bin"
    for t in bash uname gcc apt-get; do ln -s "$(command -v $t)" "$bin/$t"; done
    cp "$REPO/scripts/install-test-deps" "$bin/"
    run --separate-stderr -1 setpriv --reuid=65534 --regid=65534 --clear-groups \
        env PATH="$bin" bash "$bin/install-test-deps"
    rm -rf "$bin"
    [ "${stderr_lines[0]}" = "make test: missing test prerequisites; install them with:" ]
    [[ ${stderr_lines[1]} == "  sudo sh -c '"*"apt-get install -y bats ruby jq "* ]]
    [ ${#stderr_lines[@]} -eq 2 ]
}

@test "make demo needs only make, a C compiler and python3" {
    bin=$(only_path make gcc cc as ld ld.bfd sh bash mktemp cut rm mkdir cat sed grep sort \
        dirname uname env printf tr head tail basename ls touch find)
    ln -sf /usr/bin/python3 "$bin/python3"
    run -0 env -i PATH="$bin" HOME="$BATS_TEST_TMPDIR" make -C "$REPO" --no-print-directory \
        BUILD="$BATS_TEST_TMPDIR/build" demo
    grep -q '^RESPONSE RequestId: .*"printed": 1' <<<"$output"
    grep -q '^LWRAP TRACE init ready ' <<<"$output"
}
