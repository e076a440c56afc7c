// multiline: prints a 3-line record to stdout, logs the same record (one console.info),
// then catches a real exception and logs it (console.error with the Error: one record with
// the stack) and prints its stack to stderr.
const RECORD = 'record line 1\nrecord line 2\nrecord line 3';

function inner() {
  return null.missing;
}

export const handler = async () => {
  process.stdout.write(`${RECORD}\n`);
  console.info(RECORD);
  try {
    inner();
  } catch (e) {
    console.error('caught', e);
    process.stderr.write(`${e.stack}\n`);
  }
  return 'ok';
};
