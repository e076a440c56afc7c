#!/usr/bin/env bats
# lambda-emu's Extensions API: external extensions from --extensions-dir (register before
# the runtime starts, INVOKE, SHUTDOWN with a deadline, then SIGKILL), internal extensions
# (registration window until the runtime's first next, no SHUTDOWN), init/error, exit/error.
load test_helper

@test "external extensions register before the runtime, get INVOKE and SHUTDOWN" {
    fx_emu --extensions-dir "$(fx_extensions ext-a ext-b)" -- '{"n":1}' '{"n":2}'
    [ "$status" -eq 0 ] || fx_fail
    [ "$(fx_sel '.type=="platform.extension"' '[.name,.events,.internal]' | sort)" = "$(printf '%s\n' '["ext-a",["INVOKE","SHUTDOWN"],false]' '["ext-b",["INVOKE","SHUTDOWN"],false]')" ]
    local ids
    ids=$(fx_sel '.type=="platform.start"' .requestId | tr -d '"')
    for e in ext-a ext-b; do
        [ "$(fx_sel ".type==\"extension\" and .name==\"$e\"" .message | sed -n '2,$p')" = "$(for id in $ids; do printf '"%s INVOKE %s"\n' "$e" "$id"; done; printf '"%s SHUTDOWN spindown deadline_in_future=True"' "$e")" ] || fx_fail "$e"
    done
    # extensions never see the handler or the task root
    [ "$(fx_sel '.type=="extension"' .message | grep -cF 'registered 200 {\"functionName\":\"test-function\",\"functionVersion\":\"$LATEST\",\"handler\":\"handler.handler\"} handler=None task_root=None')" -eq 2 ]
    # the runtime starts only once every external extension has registered
    [ "$(fx_types | grep -n -m1 'platform.start' | cut -d: -f1)" -gt "$(fx_types | grep -n 'platform.extension' | tail -1 | cut -d: -f1)" ]
    # END waits until each extension is back in next: its INVOKE line comes before END
    [ "$(jq -r -R 'fromjson? | select(.type=="platform.end" or (.type=="extension" and (.message|test("INVOKE")))) | .type' <<<"$output" | tr '\n' ' ')" = "extension extension platform.end extension extension platform.end " ]
}

