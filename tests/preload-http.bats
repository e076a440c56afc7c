#!/usr/bin/env bats
# The observer's HTTP parser (preload/http.c) on its own: the same events however the
# bytes are split, pipelined messages, chunked bodies, and malformed input refused for good.
load test_helper

@test "parser: same events whole, split at every position and byte by byte" {
    gcc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -I "$REPO/preload" -o http_split \
        "$PRELOAD_FIXTURES/http_split.c" "$REPO/preload/http.c"
    run -0 ./http_split
    [ "$output" = "$(cat "$PRELOAD_FIXTURES/http_split.expected")" ]
}
