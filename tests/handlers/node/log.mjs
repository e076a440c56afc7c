// log: for each string in event.lines, print it (process.stdout.write, the plain stdout
// path) and log it (console.<level>, the runtime's logger; event.level, default INFO).
// event.print lines are only printed, event.log lines only logged, event.stderr lines
// go to process.stderr; event.raw / event.rawStderr strings are written as they are (no
// newline added, one write each) to stdout / stderr after everything else. Returns the counts.
const FN = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', WARNING: 'warn', ERROR: 'error', FATAL: 'fatal' };

export const handler = async (event = {}) => {
  const log = console[FN[String(event.level || 'INFO').toUpperCase()] || 'info'];
  let printed = 0;
  let logged = 0;
  for (const line of event.lines || []) {
    process.stdout.write(`${line}\n`);
    log(line);
    printed++;
    logged++;
  }
  for (const line of event.print || []) {
    process.stdout.write(`${line}\n`);
    printed++;
  }
  for (const line of event.log || []) {
    log(line);
    logged++;
  }
  for (const line of event.stderr || []) process.stderr.write(`${line}\n`);
  if (event.raw !== undefined) process.stdout.write(event.raw);
  if (event.rawStderr !== undefined) process.stderr.write(event.rawStderr);
  return { printed, logged };
};
