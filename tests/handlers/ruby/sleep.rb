# frozen_string_literal: true

# sleep: sleeps event["ms"] milliseconds (for timeout tests).
# With event["barrier"] (a directory) and event["count"] it is a rendezvous instead: it
# creates a file there named after its request id, waits (at most ms) until count files
# exist, and returns {"slept":ms,"peers":n}; n == count proves count invokes ran at once.
def peers(dir)
  Dir.children(dir).size
end

def handler(event:, context:)
  event ||= {}
  ms = event.fetch('ms', 0)
  dir = event['barrier']
  unless dir
    sleep(ms / 1000.0)
    return { 'slept' => ms }
  end
  File.write(File.join(dir, context.aws_request_id), '')
  deadline = Process.clock_gettime(Process::CLOCK_MONOTONIC) + ms / 1000.0
  sleep 0.01 while peers(dir) < event.fetch('count', 1) && Process.clock_gettime(Process::CLOCK_MONOTONIC) < deadline
  { 'slept' => ms, 'peers' => peers(dir) }
end
