#!/usr/bin/env bats
# Redaction: AWS key ids and the credential values always (LWRAP_LOGS not off), plus
# LWRAP_REDACT's extended regular expressions.
load test_helper

SECRET=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
TOKEN=IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKENvalue0123456789

messages() {
    jq -r -R 'fromjson? | select(.type=="function") | .message' <<<"$output"
}

@test "access key ids and credential values are masked" {
    logs_py '{"print":["id AKIAIOSFODNN7EXAMPLE end","temp ASIAY34FZKBOKMUTVV7A,","not a key AKIAIOSFODNN7EXAMPLEX","secret '"$SECRET"' token '"$TOKEN"'"]}' \
        -- -e LWRAP_LOGS=text --no-telemetry-fd -e "AWS_SECRET_ACCESS_KEY=$SECRET" -e "AWS_SESSION_TOKEN=$TOKEN"
    [ "$status" -eq 0 ]
    run -0 messages
    [[ $output == *$'\tid AKIA**** end'* ]]
    [[ $output == *$'\ttemp ASIA****,'* ]]
    [[ $output == *$'\tnot a key AKIAIOSFODNN7EXAMPLEX'* ]]
    [[ $output == *$'\tsecret **** token ****'* ]]
    [[ $output != *"$SECRET"* && $output != *"$TOKEN"* ]]
}

@test "a key id split across two writes is still masked" {
    logs_py "{\"writes\":[[1,\"$(logs_hex 'key AKIAIOSF')\"],[1,\"$(logs_hex $'ODNN7EXAMPLE!\n')\"],[2,\"$(logs_hex "${SECRET:0:20}")\"],[2,\"$(logs_hex "${SECRET:20}"$'\n')\"]]}" \
        -- -e LWRAP_LOGS=json --no-telemetry-fd -e "AWS_SECRET_ACCESS_KEY=$SECRET"
    [ "$status" -eq 0 ]
    run -0 jq -r -R 'fromjson? | select(.type=="function") | .message | fromjson | .message' <<<"$output"
    [ "${lines[0]}" = 'key AKIA****!' ]
    [ "${lines[1]}" = '****' ]
}

# The writes of lines forced out before their end, with $1 between their halves: a credential value
# on stdout, a key id on stderr.
cut_writes() {
    echo "{\"writes\":[$2[1,\"$(logs_hex "key=${SECRET:0:12}")\"],$1,[1,\"$(logs_hex "${SECRET:12}"$'\n')\"],[2,\"$(logs_hex 'id ASIAIOSF')\"],$1,[2,\"$(logs_hex $'ODNN7EXAMPLE\n')\"]]}"
}

# No half of the credential or key id is out unmasked: each line was kept whole.
no_half_out() {
    [[ $output != *wJalrXUtnFEM* && $output != *bPxRfiCYEXAMPLEKEY* ]]
    [[ $output != *ASIAIOSF* && $output != *ODNN7EXAMPLE* ]]
    [[ $output == *'key=****'* && $output == *'id ASIA****'* ]]
}

@test "a line held when a child starts stays whole if its end could begin a credential (subprocess.run, os.fork; text, json)" {
    for mode in text json; do
        for child in '["run"]' '["fork"]'; do
            logs_py "$(cut_writes "$child")" \
                -- -e LWRAP_LOGS=$mode --no-telemetry-fd -e "AWS_SECRET_ACCESS_KEY=$SECRET"
            [ "$status" -eq 0 ]
            no_half_out
        done
    done
}

@test "in the invoke's last 300 ms a line whose end could begin a credential stays whole (text, json)" {
    for mode in text json; do
        logs_py "$(cut_writes '["sleep",0]' '["sleep",1.75],')" \
            -- -e LWRAP_LOGS=$mode --timeout 2 --no-telemetry-fd -e "AWS_SECRET_ACCESS_KEY=$SECRET"
        [ "$status" -eq 0 ]
        no_half_out
    done
}

@test "a record cut never falls inside a whole credential value that ends the way it begins" {
    # the value ends right at 128 KiB; its last two bytes also begin it
    local v=IQoJb3JpZ2luX2VjEJrwEaCXVzLWVhc3QtMSJHMEUCIQ long
    long=$(head -c $((131072 - 44)) /dev/zero | tr '\0' x)
    logs_py '{"print":["'"$long$v"' end"]}' \
        -- -e LWRAP_LOGS=text --no-telemetry-fd -e "AWS_SESSION_TOKEN=$v"
    [ "$status" -eq 0 ]
    run -0 messages
    [[ $output == *$'\t**** end'* ]]
    [[ $output != *IQoJb3Jp* && $output != *SJHMEUC* ]]
}

