# frozen_string_literal: true

# error: raises HandlerError(event["message"] || "boom") two calls deep
# (errorType "Function<HandlerError>", as AWS's Ruby client names it).
class HandlerError < StandardError; end

def fail_with(message)
  raise HandlerError, message
end

def handler(event:, context:)
  fail_with((event || {}).fetch('message', 'boom'))
end
