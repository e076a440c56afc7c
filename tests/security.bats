#!/usr/bin/env bats
# Security: lwrap reads and loads nothing from a relative path or the current directory,
# refuses a config file others could change, the preload stays inert in a setuid or
# setgid process, and no credential value appears in anything lwrap prints or writes.
load test_helper

SECURITY_FIXTURES=$FIXTURES/security

# --- never the current directory ------------------------------------------------------

@test "a relative LWRAP_PRELOAD_PATH is refused with one line; the library next to lwrap is used" {
    lw=$(wr_copy_lwrap "$PWD/opt")
    wr_fake_lib "$PWD/opt/lib/liblwrap.so" >/dev/null
    wr_fake_lib "$PWD/lib/liblwrap.so" >/dev/null # planted in the current directory
    STUB_ENV=LD_PRELOAD LWRAP_TRACE=text LWRAP_PRELOAD_PATH=lib/liblwrap.so run -0 --separate-stderr "$lw" "$WR_STUB"
    [ "$stderr" = 'lwrap: LWRAP_PRELOAD_PATH: lib/liblwrap.so: not an absolute path; looking next to lwrap; ignored' ]
    [ "$output" = "LD_PRELOAD=$PWD/opt/lib/liblwrap.so" ]
    # a directory given relatively, too
    STUB_ENV=LD_PRELOAD LWRAP_TRACE=text LWRAP_PRELOAD_PATH=lib run -0 --separate-stderr "$lw" "$WR_STUB"
    [ "$stderr" = 'lwrap: LWRAP_PRELOAD_PATH: lib: not an absolute path; looking next to lwrap; ignored' ]
    [ "$output" = "LD_PRELOAD=$PWD/opt/lib/liblwrap.so" ]
}

@test "a relative LWRAP_CONFIG is refused with one line and nothing in it applies" {
    printf 'LWRAP_SET_A=from-cwd\n' >my.conf
    STUB_ENV=A LWRAP_CONFIG=my.conf run -0 --separate-stderr "$LWRAP" "$WR_STUB"
    [ "$stderr" = 'lwrap: LWRAP_CONFIG: my.conf: not an absolute path; ignored' ]
    [ "$output" = "A unset" ]
    # strict mode makes it a failed start
    LWRAP_STRICT=1 LWRAP_CONFIG=./my.conf run -125 --separate-stderr "$LWRAP" "$WR_STUB"
    [ "${stderr%%$'\n'*}" = 'lwrap: LWRAP_CONFIG: ./my.conf: not an absolute path; ignored' ]
}


