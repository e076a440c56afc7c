#!/usr/bin/env bash
# lwrap's own work, in instructions (valgrind callgrind, counted up to the execve of the
# runtime), against a minimal static execv shim. Deterministic, unlike wall-clock time.
# usage: wrapper/cost.sh [BUILD]   (BUILD holds wrapper/*.o from `make BUILD=...`)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
cc=$(command -v musl-gcc || echo cc)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Unstripped, so callgrind can stop at the execve symbol (--dump-before=execve).
"$cc" -static -Wl,--gc-sections -o "$tmp/lwrap" "$build"/wrapper/*.o
printf '#include <unistd.h>\nint main(int c, char **v) { (void)c; execv(v[1], v + 1); return 127; }\n' >"$tmp/shim.c"
"$cc" -Os -static -o "$tmp/shim" "$tmp/shim.c"
mkdir "$tmp/task"
printf '%s\n' '# a function'"'"'s lwrap.conf' 'LWRAP_SET_POWERTOOLS_SERVICE_NAME=orders' 'LWRAP_LOGS=json' \
    'LWRAP_DEFAULT_LOG_LEVEL=INFO' >"$tmp/task/lwrap.conf"
mkdir "$tmp/lib" && : >"$tmp/lib/liblwrap.so" # found as in the layer: lib/ next to lwrap
# A python3.12 function's environment, as Lambda sets it (values shortened).
lambda_env=(PATH=/var/lang/bin:/usr/local/bin:/usr/bin/:/bin:/opt/bin
    LD_LIBRARY_PATH=/var/lang/lib:/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:/var/task:/var/task/lib:/opt/lib
    LANG=en_US.UTF-8 TZ=:UTC _HANDLER=app.handler LAMBDA_TASK_ROOT="$tmp/task" LAMBDA_RUNTIME_DIR=/var/runtime
    AWS_REGION=eu-west-1 AWS_DEFAULT_REGION=eu-west-1 AWS_EXECUTION_ENV=AWS_Lambda_python3.12
    AWS_LAMBDA_FUNCTION_NAME=orders AWS_LAMBDA_FUNCTION_MEMORY_SIZE=512 'AWS_LAMBDA_FUNCTION_VERSION=$LATEST'
    AWS_LAMBDA_INITIALIZATION_TYPE=on-demand AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/orders
    'AWS_LAMBDA_LOG_STREAM_NAME=2026/11/27/[$LATEST]0123456789abcdef0123456789abcdef'
    AWS_ACCESS_KEY_ID=ASIAXXXXXXXXXXXXXXXX AWS_SECRET_ACCESS_KEY=abcdefghijklmnopqrstuvwxyz0123456789ABCD
    AWS_SESSION_TOKEN=IQoJb3JpZ2luX2VjEXAMPLEEXAMPLEEXAMPLEEXAMPLEEXAMPLE AWS_LAMBDA_RUNTIME_API=127.0.0.1:9001
    AWS_XRAY_CONTEXT_MISSING=LOG_ERROR AWS_XRAY_DAEMON_ADDRESS=169.254.79.129:2000 _LAMBDA_TELEMETRY_LOG_FD=62
    AWS_LAMBDA_EXEC_WRAPPER=/opt/lwrap TABLE_NAME=orders-table)
settings=(LWRAP_PRESETS=python-importtime "LWRAP_ARGS=-X dev" LWRAP_SET_FOO=bar LWRAP_APPEND_PYTHONPATH=/opt/extra
    LWRAP_UNSET=AWS_XRAY_CONTEXT_MISSING)
count() {
    rm -f "$tmp/cg"*
    env -i "${@:2}" valgrind --tool=callgrind --dump-before=execve --callgrind-out-file="$tmp/cg" \
        "$tmp/$1" /bin/true 2>/dev/null
    printf '%8s  ' "$(sed -n 's/^totals: //p' "$tmp/cg.1")"
}
count shim "${lambda_env[@]}" LWRAP_CONFIG=; echo "execv shim"
count lwrap "${lambda_env[@]}" LWRAP_CONFIG=; echo "lwrap, no settings, no config file"
count lwrap "${lambda_env[@]}"; echo "lwrap, lwrap.conf with 3 settings"
count lwrap "${lambda_env[@]}" "${settings[@]}"; echo "lwrap, lwrap.conf + 6 settings, preset, preload"
