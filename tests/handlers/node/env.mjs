// env: returns the real argv (/proc/self/cmdline), pid, and the environment variables
// named in event.names (null when unset): {"argv":[..],"pid":N,"env":{..}}.
import fs from 'node:fs';

export const handler = async (event = {}) => {
  const argv = fs.readFileSync('/proc/self/cmdline').toString('utf8').split('\0').slice(0, -1);
  const env = {};
  for (const n of event.names || []) env[n] = process.env[n] ?? null;
  return { argv, pid: process.pid, env };
};
