// crash: {"how":"exit","code":N} exits at once (default 3); {"how":"segfault"} raises
// SIGSEGV in the process; {"how":"abort"} process.abort(); {"how":"kill","signal":"SIGKILL"}.
export const handler = async (event = {}) => {
  const how = event.how || 'exit';
  if (how === 'segfault') process.kill(process.pid, 'SIGSEGV');
  else if (how === 'abort') process.abort();
  else if (how === 'kill') process.kill(process.pid, event.signal || 'SIGKILL');
  else process.exit(event.code ?? 3);
  await new Promise((r) => setTimeout(r, 10000));
};
