# frozen_string_literal: true

# log: for each string in event["lines"], print it (puts, stdout) and log it
# (context.logger at event["level"], default INFO). event["print"] lines are only printed,
# event["log"] lines only logged, event["stderr"] lines go to $stderr; event["raw"] /
# event["rawStderr"] strings are written as they are (no newline added, one write each) to
# stdout / stderr after everything else. Returns the counts.
LOG_METHODS = { 'TRACE' => :debug, 'DEBUG' => :debug, 'INFO' => :info, 'WARN' => :warn, 'WARNING' => :warn,
                'ERROR' => :error, 'FATAL' => :fatal }.freeze

def handler(event:, context:)
  event ||= {}
  meth = LOG_METHODS.fetch(event.fetch('level', 'INFO').to_s.upcase, :info)
  printed = logged = 0
  (event['lines'] || []).each do |line|
    puts line
    context.logger.public_send(meth, line)
    printed += 1
    logged += 1
  end
  (event['print'] || []).each do |line|
    puts line
    printed += 1
  end
  (event['log'] || []).each do |line|
    context.logger.public_send(meth, line)
    logged += 1
  end
  (event['stderr'] || []).each { |line| warn line }
  $stdout.write(event['raw']) if event.key?('raw')
  $stderr.write(event['rawStderr']) if event.key?('rawStderr')
  { 'printed' => printed, 'logged' => logged }
end
