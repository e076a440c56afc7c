#!/usr/bin/env bats
# --explain / LWRAP_DRY_RUN=1 print every change and the final argv and exec nothing;
# LWRAP_DEBUG=1 prints the same changes on stderr at a real start. Secrets are masked.
load test_helper

setup() {
    lwrap_test_setup
    FAKELIB=$(wr_fake_lib "$BATS_TEST_TMPDIR/lib/liblwrap.so")
    PY=$(wr_stub_as python3.12)
    # a realistic configuration, with Lambda's credentials in the environment
    export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCY \
        AWS_SESSION_TOKEN=FwoGZXIvYXdzEBYaDHexampletoken DB_PASSWORD=hunter22 \
        LWRAP_SET_DATABASE_URL=postgres://app:hunter22@db/x \
        LWRAP_ARGS='-u --key=${AWS_SECRET_ACCESS_KEY} "a b"' LWRAP_UNSET=AWS_SESSION_TOKEN \
        LWRAP_PRESETS=python-importtime,ruby-frozen-strings LWRAP_PRELOAD_PATH=$FAKELIB \
        LWRAP_NEXT=$FIXTURES/wrapper/vendor-node-wrapper
}

# The explain output with the start time (different each run) replaced by N.
explained() {
    sed -E 's/^(set _LWRAP_START_NS=)[0-9]+/\1N/'
}

@test "--explain prints each change and the final argv, runs nothing, exits 0" {
    STUB_ENVIRON=$PWD/ran run -0 --separate-stderr "$LWRAP" --explain "$PY" /var/runtime/bootstrap.py
    [ -z "$stderr" ]
    [ ! -e ran ]
    diff -u - <(printf '%s\n' "$output" | explained) <<OUT
unset AWS_SESSION_TOKEN (LWRAP_UNSET)
set DATABASE_URL=postgres://app:****@db/x (LWRAP_SET_DATABASE_URL)
insert -X (LWRAP_PRESETS python-importtime)
insert importtime (LWRAP_PRESETS python-importtime)
skip preset ruby-frozen-strings: it is for ruby, the runtime is python
insert -u (LWRAP_ARGS at interpreter)
insert --key=**** (LWRAP_ARGS at interpreter)
insert 'a b' (LWRAP_ARGS at interpreter)
set LD_PRELOAD=$FAKELIB (LWRAP_PRESETS python-importtime)
set _LWRAP_START_NS=N (LWRAP_PRESETS python-importtime)
chain $FIXTURES/wrapper/vendor-node-wrapper (LWRAP_NEXT)
argv $FIXTURES/wrapper/vendor-node-wrapper
argv $PY
argv -X
argv importtime
argv -u
argv --key=****
argv a b
argv /var/runtime/bootstrap.py
OUT
}

@test "LWRAP_DRY_RUN=1 prints exactly what --explain prints" {
    run -0 --separate-stderr "$LWRAP" --explain "$PY" /var/runtime/bootstrap.py
    want=$(printf '%s\n' "$output" | explained)
    STUB_ENVIRON=$PWD/ran LWRAP_DRY_RUN=1 run -0 --separate-stderr "$LWRAP" "$PY" /var/runtime/bootstrap.py
    [ ! -e ran ]
    [ "$(printf '%s\n' "$output" | explained)" = "$want" ]
}

@test "LWRAP_DEBUG=1: the same changes on stderr, one 'lwrap: ' line each, and the runtime runs" {
    run -0 --separate-stderr "$LWRAP" --explain "$PY" /var/runtime/bootstrap.py
    want=$(printf '%s\n' "$output" | grep -v '^argv ' | explained | sed 's/^/lwrap: /')
    LWRAP_DEBUG=1 run -0 --separate-stderr "$LWRAP" "$PY" /var/runtime/bootstrap.py
    [ "$(printf '%s\n' "$stderr" | sed -E 's/^(lwrap: set _LWRAP_START_NS=)[0-9]+/\1N/')" = "$want" ]
    [ "$output" = $'-X\nimporttime\n-u\n--key=wJalrXUtnFEMI/K7MDENG/bPxRfiCY\na b\n/var/runtime/bootstrap.py' ]
}

