#!/usr/bin/env bats
# LWRAP_PRESETS: each preset on a stub runtime (exact argv and environment), then on
# the real interpreters, where its effect must be visible.
load test_helper

setup() {
    lwrap_test_setup
    FAKELIB=$(wr_fake_lib "$BATS_TEST_TMPDIR/lib/liblwrap.so")
    export LWRAP_PRELOAD_PATH=$FAKELIB
}

@test "python-importtime: -X importtime after the interpreter, and the preload with the start time" {
    py=$(wr_stub_as python3.12)
    STUB_ENV='LD_PRELOAD _LWRAP_START_NS' LWRAP_PRESETS=python-importtime run -0 --separate-stderr \
        "$LWRAP" "$py" /var/runtime/bootstrap.py
    [ -z "$stderr" ]
    [ "${lines[0]}" = -X ] && [ "${lines[1]}" = importtime ] && [ "${lines[2]}" = /var/runtime/bootstrap.py ]
    [ "${lines[3]}" = "LD_PRELOAD=$FAKELIB" ]
    [[ ${lines[4]} =~ ^_LWRAP_START_NS=[0-9]+$ ]]
}

@test "python-faulthandler and python-importtime together, with LWRAP_ARGS after them" {
    py=$(wr_stub_as python3)
    LWRAP_PRESETS=' python-faulthandler , python-importtime ' LWRAP_ARGS=-u run -0 "$LWRAP" "$py" app.py
    [ "$output" = $'-X\nfaulthandler\n-X\nimporttime\n-u\napp.py' ]
}

@test "a preset listed twice, or whose arguments are already there, adds nothing twice" {
    py=$(wr_stub_as python3.11)
    LWRAP_PRESETS=python-importtime,python-importtime run -0 "$LWRAP" "$py" -X importtime app.py
    [ "$output" = $'-X\nimporttime\napp.py' ]
}

@test "only the interpreter's own options count as already given: the program's arguments are its own" {
    py=$(wr_stub_as python3)
    # after the script, or after -c CODE: the program's argv, so the preset still applies
    LWRAP_PRESETS=python-importtime,python-faulthandler run -0 "$LWRAP" "$py" /var/runtime/bootstrap.py -X faulthandler -X importtime
    [ "$output" = $'-X\nimporttime\n-X\nfaulthandler\n/var/runtime/bootstrap.py\n-X\nfaulthandler\n-X\nimporttime' ]
    LWRAP_PRESETS=python-importtime run -0 "$LWRAP" "$py" -c CODE -X importtime
    [ "$output" = $'-X\nimporttime\n-c\nCODE\n-X\nimporttime' ]
    # the forms python reads as the same option: joined, with a value
    LWRAP_PRESETS=python-importtime run -0 "$LWRAP" "$py" -Ximporttime app.py
    [ "$output" = $'-Ximporttime\napp.py' ]
    LWRAP_PRESETS=python-importtime run -0 "$LWRAP" "$py" -X importtime=2 app.py
    [ "$output" = $'-X\nimporttime=2\napp.py' ]
    ruby=$(wr_stub_as ruby3.3)
    LWRAP_PRESETS=ruby-frozen-strings run -0 "$LWRAP" "$ruby" x.rb --enable frozen-string-literal
    [ "$output" = $'--enable\nfrozen-string-literal\nx.rb\n--enable\nfrozen-string-literal' ]
    LWRAP_PRESETS=ruby-frozen-strings run -0 "$LWRAP" "$ruby" -e CODE --enable frozen-string-literal
    [ "$output" = $'--enable\nfrozen-string-literal\n-e\nCODE\n--enable\nfrozen-string-literal' ]
    LWRAP_PRESETS=ruby-frozen-strings run -0 "$LWRAP" "$ruby" --enable=frozen-string-literal x.rb
    [ "$output" = $'--enable=frozen-string-literal\nx.rb' ]
    LWRAP_PRESETS=ruby-frozen-strings run -0 "$LWRAP" "$ruby" -w --enable frozen-string-literal x.rb
    [ "$output" = $'-w\n--enable\nfrozen-string-literal\nx.rb' ]
}

