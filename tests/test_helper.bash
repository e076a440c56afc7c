# Shared by every suite: `load test_helper` at the top of a .bats file.
# Each test starts in its own empty directory with none of lwrap's or Lambda's
# variables inherited from the caller, so results never depend on the developer's shell.
bats_require_minimum_version 1.5.0

REPO=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
BUILD=${BUILD:-$REPO/build}
[[ $BUILD == /* ]] || BUILD=$REPO/$BUILD
LWRAP=$BUILD/lwrap
LIBLWRAP=$BUILD/liblwrap.so
EMU=$BUILD/lambda-emu
FIXTURES=$REPO/tests/fixtures
RUNTIMES=$REPO/tests/runtimes
HANDLERS=$REPO/tests/handlers
# The build whose artifact ships: the same as BUILD, except under make test SANITIZE=...,
# where BUILD is the sanitized build and the tests of what ships (static, size, exported
# symbols, valgrind) check SHIP_BUILD, the normal one (README "Sanitizer builds").
SHIP_BUILD=${SHIP_BUILD:-$BUILD}
SHIP_LWRAP=$SHIP_BUILD/lwrap
SHIP_LIBLWRAP=$SHIP_BUILD/liblwrap.so

# Remove every variable that lwrap, Lambda or the runtimes would read.
lwrap_clean_env() {
    local name
    while IFS='=' read -r name _; do
        case $name in
        LWRAP_* | _LWRAP_* | AWS_* | LAMBDA_* | _LAMBDA_* | _HANDLER | _X_AMZN_TRACE_ID | \
            LD_PRELOAD | NODE_OPTIONS | JAVA_TOOL_OPTIONS | _JAVA_OPTIONS | RUBYOPT | \
            PYTHONPROFILEIMPORTTIME | PYTHONFAULTHANDLER | PYTHONSTARTUP)
            unset "$name" ;;
        esac
    done < <(env)
}

lwrap_test_setup() {
    lwrap_clean_env
    cd "$BATS_TEST_TMPDIR" || return 1
}

# Suites that need more define their own setup() and call lwrap_test_setup first.
setup() {
    lwrap_test_setup
}

# Under make test SANITIZE=..., every process writes its sanitizer reports to
# $TEST_SAN_REPORTS (tests/sanitizer/options.c): one there fails the test it happened in.
# Suites that define their own teardown() call this from it.
lwrap_test_teardown() {
    [[ -n ${TEST_SAN_REPORTS:-} ]] || return 0
    local f found=0
    for f in "$TEST_SAN_REPORTS"/*.*; do
        [[ -f $f ]] || continue
        found=1
        echo "sanitizer report: $f" && cat "$f"
        mv "$f" "$TEST_SAN_REPORTS/found/${BATS_TEST_FILENAME##*/}.$BATS_TEST_NUMBER.${f##*/}"
    done
    return "$found"
}

teardown() {
    lwrap_test_teardown
}

# Under SANITIZE the programs and libraries the suites compile are sanitized as well
# (a -static one cannot be: the sanitizer runtimes are shared libraries).
if [[ -n ${TEST_SAN_CFLAGS:-} ]]; then
    lwrap_san_cc() {
        local compiler=$1
        shift
        if [[ " $* " == *" -static "* ]]; then command "$compiler" "$@"; else
            # shellcheck disable=SC2086 # a list of flags
            command "$compiler" $TEST_SAN_CFLAGS "$@"
        fi
    }
    gcc() { lwrap_san_cc gcc "$@"; }
    cc() { lwrap_san_cc cc "$@"; }
fi

# Component helpers (one file per component: emulator, runtimes, ...).
for _helper in "$REPO"/tests/helpers/*.bash; do
    [[ -e $_helper ]] && source "$_helper"
done
unset _helper
