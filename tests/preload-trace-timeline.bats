#!/usr/bin/env bats
# The cold-start timeline (LWRAP_TRACE_FILE) and the per-package summary of the trace
# record: real packages (a Debian-packaged Python library, npm packages), each file read
# in init as a span of its package, checked with a strict JSON parser: structure, rows
# that nest, children inside their parents.
load test_helper

setup() {
    lwrap_test_setup
    preload_opts
    # Debian's python3: its dist-packages hold the Debian-packaged libraries (PyYAML).
    RUNTIME_PYTHON3=/usr/bin/python3
    TASK=$BATS_TEST_TMPDIR/task
    mkdir -p "$TASK"
    TL=(-e "LWRAP_TRACE_FILE=$BATS_TEST_TMPDIR/tl-%p.json")
}

# a Python handler importing PyYAML from Debian's python3-yaml
python_yaml_task() {
    [ -d /usr/lib/python3/dist-packages/yaml ] || skip "python3-yaml (Debian) is not installed"
    cat >"$TASK/app.py" <<'PY'
import yaml


def handler(event, context):
    return {"yaml": yaml.safe_dump({"a": 1}).strip()}
PY
}

@test "python + PyYAML from dist-packages: the file opens strictly, one row per package, yaml's files inside it; %p is the pid" {
    python_yaml_task
    trace_task python "$TASK" app.handler 1 "${PRELOAD_OPTS[@]}" "${TL[@]}" -e LWRAP_TRACE=json
    [ "$status" -eq 0 ]
    local pid file sum rec
    pid=$(observer_field init pid | head -1)
    file=$(timeline_file)
    [ "$file" = "$BATS_TEST_TMPDIR/tl-$pid.json" ]
    sum=$(timeline_check "$file")
    jq -e '.outcome == "ready" and (.phases | index("runtime init")) and .otherData.spansDropped == 0
        and .packages.yaml.ecosystem == "python" and .packages.yaml.files >= 5 and .packages.yaml.bytes > 10000
        and .filesInPackages >= 5 and (.rows | index("runtime main thread"))
        and ([.paths[] | select(test("/dist-packages/yaml/"))] | length) == .packages.yaml.files' <<<"$sum"
    # the record's summary agrees with the file
    run -0 trace_record
    rec=$output
    jq -e --argjson s "$sum" '.packages[] | select(.name == "yaml") | .ecosystem == "python"
        and .files == $s.packages.yaml.files and .bytes == $s.packages.yaml.bytes and .ms > 0' <<<"$rec"
}

@test "python-importtime: imports nested by level, inside their parents; the package gets its import time" {
    python_yaml_task
    trace_task python "$TASK" app.handler 1 "${PRELOAD_OPTS[@]}" "${TL[@]}" -e LWRAP_TRACE=json \
        -e PYTHONPROFILEIMPORTTIME=1
    [ "$status" -eq 0 ]
    local sum
    sum=$(timeline_check "$(timeline_file)")
    jq -e '.imports >= 20 and .importDepth >= 2 and (.importNames | index("yaml"))
        and .packages.yaml.importMs > 0' <<<"$sum"
    run -0 trace_record
    jq -e '.packages[] | select(.name == "yaml") | .importMs > 0' <<<"$output"
}