@test "python-importtime after the program's own -X importtime: the interpreter really gets it" {
    wr_real_cmd python3 >/dev/null || skip "no python3"
    LWRAP_PRESETS=python-importtime,python-faulthandler run -0 --separate-stderr "$LWRAP" "$(wr_real_cmd python3)" \
        -c 'import sys; print(sorted(sys._xoptions), sys.argv[1:])' -X importtime
    [ "$output" = "['faulthandler', 'importtime'] ['-X', 'importtime']" ]
}

@test "node-source-maps appends --enable-source-maps to NODE_OPTIONS, once" {
    node=$(wr_stub_as node)
    STUB_ENV=NODE_OPTIONS LWRAP_PRESETS=node-source-maps run -0 "$LWRAP" "$node" index.mjs
    [ "$output" = $'index.mjs\nNODE_OPTIONS=--enable-source-maps' ]
    NODE_OPTIONS='--max-old-space-size=100 --enable-source-maps' STUB_ENV=NODE_OPTIONS \
        LWRAP_PRESETS=node-source-maps run -0 "$LWRAP" "$node" index.mjs
    [ "$output" = $'index.mjs\nNODE_OPTIONS=--max-old-space-size=100 --enable-source-maps' ]
    NODE_OPTIONS='--max-old-space-size=100' STUB_ENV=NODE_OPTIONS \
        LWRAP_PRESETS=node-source-maps run -0 "$LWRAP" "$node" index.mjs
    [ "$output" = $'index.mjs\nNODE_OPTIONS=--max-old-space-size=100 --enable-source-maps' ]
}

@test "node-cpu-prof: --cpu-prof --cpu-prof-dir=/tmp and a SIGTERM-to-exit module as arguments (refused in NODE_OPTIONS)" {
    node=$(wr_stub_as nodejs)
    STUB_ENV=NODE_OPTIONS LWRAP_PRESETS=node-cpu-prof run -0 "$LWRAP" "$node" --expose-gc index.mjs
    [ "$output" = $'--cpu-prof\n--cpu-prof-dir=/tmp\n--import=data:text/javascript,process.once(\"SIGTERM\",()=>{if(!process.listenerCount(\"SIGTERM\"))process.exit(143)})\n--expose-gc\nindex.mjs\nNODE_OPTIONS unset' ]
}

@test "java-fast-start: JAVA_TOOL_OPTIONS, and Java 11's -XX:-TieredCompilation removed" {
    java=$(wr_stub_as java)
    STUB_ENV=JAVA_TOOL_OPTIONS JAVA_TOOL_OPTIONS=-Xss1m LWRAP_PRESETS=java-fast-start run -0 "$LWRAP" \
        "$java" -XX:MaxHeapSize=445645k -XX:-TieredCompilation -XX:TieredStopAtLevel=4 -XX:+UseSerialGC \
        -classpath /var/runtime/lib Main -XX:-TieredCompilation
    diff -u - <(printf '%s\n' "$output") <<'OUT'
-XX:MaxHeapSize=445645k
-XX:+UseSerialGC
-classpath
/var/runtime/lib
Main
-XX:-TieredCompilation
JAVA_TOOL_OPTIONS=-Xss1m -XX:+TieredCompilation -XX:TieredStopAtLevel=1
OUT
}

@test "java-fast-start keeps Java 17's own -XX:TieredStopAtLevel=1" {
    java=$(wr_stub_as java)
    LWRAP_PRESETS=java-fast-start run -0 "$LWRAP" "$java" -XX:+TieredCompilation -XX:TieredStopAtLevel=1 Main h
    [ "$output" = $'-XX:+TieredCompilation\n-XX:TieredStopAtLevel=1\nMain\nh' ]
}

