#!/usr/bin/env bats
# The hook foundation: only hooks are exported; hooks work before our constructor.
load test_helper

# the functions preload/*.c define as hooks (EXPORT ... name(...)), as preload.mk finds them
hooked_functions() {
    sed -n 's/^EXPORT[^(]*[ *]\([A-Za-z_0-9]*\)(.*/\1/p' "$REPO"/preload/*.c | sort -u
}

@test "nm -D: the library exports exactly its hooks, nothing else" {
    run -0 bash -c "nm -D --defined-only '$SHIP_LIBLWRAP' | awk '{ print \$3 }' | sort -u"
    local exported=$output
    [ "$exported" = "$(hooked_functions)" ]
    # the core's hooks are all there
    local fn
    for fn in connect write writev send sendto sendmsg read readv recv recvfrom recvmsg close \
        dup dup2 dup3 __read_chk __recv_chk __recvfrom_chk open open64 openat openat64 \
        __open_2 __open64_2 __openat_2 __openat64_2 fopen fopen64 pread pread64 dlopen; do
        grep -qx "$fn" <<<"$exported" || { echo "missing: $fn"; return 1; }
    done
}

@test "a hook called from another library's constructor, before ours, passes bytes through" {
    gcc -shared -fPIC -o libearly.so "$PRELOAD_FIXTURES/early_ctor.c"
    gcc -o early_main "$PRELOAD_FIXTURES/early_main.c" -Wl,--no-as-needed -L. -learly -Wl,-rpath,"$PWD"
    run -0 --separate-stderr env LD_PRELOAD="$LIBLWRAP" LD_DEBUG=bindings,files \
        LD_DEBUG_OUTPUT="$PWD/ld" LWRAP_TRACE=text ./early_main
    [ "$output" = "early
main" ]
    # libearly's constructor ran first, and its write was bound to our hook
    local log
    log=$(cat ld.*)
    [[ $(grep -o 'calling init: [^ ]*\(libearly\|liblwrap\)\.so' <<<"$log" | head -n 1) == *libearly.so ]]
    grep -q "binding file $PWD/libearly.so .* to $LIBLWRAP .*symbol \`write'" <<<"$log"
}

@test "with every feature off, the hooks change nothing a program writes or reads" {
    run -0 env LD_PRELOAD="$LIBLWRAP" sh -c 'printf "a\0b\n" | od -c'
    [ "$output" = "$(printf 'a\0b\n' | od -c)" ]
}
