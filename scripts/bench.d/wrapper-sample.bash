#!/bin/bash
# Our equivalent of AWS's bash exec-wrapper sample: put "-X importtime" in front of the
# runtime's last argument (the bootstrap script) and exec the runtime command.
args=("$@")
last=${args[$#-1]}
unset 'args[$#-1]'
exec "${args[@]}" -X importtime "$last"
