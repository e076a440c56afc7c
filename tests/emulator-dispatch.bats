#!/usr/bin/env bats
# lambda-emu hands each invoke to exactly one `next`, once: whatever connection shape the
# runtime uses (AWS's Node client: a new connection per request, Connection: close), and a
# runtime that keeps calling `next` after the last event simply waits until shutdown.
load test_helper

# The regression: a `next` sent with Connection: close was answered, the connection closed
# as asked, and the emulator took that close for a hang-up: it put the invoke back in the
# queue, handed the same id out again and refused every response with 403, for ever.
# (timeout: that bug never ends on its own.)
@test "a next on its own Connection: close connection gets each invoke once; responses are accepted" {
    EMU_FIXTURE_CONN=close run --separate-stderr timeout 60 "$EMU" --log-format json \
        --event "$(fx_event '{"n":1}')" --event "$(fx_event '{"do":"error"}')" --event "$(fx_event '{"n":2}')" \
        -- "$EMU_PY" "$EMU_FIX/runtime.py"
    [ "$status" -eq 0 ] || fx_fail
    [ "$(fx_sel '.type=="response"' '[.status,.body]')" = "$(printf '%s\n' '["success","{\"n\":1}"]' '["error","{\"errorMessage\": \"boom\", \"errorType\": \"Fixture.Error\", \"stackTrace\": [\"x\"]}"]' '["success","{\"n\":2}"]')" ] || fx_fail
    [ "$(fx_sel '.type=="platform.start"' .requestId | sort -u | wc -l)" -eq 3 ]
    [ "$(fx_types | grep -c '^platform.start$')" -eq 3 ]
    [ -z "$(fx_sel '.type=="emu"')" ] || fx_fail "emulator complained"
    [ "$(fx_sel '.type=="function"')" = '"error-post 202"' ]
}

@test "the node test runtime (next from a worker thread, new connection each time) runs every invoke once" {
    runtime_cmd node
    run --separate-stderr timeout 60 "$EMU" --log-format json --no-telemetry-fd \
        --event "$(fx_event '{"print":["a"]}')" --event "$(fx_event '{"print":["b"]}')" \
        --handler log.handler --task-root "$(handler_dir node)" -- "${RUNTIME_CMD[@]}"
    [ "$status" -eq 0 ] || fx_fail
    [ "$(fx_sel '.type=="response"' '[.status,.body]')" = "$(printf '%s\n' '["success","{\"printed\":1,\"logged\":0}"]' '["success","{\"printed\":1,\"logged\":0}"]')" ] || fx_fail
    [ "$(fx_sel '.type=="platform.start"' .requestId | sort -u | wc -l)" -eq 2 ]
    [ -z "$(fx_sel '.type=="emu"')" ] || fx_fail "emulator complained"
}

@test "after the last event a runtime that keeps calling next waits in it: never refused, never a loop" {
    # With an external extension the runtime gets SIGTERM and time to stop; this one
    # ignores SIGTERM and retries any next that fails (and says so), until SIGKILL.
    EMU_FIXTURE_NEXT=retry fx_emu --extensions-dir "$(fx_extensions ext-a)" -- '{"n":1}' '{"n":2}'
    [ "$status" -eq 0 ] || fx_fail
    [ "$(fx_sel '.type=="response"' .status)" = "$(printf '"success"\n"success"')" ]
    [ -z "$(fx_sel '.type=="function"')" ] || fx_fail "the runtime's next failed"
    [ -z "$(fx_sel '.type=="emu"')" ] || fx_fail "emulator complained"
    [ "$(fx_sel '.type=="extension"' .message | tail -1)" = '"ext-a SHUTDOWN spindown deadline_in_future=True"' ]
}
