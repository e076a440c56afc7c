// subprocess: runs a child whose stdout is a pipe (default `printf 'a\0b\n'`, or event.argv)
// and returns its bytes as hex: {"hex":"6100620a","status":0}.
import { spawnSync } from 'node:child_process';

export const handler = async (event = {}) => {
  const argv = event.argv || ['printf', 'a\\0b\\n'];
  const r = spawnSync(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
  return { hex: r.stdout.toString('hex'), status: r.status };
};
