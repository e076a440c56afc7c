# frozen_string_literal: true

# crash: {"how":"exit","code":N} exits at once (exit!, default 3); {"how":"segfault"}
# sends itself SIGSEGV (Ruby reports a [BUG] and aborts); {"how":"abort"} abort!;
# {"how":"kill","signal":"KILL"}.
def handler(event:, context:)
  event ||= {}
  case event.fetch('how', 'exit')
  when 'segfault' then Process.kill('SEGV', Process.pid)
  when 'abort' then Process.kill('ABRT', Process.pid)
  when 'kill' then Process.kill(event.fetch('signal', 'KILL'), Process.pid)
  end
  sleep 0.5 unless event.fetch('how', 'exit') == 'exit'
  exit!(event.fetch('code', 3))
end