@test "no secret value appears anywhere in explain or debug output" {
    export LWRAP_SET_My_Api_Key=k3y-value LWRAP_SET_githubToken=ghp_abcdef LWRAP_SET_CLIENT_SECRET=s3cr3t-v \
        LWRAP_SET_AWS_SECRET_ACCESS_KEY=replaced-secret LWRAP_SET_PLAIN=AKIAIOSFODNN7EXAMPLE
    run -0 --separate-stderr "$LWRAP" --explain "$PY" x --id=AKIAIOSFODNN7EXAMPLE FwoGZXIvYXdzEBYaDHexampletoken
    all="$output$stderr"
    LWRAP_DEBUG=1 run -0 --separate-stderr "$LWRAP" "$PY" x
    all+="$stderr" # (stdout is the runtime's own: it does get the real values)
    run -0 --separate-stderr "$LWRAP" --explain "$PY" x --id=AKIAIOSFODNN7EXAMPLE FwoGZXIvYXdzEBYaDHexampletoken
    all+="$output$stderr"
    for secret in AKIAIOSFODNN7EXAMPLE wJalrXUtnFEMI FwoGZXIvYXdzEBYaDHexampletoken hunter22 k3y-value ghp_abcdef \
        s3cr3t-v replaced-secret; do
        [[ $all != *"$secret"* ]] || { echo "leaked: $secret"; return 1; }
    done
    [[ $output == *'set My_Api_Key=**** (LWRAP_SET_My_Api_Key)'* ]]
    [[ $output == *'set githubToken=**** (LWRAP_SET_githubToken)'* ]]
    [[ $output == *'set PLAIN=**** (LWRAP_SET_PLAIN)'* ]]
    [[ $output == *$'\nargv x\nargv --id=****\nargv ****' ]]
}

@test "a secret that is a prefix of, or overlaps, another is masked with no piece of either left" {
    for order in 'CACHE_KEY=prod DB_PASSWORD=prod-S3cr3t-Pw' 'DB_PASSWORD=prod-S3cr3t-Pw CACHE_KEY=prod'; do
        run -0 --separate-stderr env -i PATH=/usr/bin:/bin $order \
            LWRAP_SET_DB_URL='at prod-S3cr3t-Pw-suffix' LWRAP_DEBUG=1 "$LWRAP" "$WR_STUB"
        [[ $stderr == *'set DB_URL=at ****-suffix (LWRAP_SET_DB_URL)'* ]]
    done
    # overlapping (neither contains the other): one mask over both, nothing of either shown
    run -0 env -i PATH=/usr/bin:/bin A_TOKEN=abcd-1234 B_SECRET=1234-wxyz \
        LWRAP_ARGS='--x=<abcd-1234-wxyz>' "$LWRAP" --explain "$WR_STUB"
    [[ $output == *'insert --x=<****> (LWRAP_ARGS'* ]] || [[ $output == *'argv --x=<****>'* ]]
    [[ $output != *wxyz* && $output != *abcd* ]]
}

@test "secret values in every shape: quoted, JSON, --option value, Authorization, '@' in a URL password, a token as URL user, a cut copy" {
    run -0 --separate-stderr env -i PATH=/usr/bin:/bin AWS_SESSION_TOKEN=IQoJb3JpZ2luX2VjEXAMPLETOKENVALUE \
        LWRAP_SET_A='PASSWORD="quoted secret"' LWRAP_SET_B="db_password='single quoted'" \
        LWRAP_SET_C='postgres://app:p@ssword@db:5432/x?ssl=1' LWRAP_SET_D='{"password": "jsonpw123", "user":"app"}' \
        LWRAP_SET_E='--password plainpw999 --port 80' LWRAP_SET_F='Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig' \
        LWRAP_SET_G='IQoJb3JpZ2luX2VjEXAMPLETOKENVAL' LWRAP_SET_H='x,IQoJb3JpZ2luX2VjEXAMPLE;y' \
        LWRAP_SET_I='https://ghp_abcdefghijklmnopqrstuvwxyz0123456789@github.com/org/repo.git' \
        LWRAP_SET_J='curl -H "bearer abc.def.ghi" x' LWRAP_SET_K='password="unterminated secret' \
        LWRAP_ARGS='--db-password argpw123 --port 80' "$LWRAP" --explain "$WR_STUB" app
    diff -u - <(printf '%s\n' "$output") <<OUT
set A=PASSWORD="****" (LWRAP_SET_A)
set B=db_password='****' (LWRAP_SET_B)
set C=postgres://app:****@db:5432/x?ssl=1 (LWRAP_SET_C)
set D={"password": "****", "user":"app"} (LWRAP_SET_D)
set E=--password **** --port 80 (LWRAP_SET_E)
set F=Authorization: **** (LWRAP_SET_F)
set G=**** (LWRAP_SET_G)
set H=x,****;y (LWRAP_SET_H)
set I=https://****@github.com/org/repo.git (LWRAP_SET_I)
set J=curl -H "bearer ****" x (LWRAP_SET_J)
set K=password="**** (LWRAP_SET_K)
insert --db-password (LWRAP_ARGS at interpreter)
insert **** (LWRAP_ARGS at interpreter)
insert --port (LWRAP_ARGS at interpreter)
insert 80 (LWRAP_ARGS at interpreter)
argv $WR_STUB
argv --db-password
argv ****
argv --port
argv 80
argv app
OUT
}

