#!/usr/bin/env bats
# When dlsym cannot give the preload its real functions: a library ahead of liblwrap.so
# that wraps dlsym, one that hides a symbol, one that writes from inside every lookup.
# (Under make test SANITIZE=... this suite checks the normal build outside the sanitizer
# namespace: the sanitizer runtime looks up its own real functions with dlsym at its start,
# and cannot run behind a dlsym interposer that the test puts ahead of every library.)
load test_helper

CORNERS=$PRELOAD_FIXTURES/corners

setup() {
    lwrap_test_setup
    gcc -O1 -o child_kinds "$CORNERS/child_kinds.c"
}

# --- the real functions: when dlsym cannot give them -----------------------------------

@test "dlsym handing back liblwrap's own hook: one line, then abort, before the program runs" {
    gcc -shared -fPIC -o libdlsymwrap.so "$CORNERS/dlsym_wrapper.c"
    # a library before liblwrap.so that wraps dlsym makes RTLD_NEXT start after itself
    run -134 --separate-stderr env DLSYM_WRAP=next LD_PRELOAD="$PWD/libdlsymwrap.so:$LIBLWRAP" \
        LWRAP_LOGS=text /bin/echo ran
    [ -z "$output" ]
    [ "$stderr" = "lwrap: dlsym(RTLD_NEXT, \"write\") returned liblwrap's own hook (a library loaded before liblwrap.so wraps dlsym?); aborting" ]
    # the same library after liblwrap.so is harmless
    run -0 env DLSYM_WRAP=next LD_PRELOAD="$LIBLWRAP:$PWD/libdlsymwrap.so" LWRAP_LOGS=text /bin/echo ran
    [[ $output == *$'\tINFO\tran' ]]
}

@test "dlsym finding nothing: a required function aborts with one line, an optional one is done without" {
    gcc -shared -fPIC -o libdlsymwrap.so "$CORNERS/dlsym_wrapper.c"
    run -134 --separate-stderr env DLSYM_WRAP=hide:dup3 LD_PRELOAD="$LIBLWRAP:$PWD/libdlsymwrap.so" \
        LWRAP_LOGS=text /bin/echo ran
    [ -z "$output" ]
    [ "$stderr" = 'lwrap: dlsym(RTLD_NEXT, "dup3") found nothing; aborting' ]
    # close_range (glibc >= 2.34 only) missing, as on Amazon Linux 2: the system call instead
    run -0 env DLSYM_WRAP=hide:close_range LD_PRELOAD="$LIBLWRAP:$PWD/libdlsymwrap.so" \
        LWRAP_LOGS=text ./child_kinds close_range
    [[ $output == *$'\tINFO\tone' ]]
    [ "$(cat export.csv)" = raw ]
}

@test "a hook entered from inside liblwrap's own dlsym lookups passes through instead of deadlocking" {
    gcc -shared -fPIC -o libdlsymwrap.so "$CORNERS/dlsym_wrapper.c"
    # (the library writes to stderr from inside every lookup: our write hook, re-entered)
    run -0 --separate-stderr timeout -k 1 20 env DLSYM_WRAP=chatty \
        LD_PRELOAD="$LIBLWRAP:$PWD/libdlsymwrap.so" LWRAP_LOGS=text /bin/echo ran
    [[ $output == *$'\tINFO\tran' ]]
    [[ $stderr == *"dlsym write"* ]]
}

