#!/usr/bin/env bats
# The command lines AWS's managed runtimes really hand to AWS_LAMBDA_EXEC_WRAPPER
# (lambda-facts.md): family detection, every LWRAP_ARGS_AT position, each preset and the
# explain output. Through --explain: it prints the final argv and execs nothing.
load test_helper

JAVA_CP=/var/runtime/lib/aws-lambda-java-core-1.2.3.jar:/var/runtime/lib/aws-lambda-java-runtime-interface-client-2.4.1.jar
# java8.al2: no handler argument (it comes from _HANDLER) and tiered compilation off
JAVA8=(/var/lang/bin/java -XX:MaxHeapSize=445645k -XX:MaxMetaspaceSize=52429k -XX:ReservedCodeCacheSize=26214k
    -XX:+UseSerialGC -Xshare:on -XX:-TieredCompilation -Djava.net.preferIPv4Stack=true -classpath "$JAVA_CP"
    lambdainternal.AWSLambda)
JAVA11=(/var/lang/bin/java -XX:MaxHeapSize=445645k -XX:MaxMetaspaceSize=52429k -XX:ReservedCodeCacheSize=26214k
    -javaagent:/var/runtime/lib/Log4jHotPatchFat.jar=log4jFixerVerbose=false -XX:+UseSerialGC -Xshare:on
    -XX:-TieredCompilation -Djava.net.preferIPv4Stack=true -classpath "$JAVA_CP"
    com.amazonaws.services.lambda.runtime.api.client.AWSLambda example.Handler::handleRequest)
JAVA17=(/var/lang/bin/java -XX:MaxHeapSize=445645k -XX:MaxMetaspaceSize=52429k -XX:ReservedCodeCacheSize=26214k
    -XX:+UseSerialGC -Xshare:on -XX:SharedArchiveFile=/var/lang/lib/server/runtime.jsa -XX:+TieredCompilation
    -XX:TieredStopAtLevel=1 -javaagent:/var/runtime/lib/Log4jHotPatchFat.jar=log4jFixerVerbose=false
    --add-opens=java.base/java.io=ALL-UNNAMED -Djava.net.preferIPv4Stack=true -classpath "$JAVA_CP"
    com.amazonaws.services.lambda.runtime.api.client.AWSLambda example.Handler::handleRequest)
DOTNET=(/var/lang/bin/dotnet exec --depsfile /var/task/Fn.deps.json --runtimeconfig /var/task/Fn.runtimeconfig.json
    /var/runtime/Amazon.Lambda.RuntimeSupport.dll 'Fn::Fn.Function::Handler')

@test "python3.9-3.13: family python; interpreter and script right after python, end after bootstrap.py" {
    for v in 3.9 3.10 3.11 3.12 3.13; do
        cmd=("/var/lang/bin/python$v" /var/runtime/bootstrap.py)
        wr_check_positions python 1 1 2 "${cmd[@]}"
    done
}