@test "node + npm packages (AWS's runtime client's dependencies): many files per package, @scope/pkg, in the text record" {
    local mods=${LWRAP_CACHE_DIR:-/var/cache/lwrap}/aws-lambda-ric-4.0.2/node_modules
    [ -d "$mods/make-fetch-happen" ] || skip "no npm packages cached in $mods (scripts/prepare-test-deps)"
    ln -s "$mods" "$TASK/node_modules"
    cat >"$TASK/app.js" <<'JS'
const fetch = require('make-fetch-happen');
const semver = require('semver');
exports.handler = async () => ({ fetch: typeof fetch, v: semver.valid('1.2.3') });
JS
    trace_task node "$TASK" app.handler 1 "${PRELOAD_OPTS[@]}" "${TL[@]}" -e LWRAP_TRACE=text
    [ "$status" -eq 0 ]
    [ "$(emu_responses)" = '{"fetch":"function","v":"1.2.3"}' ]
    local sum
    sum=$(timeline_check "$(timeline_file)")
    jq -e '.packages.semver.files >= 40 and .packages.semver.ecosystem == "node"
        and .packages["@npmcli/fs"].files >= 1 and .packages["make-fetch-happen"].files >= 5
        and (.packages | length) >= 20 and .otherData.spansNotDrawn == 0' <<<"$sum"
    run -0 trace_record
    [[ $output =~ \ packages=([^ ]+) ]]
    local list=${BASH_REMATCH[1]}
    [[ ,$list =~ ,semver:[0-9]+\.[0-9]{3}ms/([0-9]+)files/[0-9]+B ]]
    [ "${BASH_REMATCH[1]}" -eq "$(jq '.packages.semver.files' <<<"$sum")" ]
    [ "$(tr ',' '\n' <<<"$list" | wc -l)" -eq 10 ]
}

@test "packages from paths: node_modules (@scope too), site-packages, dist-packages, *.jar, gems; .pth files and other files are none" {
    local d=$BATS_TEST_TMPDIR/p
    local files=(
        "$d/node_modules/left-pad/index.js" "$d/node_modules/@scope/pkg/lib/a.js"
        "$d/node_modules/x/node_modules/nested/i.js" "$d/node_modules/.package-lock.json"
        "$d/lib/python3.12/site-packages/requests/api.py" "$d/lib/python3.12/site-packages/six.py"
        "$d/lib/python3.12/site-packages/PyYAML-6.0.dist-info/METADATA" "$d/lib/python3.12/site-packages/x.pth"
        "$d/usr/lib/python3/dist-packages/yamlish/__init__.py"
        "$d/java/lib/aws-lambda-java-core-1.2.3.jar"
        "$d/ruby/gems/3.2.0/gems/json-2.6.3/lib/json.rb" "$d/ruby/gems/3.2.0/specifications/json.gemspec"
        "$d/plain/file.txt")
    local f
    for f in "${files[@]}"; do mkdir -p "${f%/*}" && printf 'abc' >"$f"; done
    printf '%s\n' "${files[@]}" >"$TASK/list"
    cat >"$TASK/app.py" <<'PY'
import os

for path in open(os.path.join(os.path.dirname(__file__), "list")).read().split():
    with open(path, "rb") as f:
        f.read()


def handler(event, context):
    return {}
PY
    trace_task python "$TASK" app.handler 1 "${PRELOAD_OPTS[@]}" "${TL[@]}" -e LWRAP_TRACE=json
    [ "$status" -eq 0 ]
    run -0 timeline_check "$(timeline_file)"
    jq -e '.packages | to_entries | map(select(.key != "_distutils_hack" and .key != "_sandboxing_egress_ca"))
        | map({key, value: .value.ecosystem}) | from_entries ==
        {"left-pad":"node","@scope/pkg":"node","nested":"node","requests":"python","six":"python",
         "PyYAML":"python","yamlish":"python","aws-lambda-java-core-1.2.3":"java","json-2.6.3":"ruby"}' <<<"$output"
    jq -e '.packages["left-pad"].bytes == 3 and .packages["left-pad"].files == 1' <<<"$output"
}

@test "through lwrap, LWRAP_TRACE_FILE alone turns the preload on: exec (lwrap, then execve to our constructor) inside init, no trace record" {
    python_yaml_task
    trace_task python "$TASK" app.handler 1 -e "AWS_LAMBDA_EXEC_WRAPPER=$LWRAP" -e "LWRAP_PRELOAD_PATH=$LIBLWRAP" "${TL[@]}"
    [ "$status" -eq 0 ]
    [ "$(emu_responses | jq -c .)" = '{"yaml":"a: 1"}' ]
    [ -z "$(jq -r 'select(.type=="function") | .message' <<<"$output")" ] # no record, no line
    run -0 timeline_check "$(timeline_file)"
    jq -e '.phases == ["exec", "execve, loader, constructors", "init", "lwrap", "runtime init"]
        and .packages.yaml.files >= 5' <<<"$output"
}