@test "what only looks like a secret's neighbour stays readable: user names, other tokens, ports, times" {
    run -0 --separate-stderr env -i PATH=/usr/bin:/bin AWS_SESSION_TOKEN=IQoJb3JpZ2luX2VjEXAMPLETOKENVALUE \
        LWRAP_SET_A='https://alice@github.com/x' LWRAP_SET_B='IQoJb3JpZ2luX2VjOTHERTOKEN' \
        LWRAP_SET_C='time: 10:30, port: 80' LWRAP_SET_D='Basic usage' "$LWRAP" --explain "$WR_STUB"
    diff -u - <(printf '%s\n' "$output" | grep '^set') <<'OUT'
set A=https://alice@github.com/x (LWRAP_SET_A)
set B=IQoJb3JpZ2luX2VjOTHERTOKEN (LWRAP_SET_B)
set C=time: 10:30, port: 80 (LWRAP_SET_C)
set D=Basic usage (LWRAP_SET_D)
OUT
}

@test "a secret set by a later config line is masked in notes printed before it is set" {
    lwrap_clean_env
    printf '%s\n' 'LWRAP_SET_GREETING=hello-Hunter2Secret' 'LWRAP_SET_DATABASE_URL=postgres://db/x?pw=Hunter2Secret' \
        'LWRAP_SET_DB_PASSWORD=Hunter2Secret' >lwrap.conf
    LWRAP_CONFIG=$PWD/lwrap.conf LWRAP_DEBUG=1 run -0 --separate-stderr "$LWRAP" "$WR_STUB"
    [[ $stderr != *Hunter2* ]]
    [[ $stderr == *'set GREETING=hello-**** ('* ]]
    [[ $stderr == *'set DATABASE_URL=postgres://db/x?pw=**** ('* ]]
    # the issue's case: the URL's password, whatever sets it
    LWRAP_SET_DATABASE_URL=postgres://app:Hunter2Secret@db/x LWRAP_DEBUG=1 run -0 --separate-stderr "$LWRAP" "$WR_STUB"
    [ "$stderr" = 'lwrap: set DATABASE_URL=postgres://app:****@db/x (LWRAP_SET_DATABASE_URL)' ]
}

@test "error lines mask NAME=value with a secret-looking NAME" {
    lwrap_clean_env
    LWRAP_UNSET='AWS_SESSION_TOKEN=IQoJb3JpZ2luX2VjEXAMPLE,OK' run -0 --separate-stderr "$LWRAP" "$WR_STUB"
    [ "$stderr" = 'lwrap: LWRAP_UNSET: "AWS_SESSION_TOKEN=****" is not a valid variable name (a name cannot contain "="); ignored' ]
    LWRAP_ARGS_AT='--db-password=Hunter2Secret' run -0 --separate-stderr "$LWRAP" "$WR_STUB"
    [[ $stderr == *'"--db-password=****"'* ]]
}

@test "names with PASS, PWD, AUTH, DSN, CREDENTIAL, PRIVATE, API_KEY, HEADERS are secret; the shell's PWD is not" {
    lwrap_clean_env
    for name in DB_PASS DB_PWD BASIC_AUTH SENTRY_DSN GOOGLE_CREDENTIALS PRIVATE_PEM MY_API_KEY OTEL_EXPORTER_OTLP_HEADERS; do
        env "LWRAP_SET_$name=value-of-$name" LWRAP_DEBUG=1 "$LWRAP" "$WR_STUB" 2>&1 >/dev/null |
            grep -qx "lwrap: set $name=\*\*\*\* (LWRAP_SET_$name)" || { echo "$name not masked"; return 1; }
    done
    LWRAP_SET_PWD=/var/task LWRAP_DEBUG=1 run -0 --separate-stderr "$LWRAP" "$WR_STUB"
    [ "$stderr" = 'lwrap: set PWD=/var/task (LWRAP_SET_PWD)' ]
}

@test "explain escapes control bytes so every argument stays on its line" {
    lwrap_clean_env
    run -0 "$LWRAP" --explain "$WR_STUB" $'a\nb' $'tab\there' 'back\slash' ''
    diff -u - <(printf '%s\n' "$output") <<OUT
argv $WR_STUB
argv a\x0ab
argv tab\x09here
argv back\\\\slash
argv 
OUT
}

@test "explain does not need the runtime to exist; a bad LWRAP_DRY_RUN is reported and ignored" {
    run -0 --separate-stderr "$LWRAP" --explain /nonexistent/runtime a
    [[ $output == *$'argv /nonexistent/runtime\nargv -u\nargv --key=****\nargv a b\nargv a' ]]
    lwrap_clean_env
    LWRAP_DRY_RUN=yes run -0 --separate-stderr "$LWRAP" "$WR_STUB" ran
    [ "$stderr" = 'lwrap: LWRAP_DRY_RUN: expected 1 or 0, got "yes"; ignored' ]
    [ "$output" = ran ]
    LWRAP_DRY_RUN=0 LWRAP_DEBUG=0 run -0 --separate-stderr "$LWRAP" "$WR_STUB" ran
    [ -z "$stderr" ] && [ "$output" = ran ]
}