@test "ruby-frozen-strings: --enable frozen-string-literal after the interpreter (AWS's sample)" {
    ruby=$(wr_stub_as ruby3.2)
    LWRAP_PRESETS=ruby-frozen-strings run -0 "$LWRAP" "$ruby" /var/runtime/index.rb
    [ "$output" = $'--enable\nfrozen-string-literal\n/var/runtime/index.rb' ]
}

@test "family detection from the runtime command's basename" {
    for name in python python3 python3.12 ruby ruby3.3; do
        rt=$(wr_stub_as "$name")
        LWRAP_PRESETS=python-faulthandler,ruby-frozen-strings run -0 "$LWRAP" "$rt" x
        case $name in
        py*) [ "$output" = $'-X\nfaulthandler\nx' ] ;;
        *) [ "$output" = $'--enable\nfrozen-string-literal\nx' ] ;;
        esac
    done
    for name in pythonic python3-config ruby-build nodes javac dotnet-script; do
        rt=$(wr_stub_as "$name")
        LWRAP_PRESETS=python-faulthandler,ruby-frozen-strings,node-cpu-prof run -0 --separate-stderr "$LWRAP" "$rt" x
        [ "$output" = x ] && [ -z "$stderr" ] || { echo "$name: $output $stderr"; return 1; }
    done
}

@test "a preset for another family is skipped: a note under LWRAP_DEBUG, never an error" {
    node=$(wr_stub_as node)
    LWRAP_STRICT=1 LWRAP_PRESETS=python-importtime,java-fast-start run -0 --separate-stderr "$LWRAP" "$node" x
    [ "$output" = x ]
    [ -z "$stderr" ]
    LWRAP_DEBUG=1 LWRAP_PRESETS=python-importtime,java-fast-start run -0 --separate-stderr "$LWRAP" "$node" x
    [ "$output" = x ]
    diff -u - <(printf '%s\n' "$stderr") <<'ERR'
lwrap: skip preset python-importtime: it is for python, the runtime is node
lwrap: skip preset java-fast-start: it is for java, the runtime is node
ERR
}

@test "an unknown preset: one line; the others still apply; the runtime runs" {
    ruby=$(wr_stub_as ruby)
    LWRAP_PRESETS=ruby-frozen-strings,ruby-turbo,,  run -0 --separate-stderr "$LWRAP" "$ruby" x
    [ "$stderr" = 'lwrap: LWRAP_PRESETS: unknown preset "ruby-turbo" (lwrap --help lists the presets); ignored' ]
    [ "$output" = $'--enable\nfrozen-string-literal\nx' ]
}

# The real interpreters.

@test "python-importtime on the real python3 produces importtime output" {
    py=$(wr_real_cmd python3)
    LWRAP_PRESETS=python-importtime run -0 --separate-stderr "$LWRAP" "$py" -c 'import json; print("ran")'
    [ "$output" = ran ]
    [[ ${stderr_lines[0]} == "import time: self [us] | cumulative | imported package" ]]
    [[ $stderr == *"| json"* ]]
}

@test "python-faulthandler on the real python3 enables faulthandler" {
    py=$(wr_real_cmd python3)
    run -0 "$LWRAP" "$py" -c 'import faulthandler; print(faulthandler.is_enabled())'
    [ "$output" = False ]
    LWRAP_PRESETS=python-faulthandler run -0 "$LWRAP" "$py" -c 'import faulthandler; print(faulthandler.is_enabled())'
    [ "$output" = True ]
}

@test "node-source-maps on the real node turns source maps on" {
    node=$(wr_real_cmd node)
    LWRAP_PRESETS=node-source-maps run -0 --separate-stderr "$LWRAP" "$node" \
        -e 'console.log(process.env.NODE_OPTIONS, process.sourceMapsEnabled)'
    [ "$output" = '--enable-source-maps true' ]
    run -0 "$LWRAP" "$node" -e 'console.log(process.sourceMapsEnabled)'
    [ "$output" = false ]
}