@test "a key id glued to a masked value or LWRAP_REDACT match is masked too" {
    logs_py '{"print":["a tok_abcd1234AKIAIOSFODNN7EXAMPLE b","c '"$SECRET"'ASIAY34FZKBOKMUTVV7A d"]}' \
        -- -e LWRAP_LOGS=text --no-telemetry-fd -e "AWS_SECRET_ACCESS_KEY=$SECRET" -e 'LWRAP_REDACT=tok_[a-z0-9]{8}'
    [ "$status" -eq 0 ]
    run -0 messages
    [[ $output == *$'\ta ****AKIA**** b'* ]]
    [[ $output == *$'\tc ****ASIA**** d'* ]]
}

@test "a credential value right after key-id-shaped text is masked whole (the key id cannot take its first bytes)" {
    # "ASIA" + 14 key characters, then a session token starting "IQ": the first 20 bytes
    # read as a key id ending in the token's "IQ"; masked first, it left the token's rest.
    local token=IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQ
    logs_py '{"print":["a ASIAQWCYEXAMPLEKEY'"$token"' b"]}' \
        -- -e LWRAP_LOGS=text --no-telemetry-fd -e "AWS_SESSION_TOKEN=$token"
    [ "$status" -eq 0 ]
    run -0 messages
    [[ $output == *$'\ta ASIAQWCYEXAMPLEKEY**** b'* ]]
    [[ $output != *oJb3JpZ2lu* && $output != *JHMEUCIQ* ]]
}

@test "a line longer than a record (128 KiB) is never split inside a credential value" {
    local long
    long=$(head -c 131040 /dev/zero | tr '\0' x)
    logs_py '{"print":["'"$long$SECRET"' tail","'"${long}"'xxxxxxxxxxxxxxxxxxxxAKIAIOSFODNN7EXAMPLE end"]}' \
        -- -e LWRAP_LOGS=text --no-telemetry-fd -e "AWS_SECRET_ACCESS_KEY=$SECRET"
    [ "$status" -eq 0 ]
    run -0 messages
    [[ $output == *$'\t**** tail'* ]]
    [[ $output == *$'\tAKIA**** end'* ]]
    [[ $output != *"${SECRET:0:8}"* && $output != *"${SECRET: -8}"* && $output != *IOSFODNN* ]]
}

@test "LWRAP_REDACT: EREs separated by ;; mask their match, or their first subexpression" {
    logs_py '{"print":["login password=hunter2 ok","call 555-1234 now"]}' \
        -- -e LWRAP_LOGS=text --no-telemetry-fd -e 'LWRAP_REDACT=password=([^ ]+);;[0-9]{3}-[0-9]{4}'
    [ "$status" -eq 0 ]
    run -0 messages
    [[ $output == *$'\tlogin password=**** ok'* ]]
    [[ $output == *$'\tcall **** now'* ]]
}

@test "LWRAP_REDACT: a bad pattern is one clear line and the others still apply" {
    logs_py '{"print":["drop me: abcd and (x"]}' \
        -- -e LWRAP_LOGS=text --no-telemetry-fd -e 'LWRAP_REDACT=(x;;abcd'
    [ "$status" -eq 0 ]
    run -0 messages
    [ "$(grep -c 'LWRAP_REDACT' <<<"$output")" -eq 1 ]
    [[ $output == *'lwrap: LWRAP_REDACT: bad pattern "(x": '*'; ignored'* ]]
    [[ $output == *$'\tdrop me: **** and (x'* ]]
}

@test "with LWRAP_LOGS=off nothing is masked (byte-exact)" {
    logs_py '{"print":["id AKIAIOSFODNN7EXAMPLE end"]}' \
        -- -e LWRAP_TRACE=text --no-telemetry-fd --raw raw
    [ "$status" -eq 0 ]
    run -0 cat raw/stdout
    [ "$output" = "id AKIAIOSFODNN7EXAMPLE end" ]
}

@test "unit: LWRAP_REDACT anchors match at every line of a record, and . never crosses a line" {
    local unit
    unit=$(logs_build_unit)
    LWRAP_REDACT='^token=.*' run -0 "$unit" redact $'first line\ntoken=abc def\nlast token=x'
    [ "$output" = $'first line\n****\nlast token=x' ]
    LWRAP_REDACT='secret$' run -0 "$unit" redact $'a secret\nsecret b\nc secret'
    [ "$output" = $'a ****\nsecret b\nc ****' ]
    LWRAP_REDACT='pw=.*' run -0 "$unit" redact $'pw=one\ntwo'
    [ "$output" = $'****\ntwo' ]
    LWRAP_REDACT='pw=([^ ]+)' run -0 "$unit" redact $'pw=one\ntwo three'
    [ "$output" = $'pw=***\ntwo three' ]
}