@test "init error: the file is written, marked initError" {
    trace_task python "$TASK" no_such_module.handler 1 "${PRELOAD_OPTS[@]}" "${TL[@]}"
    run -0 timeline_check "$(timeline_file)"
    jq -e '.outcome == "initError" and (.phases | index("init (error)"))' <<<"$output"
}

@test "a runtime that exits before it is ready still leaves its timeline" {
    printf '{}' >"$BATS_TEST_TMPDIR/e.json"
    run --separate-stderr timeout -k 5 60 "$EMU" --log-format json --init-timeout 30 "${PRELOAD_OPTS[@]}" "${TL[@]}" \
        --event "$BATS_TEST_TMPDIR/e.json" -- /usr/bin/python3 -c 'import json, email.parser; raise SystemExit(3)'
    run -0 timeline_check "$(timeline_file)"
    jq -e '.outcome == "exitBeforeReady" and .files > 0' <<<"$output"
}

@test "bounded: past 10,000 spans only counts go on; the file stays whole and says how many were dropped" {
    printf 'x' >"$BATS_TEST_TMPDIR/one"
    cat >"$TASK/app.py" <<PY
for _ in range(10500):
    with open("$BATS_TEST_TMPDIR/one", "rb") as f:
        f.read()


def handler(event, context):
    return {}
PY
    trace_task python "$TASK" app.handler 1 "${PRELOAD_OPTS[@]}" "${TL[@]}" -e LWRAP_TRACE=json
    [ "$status" -eq 0 ]
    local file
    file=$(timeline_file)
    run -0 timeline_check "$file"
    jq -e '.otherData.spans == 10000 and .otherData.spansDropped >= 500 and .otherData.filesOpened >= 10500' <<<"$output"
    [ "$(stat -c %s "$file")" -lt 8000000 ]
    run -0 trace_record
    jq -e '.spansDropped >= 500 and .filesOpened >= 10500' <<<"$output"
}

@test "the first invokes are drawn (next to response) once they have ended" {
    # the last invoke lasts 300 ms: lwrap's thread has rewritten the file by then
    printf '{}' >"$BATS_TEST_TMPDIR/e.json"
    printf '{"ms":300}' >"$BATS_TEST_TMPDIR/slow.json"
    runtime_cmd python
    run --separate-stderr timeout -k 5 120 "$EMU" --log-format json --init-timeout 30 "${PRELOAD_OPTS[@]}" "${TL[@]}" \
        --event "$BATS_TEST_TMPDIR/e.json" --event "$BATS_TEST_TMPDIR/e.json" --event "$BATS_TEST_TMPDIR/slow.json" \
        --handler sleep.handler --task-root "$HANDLERS/python" -- "${RUNTIME_CMD[@]}"
    [ "$status" -eq 0 ]
    local first
    first=$(emu_ids platform.start | head -1)
    run -0 timeline_check "$(timeline_file)"
    jq -e --arg id "$first" '.invokes[0].requestId == $id and .invokes[0].outcome == "response"
        and (.invokes[0].traceId | startswith("Root=1-")) and (.invokes | length) >= 2' <<<"$output"
}

@test "a relative LWRAP_TRACE_FILE gets one line and no file; the function runs" {
    trace_task python "$HANDLERS/python" echo.handler 1 "${PRELOAD_OPTS[@]}" -e LWRAP_TRACE_FILE=tl.json
    [ "$status" -eq 0 ]
    [ "$(emu_responses)" = '{}' ]
    [ "$(jq -r 'select(.type=="function") | .message' <<<"$output")" = \
        'lwrap: LWRAP_TRACE_FILE: tl.json: not an absolute path; no timeline' ]
    [ -z "$(find "$BATS_TEST_TMPDIR" -name 'tl*')" ]
}

