#!/usr/bin/env bats
# Libraries that replace libc's functions or bind around them, next to liblwrap.so: a
# dlsym wrapper ahead of it, one that hides a symbol or writes from inside every lookup;
# an allocator that fails on a schedule (README "Faults and limits"); a library loaded
# with RTLD_DEEPBIND. Under make test SANITIZE=... this suite checks the normal build,
# outside the sanitizer namespace, as it would without SANITIZE: a sanitizer runtime must
# own malloc and find its real functions with dlsym at its start, so it can sit behind
# neither a dlsym interposer nor an injecting allocator placed ahead of every library, and
# ASan does not support RTLD_DEEPBIND. Helpers: tests/helpers/faults.bash.
load test_helper

CORNERS=$PRELOAD_FIXTURES/corners

setup() {
    lwrap_test_setup
    runtime_python3
}

# (the dlsym tests' child program)
build_child_kinds() {
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
    build_child_kinds
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

# --- malloc failing -------------------------------------------------------------------

# The schedules of tests/fixtures/faults/failmalloc.c tried everywhere: every call, each of
# the first calls alone, every call after the first few, at random.
MALLOC_SCHEDULES=(all nth:1 nth:2 nth:3 nth:4 nth:5 nth:6 nth:7 nth:8 after:0 after:2 after:4 after:8
    random:1:500 random:2:200 random:3:50)

# --- malloc failing -------------------------------------------------------------------

@test "malloc: whatever allocation fails, a program's output, files and exit status are the same as without lwrap" {
    local fm mode
    for mode in off text json; do
        for fm in "${MALLOC_SCHEDULES[@]}"; do
            diff_check_env fault-malloc "$mode" "FAILMALLOC=$fm" "FAILMALLOC_LOG=$BATS_TEST_TMPDIR/fm.log" >/dev/null ||
                { echo "FAILMALLOC=$fm LWRAP_LOGS=$mode:"; printf '%s\n' "$output"; return 1; }
        done
    done
    # the schedules did hit lwrap's allocations (the program itself makes none)
    grep -q 'failed=[1-9]' fm.log
}

@test "malloc: lwrap says so in at most one line, 'lwrap: out of memory: ...'" {
    faults_build no_alloc_host failmalloc.so
    local fm mode
    for mode in text json; do
        for fm in "${MALLOC_SCHEDULES[@]}"; do
            env LD_PRELOAD="$LIBLWRAP:$FAULTS_BIN/failmalloc.so" FAILMALLOC="$fm" LWRAP_LOGS=$mode \
                LWRAP_REDACT='pass=([^ ]+)' "$FAULTS_BIN/no_alloc_host" >out 2>err || true
            run -0 grep -c '^lwrap:' err || true
            ((${output:-0} <= 1)) || { echo "$fm $mode:"; cat err; return 1; }
            ! grep '^lwrap:' err | grep -v '^lwrap: out of memory: ' || return 1
        done
    done
    # every allocation failing: the C stdio streams cannot be made, and the pipeline steps
    # aside for the whole process (printf would overtake what it held)
    env LD_PRELOAD="$LIBLWRAP:$FAULTS_BIN/failmalloc.so" FAILMALLOC=all LWRAP_LOGS=text \
        "$FAULTS_BIN/no_alloc_host" >out 2>err || true
    [ "$(grep '^lwrap:' err)" = "lwrap: out of memory: C stdio streams not replaced; LWRAP_LOGS is off" ]
    cmp out <(env LD_PRELOAD="$FAULTS_BIN/failmalloc.so" FAILMALLOC=all "$FAULTS_BIN/no_alloc_host" 2>/dev/null)
}

@test "malloc: the log flusher thread cannot start: records are written at once, a line in parts stays whole" {
    faults_build no_alloc_host failmalloc.so
    # after the streams are made, every allocation fails: pthread_create's included
    run -3 --separate-stderr env LD_PRELOAD="$LIBLWRAP:$FAULTS_BIN/failmalloc.so" FAILMALLOC=after:3 \
        LWRAP_LOGS=text "$FAULTS_BIN/no_alloc_host"
    [ "$stderr" != "${stderr/lwrap: out of memory: the log flusher thread did not start; records are written at once/}" ]
    [[ $output == *"INFO	host: writev"$'\n'* ]]
    [[ $output == *"INFO	host: a line in two writes (second half)"$'\n'* ]]
}

@test "malloc: LWRAP_REDACT cannot search a record: the rest of the record is masked, the secret never out" {
    faults_build no_alloc_host failmalloc.so
    local n out=""
    # regcomp has its memory, regexec then none
    for n in 60 80 120; do
        run -3 --separate-stderr env LD_PRELOAD="$LIBLWRAP:$FAULTS_BIN/failmalloc.so" FAILMALLOC=after:$n \
            LWRAP_LOGS=text LWRAP_REDACT='host: (w[a-z]+)' "$FAULTS_BIN/no_alloc_host"
        [[ $output$stderr != *"host: write"* ]] || { echo "$output"; return 1; }
        [[ $stderr == *"lwrap: out of memory: LWRAP_REDACT could not search a record; the rest of it is masked"* ]] && out=$output
    done
    [[ $out == *"INFO	****"$'\n'* ]]
}

@test "malloc: under lambda-emu with every feature on, the C runtime's invocations come out the same" {
    faults_build c_runtime failmalloc.so
    emu_event_files '"echo"' '{"k":"echo"}' '"echo"'
    local fm mode
    for fm in all nth:1 nth:2 nth:3 nth:4 after:0 after:4 random:1:500; do
        fate_emu ref "${EMU_EVENT_ARGS[@]}" -e LD_PRELOAD="$FAULTS_BIN/failmalloc.so" -e FAILMALLOC="$fm" \
            -- "$FAULTS_BIN/c_runtime"
        for mode in text json; do
            fate_emu lw "${EMU_EVENT_ARGS[@]}" -e LD_PRELOAD="$LIBLWRAP:$FAULTS_BIN/failmalloc.so" -e FAILMALLOC="$fm" \
                -e LWRAP_LOGS=$mode -e LWRAP_TRACE=json -e LWRAP_EXTENSION=1 -e LWRAP_CRASH=1 \
                -e LWRAP_OBSERVER_LOG="$BATS_TEST_TMPDIR/obs.log" -- "$FAULTS_BIN/c_runtime"
            fate_same ref lw || { echo "FAILMALLOC=$fm LWRAP_LOGS=$mode"; return 1; }
            (($(grep -c '^lwrap lwrap:' lw.lwrap) <= 1)) || { cat lw.lwrap; return 1; }
        done
    done
}

@test "malloc: the internal extension's thread cannot start: no registration, one line, init goes on" {
    faults_build c_runtime failmalloc.so
    emu_event_files '"echo"'
    fate_emu ref "${EMU_EVENT_ARGS[@]}" -- "$FAULTS_BIN/c_runtime"
    fate_emu lw "${EMU_EVENT_ARGS[@]}" -e LD_PRELOAD="$LIBLWRAP:$FAULTS_BIN/failmalloc.so" -e FAILMALLOC=all \
        -e LWRAP_EXTENSION=1 -e LWRAP_OBSERVER_LOG="$BATS_TEST_TMPDIR/obs.log" -- "$FAULTS_BIN/c_runtime"
    fate_same ref lw
    [ "$(cat lw.lwrap)" = "lwrap lwrap: out of memory: LWRAP_EXTENSION: its thread did not start; the extension is off" ]
    grep -q '^ext-error .* type=thread$' obs.log
    ! grep -q '^ext-register ' obs.log || return 1
}

# --- RLIMIT_NOFILE at its floor -----------------------------------------------------------

# --- RTLD_DEEPBIND -------------------------------------------------------------------------

@test "dlclose: a library loaded with RTLD_DEEPBIND writes around lwrap (README): byte-exact with logs off, every line once with logs on" {
    local mode
    diff_check_env fault-dlclose off DL_DEEPBIND=1
    diff_harness run fault-dlclose none file ref --lib "$LIBLWRAP" --cache "${BATS_RUN_TMPDIR:-/tmp}/differential" \
        --env DL_DEEPBIND=1 >/dev/null
    for mode in text json; do
        diff_harness run fault-dlclose "$mode" file lw --lib "$LIBLWRAP" --cache "${BATS_RUN_TMPDIR:-/tmp}/differential" \
            --env DL_DEEPBIND=1 >/dev/null
        "$EMU_PY" "$FAULTS_FIX/undecorate.py" $mode - <lw/stdout | sort >got
        sort ref/stdout >want
        cmp want got
        # the library's own lines bypass the pipeline: they are there undecorated
        grep -q '^lib: work 0 (write)$' lw/stdout
    done
}