@test "node-cpu-prof on the real node: execArgv has it and a profile is written to /tmp" {
    node=$(wr_real_cmd node)
    LWRAP_PRESETS=node-cpu-prof run -0 --separate-stderr "$LWRAP" "$node" \
        -e 'console.log(process.pid); console.log(process.execArgv.join(" "))'
    [[ ${lines[1]} == '--cpu-prof --cpu-prof-dir=/tmp --import=data:text/javascript,'*' -e '* ]]
    profiles=(/tmp/CPU.*."${lines[0]}".*.cpuprofile)
    [ -s "${profiles[0]}" ]
    rm -f "${profiles[@]}"
}

@test "node-cpu-prof with real node: a runtime ended by SIGTERM (Lambda's shutdown) writes its profile" {
    node=$(wr_real_cmd node)
    mkdir prof
    # --cpu-prof-dir from LWRAP_ARGS comes later and wins (a test must not write to /tmp)
    printf 'setInterval(() => {}, 1000);\nconsole.log("up");\n' >runtime.js
    LWRAP_PRESETS=node-cpu-prof LWRAP_ARGS="--cpu-prof-dir=$PWD/prof" "$LWRAP" "$node" runtime.js >out.txt &
    pid=$!
    for _ in $(seq 100); do [[ -s out.txt ]] && break; sleep 0.1; done
    kill -TERM "$pid"
    wait "$pid" || status=$?
    [ "$status" -eq 143 ]
    prof=(prof/CPU.*."$pid".*.cpuprofile)
    [ -f "${prof[0]}" ]
    jq -e '.nodes | length > 0' "${prof[0]}"
    # a function that handles SIGTERM itself keeps its handler and its exit
    printf 'process.on("SIGTERM", () => { console.log("own"); process.exit(0); });\nsetInterval(() => {}, 1000);\nconsole.log("up");\n' >own.js
    LWRAP_PRESETS=node-cpu-prof LWRAP_ARGS="--cpu-prof-dir=$PWD/prof" "$LWRAP" "$node" own.js >out2.txt &
    pid=$!
    for _ in $(seq 100); do [[ -s out2.txt ]] && break; sleep 0.1; done
    kill -TERM "$pid"
    wait "$pid"
    [ "$(cat out2.txt)" = $'up\nown' ]
    [ -f "$(echo prof/CPU.*."$pid".*.cpuprofile)" ]
}

@test "java-fast-start on the real JVM: tiered compilation back on, stopped at level 1" {
    java=$(wr_real_cmd java)
    run -0 --separate-stderr "$LWRAP" "$java" -XX:-TieredCompilation -XX:+PrintFlagsFinal -version
    [[ $output =~ bool\ TieredCompilation\ +=\ false ]]
    LWRAP_PRESETS=java-fast-start run -0 --separate-stderr "$LWRAP" "$java" -XX:-TieredCompilation -XX:+PrintFlagsFinal -version
    [[ $output =~ bool\ TieredCompilation\ +=\ true ]]
    [[ $output =~ intx\ TieredStopAtLevel\ +=\ 1\  ]]
    [ "${stderr_lines[0]}" = 'Picked up JAVA_TOOL_OPTIONS: -XX:+TieredCompilation -XX:TieredStopAtLevel=1' ]
}

@test "ruby-frozen-strings on the real ruby freezes string literals" {
    ruby=$(wr_real_cmd ruby)
    run -0 "$LWRAP" "$ruby" -e 'p "lit".frozen?'
    [ "$output" = false ]
    LWRAP_PRESETS=ruby-frozen-strings run -0 "$LWRAP" "$ruby" -e 'p "lit".frozen?'
    [ "$output" = true ]
}