@test "LWRAP_OBSERVER_LOG: relative, or not a regular file (a FIFO, a device), is refused with one line" {
    LWRAP_LOGS=text LWRAP_OBSERVER_LOG=rel.log run -0 --separate-stderr "$LWRAP" /bin/echo hello
    [ "$stderr" = 'lwrap: LWRAP_OBSERVER_LOG: rel.log: not an absolute path; ignored' ]
    [[ $output == *$'\tINFO\thello' ]]
    [ ! -e rel.log ]
    # a FIFO with no reader: the open would block the runtime before main
    mkfifo "$PWD/fifo"
    LWRAP_LOGS=text LWRAP_OBSERVER_LOG=$PWD/fifo run -0 --separate-stderr timeout 10 "$LWRAP" /bin/echo hello
    [ "$stderr" = "lwrap: LWRAP_OBSERVER_LOG: $PWD/fifo: not a regular file; ignored" ]
    [[ $output == *$'\tINFO\thello' ]]
    LWRAP_LOGS=text LWRAP_OBSERVER_LOG=/dev/null run -0 --separate-stderr "$LWRAP" /bin/echo hello
    [ "$stderr" = 'lwrap: LWRAP_OBSERVER_LOG: /dev/null: not a regular file; ignored' ]
    # a FIFO put there after the start is not waited for either (each line's open checks)
    LWRAP_LOGS=text LWRAP_OBSERVER_LOG=$PWD/later run -0 --separate-stderr timeout 10 "$LWRAP" \
        /usr/bin/python3 -c 'import os; p = os.environ["LWRAP_OBSERVER_LOG"]
if os.path.exists(p): os.unlink(p)
os.mkfifo(p); print("after", flush=True)'
    [[ $output == *$'\tINFO\tafter' ]]
    [ -p later ]
}
@test "a relative or empty LAMBDA_TASK_ROOT: its lwrap.conf is not read" {
    mkdir task
    printf 'LWRAP_SET_A=from-cwd\n' >task/lwrap.conf
    printf 'LWRAP_SET_A=from-cwd\n' >lwrap.conf
    STUB_ENV=A LAMBDA_TASK_ROOT=task run -0 --separate-stderr "$LWRAP" "$WR_STUB"
    [ "$stderr" = 'lwrap: LAMBDA_TASK_ROOT: task: not an absolute path; its lwrap.conf is not read; ignored' ]
    [ "$output" = "A unset" ]
    # empty: there is no task root (no line, and ./lwrap.conf is not "$LAMBDA_TASK_ROOT/lwrap.conf")
    STUB_ENV=A LAMBDA_TASK_ROOT= run -0 --separate-stderr "$LWRAP" "$WR_STUB"
    [ -z "$stderr" ]
    [ "$output" = "A unset" ]
    # the same directory given absolutely is read
    STUB_ENV=A LAMBDA_TASK_ROOT=$PWD/task run -0 "$LWRAP" "$WR_STUB"
    [ "$output" = "A=from-cwd" ]
}

