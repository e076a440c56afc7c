// sleep: waits event.ms milliseconds (for timeout tests).
// With event.barrier (a directory) and event.count it is a rendezvous instead: it creates a
// file there named after its request id, waits (at most ms) until count files exist, and
// returns {"slept":ms,"peers":n}; n == count proves count invokes were in flight at once.
import fs from 'node:fs';
import path from 'node:path';

const pause = (ms) => new Promise((r) => setTimeout(r, ms));

export const handler = async (event = {}, context) => {
  const ms = event.ms || 0;
  if (!event.barrier) {
    await pause(ms);
    return { slept: ms };
  }
  fs.writeFileSync(path.join(event.barrier, context.awsRequestId), '');
  const deadline = Date.now() + ms;
  while (fs.readdirSync(event.barrier).length < (event.count || 1) && Date.now() < deadline) await pause(10);
  return { slept: ms, peers: fs.readdirSync(event.barrier).length };
};