@test "emf: one PackageInitMs record per top package (dimension Package), at most 5, besides the init record" {
    python_yaml_task
    trace_task python "$TASK" app.handler 1 "${PRELOAD_OPTS[@]}" -e LWRAP_TRACE=emf --function-name emf-fn
    [ "$status" -eq 0 ]
    local all=$output recs
    run -0 trace_record # the init record is still one
    recs=$(jq -c 'select(.type=="function" and .stream=="telemetry") | .message | fromjson | select(has("Package"))' <<<"$all")
    [ "$(wc -l <<<"$recs")" -ge 1 ] && [ "$(wc -l <<<"$recs")" -le 5 ]
    jq -e -s 'map(select(.Package == "yaml")) | length == 1 and (.[0] | .PackageInitMs > 0 and .PackageFiles >= 5
        and .PackageBytes > 10000 and .FunctionName == "emf-fn"
        and ._aws.CloudWatchMetrics[0].Dimensions == [["FunctionName", "Package"]]
        and ([._aws.CloudWatchMetrics[0].Metrics[].Name] == ["PackageInitMs", "PackageFiles", "PackageBytes"]))' <<<"$recs"
}

@test "a child forked during init that exits (os._exit, exit) leaves no timeline of its own" {
    cat >"$TASK/app.py" <<'PY'
import os

for how in ("_exit", "exit"):
    pid = os.fork()
    if pid == 0:
        open("/etc/hostname").read()
        if how == "_exit":
            os._exit(0)
        raise SystemExit(0)
    os.waitpid(pid, 0)


def handler(event, context):
    return {}
PY
    trace_task python "$TASK" app.handler 1 "${PRELOAD_OPTS[@]}" "${TL[@]}"
    [ "$status" -eq 0 ]
    run -0 timeline_check "$(timeline_file)"
    jq -e '.outcome == "ready"' <<<"$output"
}

@test "java: a jar on the classpath is a package (its files, the bytes the JVM read from it)" {
    command -v jar >/dev/null || skip "no jar tool"
    jar cf "$TASK/lwrap-test-1.0.jar" -C "$BUILD/tests/java" .
    local jvm=(java -XX:+UseSerialGC -Xshare:auto -XX:TieredStopAtLevel=1 -classpath "$TASK/lwrap-test-1.0.jar"
        lwrap.runtime.Main "$(handler_name java echo)")
    printf '{}' >"$BATS_TEST_TMPDIR/e.json"
    run --separate-stderr timeout -k 5 120 "$EMU" --log-format json --init-timeout 30 "${PRELOAD_OPTS[@]}" "${TL[@]}" \
        -e LWRAP_TRACE=json --event "$BATS_TEST_TMPDIR/e.json" --handler "$(handler_name java echo)" --task-root "$TASK" -- "${jvm[@]}"
    [ "$status" -eq 0 ]
    run -0 trace_record
    jq -e '.packages[] | select(.name == "lwrap-test-1.0") | .ecosystem == "java" and .files >= 1 and .bytes > 1000' <<<"$output"
    run -0 timeline_check "$(timeline_file)"
    jq -e '.packages["lwrap-test-1.0"].ecosystem == "java"' <<<"$output"
}

@test "ruby: a gem (Debian's bundled rake) is a package named gem-version" {
    local gem
    gem=$(ruby -e 'require "rake"; puts $LOADED_FEATURES.grep(%r{/gems/[^/]+/gems/rake-}).first.to_s[%r{gems/(rake-[^/]+)/}, 1]') || true
    [ -n "$gem" ] || skip "rake is not an installed gem here"
    printf 'require "rake"\n\ndef handler(event:, context:)\n  {}\nend\n' >"$TASK/app.rb"
    trace_task ruby "$TASK" app.handler 1 "${PRELOAD_OPTS[@]}" "${TL[@]}" -e LWRAP_TRACE=json
    [ "$status" -eq 0 ]
    run -0 trace_record
    jq -e --arg g "$gem" '.packages[] | select(.name == $g) | .ecosystem == "ruby" and .files >= 10' <<<"$output"
    run -0 timeline_check "$(timeline_file)"
}

