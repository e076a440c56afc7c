# frozen_string_literal: true

# subprocess: runs a child whose stdout is a pipe (default `printf 'a\0b\n'`, or
# event["argv"]) and returns its bytes as hex: {"hex":"6100620a","status":0}.
require 'open3'

def handler(event:, context:)
  argv = (event || {})['argv'] || ['printf', 'a\\0b\\n']
  out, status = Open3.capture2(*argv, binmode: true)
  { 'hex' => out.unpack1('H*'), 'status' => status.exitstatus }
end
