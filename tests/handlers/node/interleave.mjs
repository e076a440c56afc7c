// interleave: for i in 1..event.lines (M), writes "<requestId> print i" to fd 1 and logs
// "<requestId> log i" (console.log), awaiting event.ms between lines so invokes in flight on
// the same thread interleave. With event.barrier/event.count it first waits (as sleep does)
// until count invokes are in flight. Returns {requestId, lines: M, thread}.
// The print is fs.writeSync(1): from a worker thread process.stdout.write only queues the text
// for the main thread, which may not have written it when the runtime is stopped.
import fs from 'node:fs';
import path from 'node:path';
import { threadId } from 'node:worker_threads';

const pause = (ms) => new Promise((r) => setTimeout(r, ms));

export const handler = async (event = {}, context) => {
  const rid = context.awsRequestId;
  if (event.barrier) {
    fs.writeFileSync(path.join(event.barrier, rid), '');
    const deadline = Date.now() + 20000;
    while (fs.readdirSync(event.barrier).length < (event.count || 1) && Date.now() < deadline) await pause(10);
  }
  const m = event.lines || 1;
  for (let i = 1; i <= m; i++) {
    fs.writeSync(1, `${rid} print ${i}\n`);
    console.log(`${rid} log ${i}`);
    await pause(event.ms || 0);
  }
  return { requestId: rid, lines: m, thread: threadId };
};