@test "paths and package names get the built-in redaction, and bytes that are not UTF-8 are escaped: the file stays strict JSON" {
    local secret=wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY d=$BATS_TEST_TMPDIR/p
    local files=("$d/node_modules/leak-$secret/index.js" "$d/node_modules/bad"$'\xff'"name/index.js" "$d/plain-$secret.txt")
    local f
    for f in "${files[@]}"; do mkdir -p "${f%/*}" && printf 'abc' >"$f"; done
    printf '%s\0' "${files[@]}" >"$TASK/list"
    cat >"$TASK/app.py" <<'PY'
import os

for path in open(os.path.join(os.path.dirname(__file__), "list"), "rb").read().split(b"\0"):
    if path:
        with open(path, "rb") as f:
            f.read()


def handler(event, context):
    return {}
PY
    trace_task python "$TASK" app.handler 1 "${PRELOAD_OPTS[@]}" "${TL[@]}" -e LWRAP_TRACE=json \
        -e "AWS_SECRET_ACCESS_KEY=$secret"
    [ "$status" -eq 0 ]
    [[ $output != *"$secret"* ]]
    local file
    file=$(timeline_file)
    ! grep -q "$secret" "$file"
    run -0 timeline_check "$file"
    jq -e '(.packages | has("leak-****")) and (.packages | has("bad\u00ffname"))
        and ([.paths[] | select(endswith("plain-****.txt"))] | length) == 1' <<<"$output"
}

@test "1,000 tiny packages, then one slow one: it tops the record's list and has its row and its files; every package is counted" {
    local sp=$TASK/site-packages i j
    mkdir -p "$sp/heavy"
    {
        printf 'import sys\nsys.path.insert(0, %s)\n' "'$sp'"
        for ((i = 0; i < 1000; i++)); do
            mkdir -p "$sp/tiny$i" && printf 'X = 1\n' >"$sp/tiny$i/__init__.py"
            printf 'import tiny%d\n' "$i"
        done
        printf 'import heavy\n\n\ndef handler(event, context):\n    return {}\n'
    } >"$TASK/app.py"
    for ((j = 0; j < 10; j++)); do
        printf 'import time\nt = time.monotonic()\nwhile time.monotonic() - t < 0.01:\n    pass\n' >"$sp/heavy/m$j.py"
        printf 'from . import m%d\n' "$j" >>"$sp/heavy/__init__.py"
    done
    trace_task python "$TASK" app.handler 1 "${PRELOAD_OPTS[@]}" "${TL[@]}" -e LWRAP_TRACE=json
    [ "$status" -eq 0 ]
    run -0 trace_record
    jq -e '.packages[0].name == "heavy" and .packages[0].files == 11 and (.packages | length) == 10' <<<"$output"
    run -0 timeline_check "$(timeline_file)"
    jq -e '.otherData.packages >= 1001 and .packages.heavy.files == 11 and .packages.tiny999.files == 1
        and ([.packages | to_entries[] | select(.key | startswith("tiny"))] | length) == 1000' <<<"$output"
}

@test "a runtime that dies of a signal in init (a native segfault, SIGSEGV sent, abort()) leaves its timeline, with or without LWRAP_CRASH; the death is unchanged" {
    printf '{}' >"$BATS_TEST_TMPDIR/e.json"
    local how crash code sig want
    for how in fault segv abort; do
        for crash in 0 1; do
            rm -f "$BATS_TEST_TMPDIR"/tl-*.json
            case $how in
            fault) code='import ctypes; ctypes.string_at(0)' sig=SIGSEGV want='segmentation fault' ;;
            segv) code='import os, signal; os.kill(os.getpid(), signal.SIGSEGV)' sig=SIGSEGV want='segmentation fault' ;;
            abort) code='import os; os.abort()' sig=SIGABRT want=aborted ;;
            esac
            run --separate-stderr timeout -k 5 60 "$EMU" --log-format json --init-timeout 30 "${PRELOAD_OPTS[@]}" \
                "${TL[@]}" -e "LWRAP_CRASH=$crash" --event "$BATS_TEST_TMPDIR/e.json" \
                -- /usr/bin/python3 -c "import json, email.parser; $code"
            [[ "$output$stderr" == *"Runtime exited with error: signal: $want"* ]]
            run -0 timeline_check "$(timeline_file)"
            jq -e --arg sig "$sig" '.outcome == "crashedBeforeReady" and .otherData.signal == $sig and .files > 0
                and (.phases | index("runtime init"))' <<<"$output"
        done
    done
}
