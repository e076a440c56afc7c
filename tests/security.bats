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
    lw=$(wr_copy_lwrap "$PWD/opt")
    wr_fake_lib "$PWD/opt/lib/liblwrap.so" >/dev/null
    STUB_ENV=LD_PRELOAD LWRAP_TRACE=text run -0 --separate-stderr \
        unshare -m sh -c 'mount -t tmpfs none /proc && exec "$@"' _ "$lw" "$WR_STUB"
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
