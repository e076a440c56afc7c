# frozen_string_literal: true

# echo: returns the event unchanged.
def handler(event:, context:)
  event
end
