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

# Component helpers (one file per component: emulator, runtimes, ...).
for _helper in "$REPO"/tests/helpers/*.bash; do
    [[ -e $_helper ]] && source "$_helper"
done
unset _helper