@test "bootstrap mode: a relative LAMBDA_TASK_ROOT's bootstrap.real is not run" {
    mkdir task
    ln -s "$LWRAP" bootstrap
    ln -s "$WR_STUB" task/bootstrap.real
    LAMBDA_TASK_ROOT=task run -127 --separate-stderr ./bootstrap
    [ -z "$output" ]
    [ "$stderr" = "lwrap: LAMBDA_TASK_ROOT: task: not an absolute path; its lwrap.conf is not read; ignored
lwrap: LAMBDA_TASK_ROOT: task: not an absolute path; no bootstrap.real from it; ignored
lwrap: bootstrap: no real bootstrap: set LWRAP_BOOTSTRAP or add \$LAMBDA_TASK_ROOT/bootstrap.real or /opt/bootstrap.real" ]
    LAMBDA_TASK_ROOT=$PWD/task run -0 ./bootstrap ran
    [ "$output" = ran ]
}

@test "lwrap started by a relative path, from PATH or under another argv[0] finds the library next to itself" {
    lw=$(wr_copy_lwrap "$PWD/opt")
    wr_fake_lib "$PWD/opt/lib/liblwrap.so" >/dev/null
    mkdir cwd
    wr_fake_lib "$PWD/cwd/lib/liblwrap.so" >/dev/null # what a search from argv[0] or . would find
    wr_fake_lib "$PWD/cwd/liblwrap.so" >/dev/null
    cd cwd
    STUB_ENV=LD_PRELOAD LWRAP_TRACE=text run -0 ../opt/lwrap "$WR_STUB"
    [ "$output" = "LD_PRELOAD=$BATS_TEST_TMPDIR/opt/lib/liblwrap.so" ]
    STUB_ENV=LD_PRELOAD LWRAP_TRACE=text PATH="$BATS_TEST_TMPDIR/opt:$PATH" run -0 lwrap "$WR_STUB"
    [ "$output" = "LD_PRELOAD=$BATS_TEST_TMPDIR/opt/lib/liblwrap.so" ]
    STUB_ENV=LD_PRELOAD LWRAP_TRACE=text run -0 bash -c 'exec -a ./lwrap "$0" "$1"' "$lw" "$WR_STUB"
    [ "$output" = "LD_PRELOAD=$BATS_TEST_TMPDIR/opt/lib/liblwrap.so" ]
}

@test "without /proc lwrap cannot know where it is: one line, no preload, argv[0] is never used" {
    unshare -m true 2>/dev/null || skip "needs a mount namespace (unshare -m) to hide /proc"
    # The shipped lwrap: no sanitizer runtime can start without /proc (under SANITIZE the
    # namespace's /etc/ld.so.preload, which would load one into every process, is hidden too).
    mkdir -p opt && cp "$SHIP_LWRAP" opt/lwrap && lw=$PWD/opt/lwrap
    wr_fake_lib "$PWD/opt/lib/liblwrap.so" >/dev/null
    STUB_ENV=LD_PRELOAD LWRAP_TRACE=text run -0 --separate-stderr \
        unshare -m sh -c '{ [ ! -e /etc/ld.so.preload ] || mount --bind /dev/null /etc/ld.so.preload; } &&
            mount -t tmpfs none /proc && exec "$@"' _ "$lw" "$WR_STUB"
    [ "$stderr" = "lwrap: liblwrap.so: cannot find lwrap's own directory (/proc/self/exe); starting without it (set LWRAP_PRELOAD_PATH); ignored" ]
    [ "$output" = "LD_PRELOAD unset" ]
}

# --- config files others could change -------------------------------------------------

@test "a config file writable by group or others, or owned by another user, is refused with one line" {
    printf 'LWRAP_SET_A=from-file\n' >c.conf
    local mode
    for mode in 664 646 666 777; do
        chmod $mode c.conf
        STUB_ENV=A LWRAP_CONFIG=$PWD/c.conf run -0 --separate-stderr "$LWRAP" "$WR_STUB"
        [ "$stderr" = "lwrap: LWRAP_CONFIG: $PWD/c.conf: writable by group or others (chmod go-w it); ignored" ] ||
            { echo "$mode: $stderr"; return 1; }
        [ "$output" = "A unset" ]
    done
    chmod 644 c.conf
    chown 65534 c.conf # nobody's: its owner could rewrite it
    STUB_ENV=A LWRAP_CONFIG=$PWD/c.conf run -0 --separate-stderr "$LWRAP" "$WR_STUB"
    [ "$stderr" = "lwrap: LWRAP_CONFIG: $PWD/c.conf: owned by another user (not root, not the user lwrap runs as); ignored" ]
    [ "$output" = "A unset" ]
    # the conventional file is held to the same rule
    mkdir task
    cp c.conf task/lwrap.conf
    chown 0 task/lwrap.conf
    chmod 666 task/lwrap.conf
    STUB_ENV=A LAMBDA_TASK_ROOT=$PWD/task run -0 --separate-stderr "$LWRAP" "$WR_STUB"
    [ "$stderr" = "lwrap: $PWD/task/lwrap.conf: writable by group or others (chmod go-w it); ignored" ]
    # root's or lwrap's own user's, 644 or 600 or 755 (a zip's modes): read
    for mode in 644 600 755 444; do
        chmod $mode task/lwrap.conf
        STUB_ENV=A LAMBDA_TASK_ROOT=$PWD/task run -0 --separate-stderr "$LWRAP" "$WR_STUB"
        [ -z "$stderr" ] && [ "$output" = "A=from-file" ] || { echo "$mode: $stderr $output"; return 1; }
    done
    # lwrap's own user's, not root's (in a directory user nobody can reach)
    local dir
    dir=$(mktemp -d /tmp/lwrap-conf.XXXXXX)
    chmod 755 "$dir"
    cp task/lwrap.conf "$dir/lwrap.conf"
    chown 65534 "$dir/lwrap.conf"
    chmod 644 "$dir/lwrap.conf"
    run -0 --separate-stderr setpriv --reuid=65534 --regid=65534 --clear-groups \
        env STUB_ENV=A LAMBDA_TASK_ROOT="$dir" "$LWRAP" "$WR_STUB"
    rm -rf "$dir"
    [ -z "$stderr" ] && [ "$output" = "A=from-file" ]
}

@test "on a read-only file system (Lambda's /var/task and /opt) a world-writable config file is read" {
    unshare -m true 2>/dev/null || skip "needs a mount namespace (unshare -m) for a read-only mount"
    mkdir task
    printf 'LWRAP_SET_A=from-file\n' >task/lwrap.conf
    chmod 777 task/lwrap.conf
    chown 65534 task/lwrap.conf
    STUB_ENV=A LAMBDA_TASK_ROOT=$PWD/task run -0 --separate-stderr \
        unshare -m sh -c 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && shift && exec "$@"' _ \
        "$PWD/task" "$LWRAP" "$WR_STUB"
    [ -z "$stderr" ]
    [ "$output" = "A=from-file" ]
}

# --- setuid / setgid ------------------------------------------------------------------

@test "in a setuid or setgid program the preload does nothing (AT_SECURE)" {
    [[ $(id -u) == 0 ]] || skip "needs root to make a setuid program"
    command -v setpriv >/dev/null || skip "needs setpriv"
    # somewhere user nobody can reach: the library, the program, a file it must not write
    local dir
    dir=$(mktemp -d /tmp/lwrap-secure.XXXXXX)
    chmod 777 "$dir"
    cp "$LIBLWRAP" "$dir/"
    # linked against liblwrap.so with an absolute RUNPATH, which a setuid program honours
    # (unlike an LD_PRELOAD path); as /etc/ld.so.preload would load it
    gcc -o "$dir/prog" "$SECURITY_FIXTURES/secure_main.c" -L"$dir" -Wl,--no-as-needed -l:liblwrap.so -Wl,-rpath,"$dir"
    cp "$dir/prog" "$dir/prog-setuid"
    cp "$dir/prog" "$dir/prog-setgid"
    chmod 4755 "$dir/prog-setuid"
    chgrp 0 "$dir/prog-setgid"
    chmod 2755 "$dir/prog-setgid"
    local prog
    for prog in prog prog-setuid prog-setgid; do
        run -0 setpriv --reuid=65534 --regid=65534 --clear-groups \
            env LWRAP_LOGS=text LWRAP_OBSERVER_LOG="$dir/observer.$prog.log" "$dir/$prog"
        if [[ $prog == prog ]]; then
            # an ordinary program: decorated, and the debug channel written as nobody
            [[ ${lines[1]} == *$'\tINFO\thello' ]] || { echo "$output"; return 1; }
            [ "$(stat -c %U "$dir/observer.prog.log")" = nobody ]
        else
            [ "${lines[0]%% *}" = secure=1 ] || { echo "$output"; return 1; }
            [ "${lines[1]}" = hello ] || { echo "$prog: $output"; return 1; }
            [ ! -e "$dir/observer.$prog.log" ] || { echo "$prog wrote $(cat "$dir/observer.$prog.log")"; return 1; }
        fi
    done
    rm -rf "$dir"
}

# --- no credential in anything lwrap prints or writes -----------------------------------

FAKE_KEY_ID=ASIAZZFAKEKEYID12345
FAKE_SECRET='zzFakeSecret/Key+0123456789abcdefABCDEFqq'
FAKE_TOKEN='ZZfakeSessionToken//IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQDfake+token=='

# creds_found FILE...: prints each file and credential value found in it; true if none.
creds_found() {
    local f v bad=0
    for f in "$@"; do
        for v in "$FAKE_KEY_ID" "$FAKE_SECRET" "$FAKE_TOKEN"; do
            if grep -qF -- "$v" "$f"; then
                echo "credential ${v:0:12}... in $f:"
                grep -F -- "$v" "$f" | head -3
                bad=1
            fi
        done
    done
    return $bad
}

@test "a full run with every feature, a crash, bad settings, --explain and dry runs shows no credential" {
    runtime_python3
    export AWS_ACCESS_KEY_ID=$FAKE_KEY_ID AWS_SECRET_ACCESS_KEY=$FAKE_SECRET AWS_SESSION_TOKEN=$FAKE_TOKEN
    mkdir out
    # bad settings that quote credentials back: a file line whose key is one, values of
    # lwrap's and the preload's settings, a bad LWRAP_REDACT pattern around a key id
    cat >lwrap.conf <<CONF
$FAKE_SECRET=1
LWRAP_ARGS_AT=$FAKE_SECRET
LWRAP_SET_DB_URL=postgres://app:$FAKE_SECRET@db:5432/x
LWRAP_LOG_LEVEL=$FAKE_TOKEN
LWRAP_KEEP_PRELOAD=$FAKE_SECRET
LWRAP_REDACT=($FAKE_KEY_ID
CONF
    chmod 644 lwrap.conf
    local settings=(LWRAP_CONFIG="$PWD/lwrap.conf" LWRAP_DEBUG=1 LWRAP_TRACE=json LWRAP_LOGS=json
        LWRAP_EXTENSION=1 LWRAP_CRASH=1 LWRAP_OBSERVER_LOG="$PWD/out/observer.log"
        LWRAP_ARGS='-X tok=${AWS_SESSION_TOKEN}' LWRAP_STRICT="$FAKE_TOKEN")
    local emu_env=() kv
    for kv in "${settings[@]}" AWS_ACCESS_KEY_ID="$FAKE_KEY_ID" AWS_SECRET_ACCESS_KEY="$FAKE_SECRET" \
        AWS_SESSION_TOKEN="$FAKE_TOKEN"; do
        emu_env+=(-e "$kv")
    done
    emu_event_files '{"do":"print"}' '{"do":"crash"}'
    run --separate-stderr timeout -k 5 120 "$EMU" --log-format json --init-timeout 30 \
        -e AWS_LAMBDA_EXEC_WRAPPER="$LWRAP" "${emu_env[@]}" "${EMU_EVENT_ARGS[@]}" \
        --handler creds_handler.handler --task-root "$SECURITY_FIXTURES" \
        -- "$RUNTIME_PYTHON3" "$RUNTIMES/python/bootstrap.py"
    printf '%s\n' "$output" >out/emu.stdout
    printf '%s\n' "$stderr" >out/emu.stderr
    local crash_id
    crash_id=$(jq -r 'select(.type=="platform.start") | .requestId' out/emu.stdout | tail -n 1)
    [ -n "$crash_id" ]
    # the run did what it must: records, the warnings, a crash report, the extension
    grep -q 'ASIA\*\*\*\*' out/emu.stdout
    grep -q 'LWRAP_ARGS_AT: unknown position' out/emu.stdout
    grep -q 'LWRAP_LOG_LEVEL: unknown level' out/emu.stdout
    grep -q 'LWRAP_REDACT: bad pattern' out/emu.stdout
    grep -q 'LWRAP CRASH signal=SIGSEGV' out/emu.stdout
    grep -q 'lwrap.trace' out/emu.stdout
    grep -q '^ext-register ' out/observer.log
    grep -q '^out .* data=ASIA\*\*\*\*$' out/observer.log
    mv "/tmp/lwrap-crash-$crash_id.txt" out/
    # lwrap --explain, a dry run, LWRAP_DEBUG and a strict start, with the same settings
    run env "${settings[@]}" "$LWRAP" --explain "$RUNTIME_PYTHON3" bootstrap.py
    printf '%s\n' "$output" >out/explain
    grep -q '^argv tok=\*\*\*\*$' out/explain
    run env "${settings[@]}" LWRAP_DRY_RUN=1 "$LWRAP" "$RUNTIME_PYTHON3" bootstrap.py
    printf '%s\n' "$output" >out/dry-run
    run -125 --separate-stderr env "${settings[@]}" LWRAP_STRICT=1 "$LWRAP" /bin/true
    printf '%s\n' "$stderr" >out/strict
    grep -q 'configuration error; not starting' out/strict
    # everything printed, and every file written (the debug channel, the crash report)
    run creds_found out/*
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    [ "$(ls out | wc -l)" -eq 7 ]
}