@test "unit: a masked character is always whole, and the masked text stays valid UTF-8" {
    local unit
    unit=$(logs_build_unit)
    # a match that ends inside é takes all of it; one '*' per character
    LWRAP_REDACT='pin=(.)' run -0 "$unit" redact 'pin=éé!'
    [ "$output" = 'pin=*é!' ]
    # a match that starts inside a character (its second byte) takes the character
    LWRAP_REDACT=$'\xa9+' run -0 "$unit" redact 'café au lait'
    [ "$output" = 'caf* au lait' ]
    LWRAP_REDACT='n=(....)' run -0 "$unit" redact 'n=€😀x'
    [ "$output" = 'n=**x' ]
    LWRAP_REDACT='[é€]' run -0 "$unit" redact 'aé€b€'
    [ "$output" = 'a**b*' ]
    # bytes that are not UTF-8 are masked as they are, one '*' each
    LWRAP_REDACT=$'x\xff\xfe' run -0 "$unit" redact $'ax\xff\xfeb'
    [ "$output" = 'a***b' ]
}

@test "unit: built-in masks next to multi-byte text, at the record's ends, repeated and overlapping" {
    local unit
    unit=$(logs_build_unit)
    AWS_SECRET_ACCESS_KEY=$SECRET run -0 "$unit" redact "AKIAIOSFODNN7EXAMPLEé${SECRET}éASIAIOSFODNN7EXAMPLE"
    [ "$output" = 'AKIA****é****éASIA****' ]
    AWS_SECRET_ACCESS_KEY=abcabcab run -0 "$unit" redact 'abcabcabcabcabcabcab abcabcab'
    [ "$output" = '****c****cab ****' ]
    AWS_SESSION_TOKEN=ñññññ run -0 "$unit" redact 'ññññññññññ!'
    [ "$output" = '********!' ]
    LWRAP_REDACT='aba' run -0 "$unit" redact 'ababababa'
    [ "$output" = '***b***ba' ]
}

@test "unit: a credential value that is a prefix of another leaves nothing of the longer one" {
    local unit
    unit=$(logs_build_unit)
    AWS_SECRET_ACCESS_KEY=prodprod AWS_SESSION_TOKEN=prodprod-S3cr3t-Pw run -0 "$unit" redact 'x prodprod-S3cr3t-Pw y'
    [ "$output" = 'x **** y' ]
}

@test "unit: no pattern loops, grows the record or breaks UTF-8 (empty matches, match-all, anchors)" {
    local unit pattern text
    unit=$(logs_build_unit)
    local patterns=('x*' '.*' '^' '$' '^$' '^.*$' '(a|)' 'a?' '()' '.' '..' '...' '[^a]' '[é]' 'é*'
        $'\xa9' $'\x80*' '[[:space:][:graph:]]*' '[[:space:]]+' '(.)(.)' '(x*)' '(é|€)+' 'b*$' '[^[:alnum:]]')
    local texts=('' 'a' 'é' '😀' $'\n' $'\n\n' $'aé€b\nc😀d\n\nx' $'\xff\xc3' "é AKIAIOSFODNN7EXAMPLE é" 'xxxxxxxxxx')
    for pattern in "${patterns[@]}"; do
        for text in "${texts[@]}"; do
            LWRAP_REDACT=$pattern run timeout 5 "$unit" redact "$text"
            [ "$status" -eq 0 ] || { echo "pattern '$pattern' on '$text': status $status: $output"; false; }
        done
    done
    # everything matched: each line becomes at most four '*', the newlines stay
    LWRAP_REDACT='.*' run -0 "$unit" redact $'aé€b\nc😀d\n\nx'
    [ "$output" = $'****\n***\n\n*' ]
    LWRAP_REDACT='[[:space:][:graph:]]*' run -0 "$unit" redact $'one\ntwo'
    [ "$output" = '****' ]
    # an empty match masks nothing
    LWRAP_REDACT='x*' run -0 "$unit" redact 'éaxxxb'
    [ "$output" = 'éa***b' ]
}

@test "LWRAP_REDACT: ^ matches at the start of each line of a multi-line record" {
    logs_py '{"print":["config:\ntoken=abc123\nuser=me"]}' \
        -- -e LWRAP_LOGS=json -e 'LWRAP_REDACT=^token=.*'
    [ "$status" -eq 0 ]
    run -0 jq -r -R 'fromjson? | select(.type=="function") | .message | fromjson | .message' <<<"$output"
    [ "$output" = $'config:\n****\nuser=me' ]
}

@test "LWRAP_REDACT: a match that cuts a UTF-8 character masks all of it (valid UTF-8 out)" {
    logs_py '{"print":["pin=éé! id=€😀 ok"]}' \
        -- -e LWRAP_LOGS=json -e 'LWRAP_REDACT=pin=(.);;id=(..)'
    [ "$status" -eq 0 ]
    # the frame's JSON holds the characters themselves: no \u00XX escapes of stray bytes
    run -0 jq -r -R 'fromjson? | select(.type=="function") | .message' <<<"$output"
    [[ $output != *'\u00'* ]]
    run -0 jq -r '.message' <<<"$output"
    [ "$output" = 'pin=*é! id=*😀 ok' ]
}