@test "node 18/20/22, with and without the memory flags: script right before index.mjs" {
    base=(/var/lang/bin/node --expose-gc --max-http-header-size 81920)
    for mem in '' '--max-semi-space-size=16 --max-old-space-size=2867'; do
        # shellcheck disable=SC2206 # the memory flags are two words when present
        cmd=("${base[@]}" $mem /var/runtime/index.mjs)
        wr_check_positions node 1 $((${#cmd[@]} - 1)) ${#cmd[@]} "${cmd[@]}"
    done
}

@test "java8.al2 (no handler argument): script lands before the main class, not inside -classpath" {
    [ "${JAVA8[10]}" = lambdainternal.AWSLambda ]
    wr_check_positions java 1 10 ${#JAVA8[@]} "${JAVA8[@]}"
}

@test "java11 and java17/21: script lands before the main class, the handler stays last" {
    for v in 11 17; do
        declare -n cmd=JAVA$v
        n=${#cmd[@]}
        [ "${cmd[n - 2]}" = com.amazonaws.services.lambda.runtime.api.client.AWSLambda ]
        wr_check_positions java 1 $((n - 2)) "$n" "${cmd[@]}"
    done
}

@test "dotnet: interpreter after 'exec', script before RuntimeSupport.dll, end after the handler" {
    wr_check_positions dotnet 2 6 8 "${DOTNET[@]}"
}

@test "ruby3.2/3.3: family ruby; positions around index.rb" {
    for rt in /var/lang/bin/ruby ruby3.2 ruby3.3; do
        cmd=("$rt" /var/runtime/index.rb)
        wr_check_positions ruby 1 1 2 "${cmd[@]}"
    done
}

@test "look-alikes are not runtimes: a bootstrap script, javaagent, node-gyp, python3.12-config, dotnet-script" {
    for rt in /var/runtime/bootstrap /var/task/bootstrap /opt/javaagent /usr/bin/node-gyp python3.12-config \
        dotnet-script /opt/rubyish /usr/bin/javac; do
        LWRAP_PRESETS=ruby-frozen-strings wr_explain_parse "$rt" x
        [ "$WR_FAMILY" = other ] || { echo "$rt: $WR_FAMILY"; return 1; }
    done
    # a -javaagent argument does not make a python command line java
    LWRAP_PRESETS=ruby-frozen-strings wr_explain_parse /var/lang/bin/python3.12 -javaagent:x /var/runtime/bootstrap.py
    [ "$WR_FAMILY" = python ]
}

@test "java-fast-start on java8.al2, java11 and java17: exact argv and JAVA_TOOL_OPTIONS" {
    tiered='set JAVA_TOOL_OPTIONS=-XX:+TieredCompilation -XX:TieredStopAtLevel=1 (LWRAP_PRESETS java-fast-start)'
    for v in 8 11 17; do
        declare -n cmd=JAVA$v
        want=()
        for a in "${cmd[@]}"; do [ "$a" = -XX:-TieredCompilation ] || want+=("$a"); done
        LWRAP_PRESETS=java-fast-start run -0 --separate-stderr "$LWRAP" --explain "${cmd[@]}"
        [ -z "$stderr" ]
        diff -u <(printf '%s\n' "${want[@]}") <(printf '%s\n' "$output" | sed -n 's/^argv //p')
        [[ $output == *"$tiered"* ]]
        removed=$(printf '%s\n' "$output" | grep -c '^remove ') || true
        [ "$removed" -eq $((${#cmd[@]} - ${#want[@]})) ]
    done
    # after the main class the arguments are the program's: never removed
    LWRAP_PRESETS=java-fast-start run -0 wr_explained_argv /var/lang/bin/java -cp x Main -XX:-TieredCompilation h
    [ "$output" = $'/var/lang/bin/java\n-cp\nx\nMain\n-XX:-TieredCompilation\nh' ]
}

@test "the other presets on AWS's command lines; every preset is skipped on dotnet" {
    LWRAP_PRESETS=python-importtime,python-faulthandler LWRAP_PRELOAD_PATH=$LIBLWRAP \
        run -0 wr_explained_argv /var/lang/bin/python3.13 /var/runtime/bootstrap.py
    [ "$output" = $'/var/lang/bin/python3.13\n-X\nimporttime\n-X\nfaulthandler\n/var/runtime/bootstrap.py' ]
    LWRAP_PRESETS=node-source-maps,node-cpu-prof run -0 "$LWRAP" --explain /var/lang/bin/node --expose-gc \
        --max-http-header-size 81920 --max-semi-space-size=16 --max-old-space-size=2867 /var/runtime/index.mjs
    diff -u - <(printf '%s\n' "$output") <<'OUT'
set NODE_OPTIONS=--enable-source-maps (LWRAP_PRESETS node-source-maps)
insert --cpu-prof (LWRAP_PRESETS node-cpu-prof)
insert --cpu-prof-dir=/tmp (LWRAP_PRESETS node-cpu-prof)
insert '--import=data:text/javascript,process.once("SIGTERM",()=>{if(!process.listenerCount("SIGTERM"))process.exit(143)})' (LWRAP_PRESETS node-cpu-prof)
argv /var/lang/bin/node
argv --cpu-prof
argv --cpu-prof-dir=/tmp
argv --import=data:text/javascript,process.once("SIGTERM",()=>{if(!process.listenerCount("SIGTERM"))process.exit(143)})
argv --expose-gc
argv --max-http-header-size
argv 81920
argv --max-semi-space-size=16
argv --max-old-space-size=2867
argv /var/runtime/index.mjs
OUT
    LWRAP_PRESETS=ruby-frozen-strings run -0 wr_explained_argv /var/lang/bin/ruby /var/runtime/index.rb
    [ "$output" = $'/var/lang/bin/ruby\n--enable\nfrozen-string-literal\n/var/runtime/index.rb' ]
    all=python-importtime,python-faulthandler,node-source-maps,node-cpu-prof,java-fast-start,ruby-frozen-strings
    LWRAP_PRESETS=$all run -0 --separate-stderr "$LWRAP" --explain "${DOTNET[@]}"
    [ -z "$stderr" ]
    [ "$(printf '%s\n' "$output" | grep -c '^skip preset .*, the runtime is dotnet$')" -eq 6 ]
    diff -u <(printf '%s\n' "${DOTNET[@]}") <(printf '%s\n' "$output" | sed -n 's/^argv //p')
}
