# frozen_string_literal: true

# multiline: prints a 3-line record to stdout, logs the same record (one logger call),
# then catches a real exception, logs it with its backtrace as one record and prints the
# backtrace to stderr.
RECORD = "record line 1\nrecord line 2\nrecord line 3"

def inner
  nil.missing
end

def handler(event:, context:)
  puts RECORD
  context.logger.info(RECORD)
  begin
    inner
  rescue NoMethodError => e
    context.logger.error("caught\n#{e.full_message(highlight: false)}")
    warn e.full_message(highlight: false)
  end
  'ok'
end