@test "internal extensions: INVOKE only, SHUTDOWN refused 403, registration closes at the first next" {
    EMU_FIXTURE_INIT=internal fx_emu -- '{"do":"register-late"}' '{}'
    [ "$status" -eq 0 ] || fx_fail
    [ "$(fx_sel '.type=="function"' | sed -n 1,2p)" = "$(printf '%s\n' '"internal register SHUTDOWN 403 {\"errorMessage\":\"internal extensions cannot register for SHUTDOWN\",\"errorType\":\"Extension.InvalidEventType\"}"' '"internal register INVOKE 200"')" ]
    [ "$(fx_sel '.type=="platform.extension"' '[.name,.events,.internal]')" = '["internal-ext",["INVOKE"],true]' ]
    [[ $(fx_sel '.type=="function"' | grep late) == '"late register 403 '*'Extension.RegistrationClosed'* ]] || fx_fail
    [ "$(fx_sel '.type=="function"' | grep -c 'internal got INVOKE')" -eq 2 ]
}

@test "an extension that ignores SHUTDOWN is killed after the 2 s deadline" {
    fx_emu --extensions-dir "$(fx_extensions stubborn)" -e EMU_EXT_MODE=hang -- '{}'
    [ "$status" -eq 0 ] || fx_fail
    [ "$(fx_sel '.type=="extension"' .message | tail -1)" = '"stubborn SHUTDOWN spindown deadline_in_future=True"' ]
    ! pgrep -f "$BATS_TEST_TMPDIR/extensions/stubborn"
}

@test "an extension that subscribes to nothing still counts for init and is stopped at shutdown" {
    fx_emu --extensions-dir "$(fx_extensions quiet)" -e EMU_EXT_EVENTS= -- '{}'
    [ "$status" -eq 0 ] || fx_fail
    [ "$(fx_sel '.type=="platform.extension"' '.events')" = '[]' ]
    [ "$(fx_sel '.type=="response"' .status)" = '"success"' ]
}

@test "extension init/error fails the init with its error type" {
    fx_emu --extensions-dir "$(fx_extensions broken)" -e EMU_EXT_MODE=init-error -- '{}'
    [ "$status" -eq 2 ] || fx_fail
    [ "$(fx_sel '.type=="platform.extensionInitError"' '[.name,.errorType]')" = '["broken","Extension.Bad"]' ]
    [ "$(fx_sel '.type=="response"' '[.status,.errorType]')" = '["error","Extension.Bad"]' ]
}

@test "extension exit/error fails the invoke in flight with Extension.ExitError and resets the environment" {
    fx_emu --extensions-dir "$(fx_extensions flaky)" -e EMU_EXT_MODE=exit-error -- '{"do":"sleep","ms":300}' '{"do":"sleep","ms":300}'
    [ "$status" -eq 0 ] || fx_fail
    [ "$(fx_sel '.type=="platform.extensionExitError"' '[.name,.errorType]')" = "$(printf '%s\n' '["flaky","Extension.Oops"]' '["flaky","Extension.Oops"]')" ]
    [ "$(fx_sel '.type=="response"' '[.status,.errorType]' | sort -u)" = '["crash","Extension.ExitError"]' ]
    [[ $(fx_sel '.type=="response"' .body | head -1) == *'Error: extension flaky reported exit/error Extension.Oops'* ]] || fx_fail
    [ "$(fx_sel '.type=="platform.report"' '[.status,.errorType]' | sort -u)" = '["error","Extension.ExitError"]' ]
    # each invoke after a reset starts a new init (the extension registers again)
    [ "$(fx_sel '.type=="platform.extension"' .name | wc -l)" -eq 2 ]
}

@test "an extension that exits after init fails the invoke in flight with Extension.ExitError; the next one re-inits" {
    fx_emu --extensions-dir "$(fx_extensions quitter)" -e EMU_EXT_MODE=exit-on-invoke -- '{"do":"sleep","ms":300}' '{}'
    [ "$status" -eq 0 ] || fx_fail
    [ "$(fx_sel '.type=="response"' '[.status,.errorType]' | head -1)" = '["crash","Extension.ExitError"]' ]
    [[ $(fx_sel '.type=="response"' .body | head -1) == *'Error: extension quitter exited: exit status 3'* ]] || fx_fail
    [ "$(fx_sel '.type=="platform.extension"' .name | wc -l)" -eq 2 ]
}

@test "after init/error the extension gets 202 and may exit by itself: no crash is reported" {
    fx_emu --extensions-dir "$(fx_extensions broken)" -e EMU_EXT_MODE=init-error -- '{}'
    [ "$status" -eq 2 ] || fx_fail
    [ "$(fx_sel '.type=="extension"' .message | tail -1)" = '"broken init/error 202"' ]
    [ "$(fx_sel '.type=="platform.extensionExit"' | wc -l)" -eq 0 ]
    [ "$(fx_sel '.type=="platform.initError"' .errorType)" = '"Extension.Bad"' ]
}

@test "register with Lambda-Extension-Accept-Feature: accountId answers the account id" {
    fx_emu --extensions-dir "$(fx_extensions acct)" -e EMU_EXT_FEATURES=accountId -- '{}'
    [ "$status" -eq 0 ] || fx_fail
    [ "$(fx_sel '.type=="extension"' '.message | capture("registered 200 (?<b>[{].*[}]) handler").b | fromjson')" = \
      '{"functionName":"test-function","functionVersion":"$LATEST","handler":"handler.handler","accountId":"012345678912"}' ] || fx_fail
    # without the header, no accountId
    fx_emu --extensions-dir "$(fx_extensions acct)" -- '{}'
    [ "$(fx_sel '.type=="extension"' '.message | capture("registered 200 (?<b>[{].*[}]) handler").b | fromjson | has("accountId")')" = false ]
}

@test "a timeout sends SHUTDOWN with reason timeout; extensions start again for the next invoke" {
    fx_emu --timeout 0.3 --extensions-dir "$(fx_extensions watcher)" -- '{"do":"sleep","ms":5000}' '{}'
    [ "$status" -eq 0 ] || fx_fail
    [ "$(fx_sel '.type=="extension"' .message | grep -c 'watcher SHUTDOWN timeout')" -eq 1 ]
    [ "$(fx_sel '.type=="platform.extension"' .name | wc -l)" -eq 2 ]
    [ "$(fx_sel '.type=="response"' .status)" = "$(printf '"timeout"\n"success"')" ]
}

@test "extension API errors: every refusal 403 with Lambda's errorType" {
    local ev
    ev='{"do":"raw","count":5,"send":"POST /2020-01-01/extension/register HTTP/1.1\r\nContent-Length: 21\r\n\r\n{\"events\":[\"INVOKE\"]}GET /2020-01-01/extension/event/next HTTP/1.1\r\nLambda-Extension-Identifier: nope\r\n\r\nGET /2020-01-01/extension/event/next HTTP/1.1\r\nLambda-Extension-Identifier: 00000000-0000-4000-8000-000000000000\r\n\r\nPOST /2020-01-01/extension/register HTTP/1.1\r\nLambda-Extension-Name: x\r\nContent-Length: 18\r\n\r\n{\"events\":[\"FOO\"]}POST /2020-01-01/extension/register HTTP/1.1\r\nLambda-Extension-Name: y\r\nContent-Length: 3\r\n\r\nbad"}'
    fx_emu -- "$ev"
    [ "$status" -eq 0 ] || fx_fail
    [ "$(fx_sel '.type=="response"' .body | grep -o 'HTTP/1.1 [0-9]* [A-Za-z ]*\|errorType\\":\\"[A-Za-z.]*' | tr '\n' '|')" = 'HTTP/1.1 403 Forbidden|errorType\":\"Extension.InvalidExtensionName|HTTP/1.1 403 Forbidden|errorType\":\"Extension.InvalidExtensionIdentifier|HTTP/1.1 403 Forbidden|errorType\":\"Extension.UnknownExtensionIdentifier|HTTP/1.1 403 Forbidden|errorType\":\"Extension.InvalidEventType|HTTP/1.1 403 Forbidden|errorType\":\"InvalidRequestFormat|' ] || fx_fail
}
