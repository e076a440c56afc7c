// lwrap's test runtime for Node.js, shaped like AWS's aws-lambda-ric.
//
// Run as `node --expose-gc --max-http-header-size 81920 .../index.mjs` (AWS: /var/runtime/index.mjs).
// _HANDLER "echo.handler" -> $LAMBDA_TASK_ROOT/echo.js|.mjs|.cjs, export `handler`.
// AWS habits kept because the preload observes them:
// - every Runtime API request goes out on a NEW connection (no keep-alive); `next` is
//   fetched from a worker thread while the handler runs and responses are posted on the main
//   thread, so the thread that fetched an invoke is not the one that logs for it; the
//   response's headers and body go out in two writes;
// - console.* is patched: each call is one record `ISO\trequestId\tLEVEL\tmsg`, sent as one
//   frame to the telemetry fd (header and message in two write() calls, as AWS's client does),
//   else one stdout line with inner newlines turned into \r;
// - process.stdout.write is the plain stdout path ("print" in the other languages);
// - handler errors are logged ("Invoke Error") and posted to /invocation/{id}/error,
//   load errors to /init/error;
// - `awslambda.streamifyResponse(fn)` handlers stream the response chunked.
// With AWS_LAMBDA_MAX_CONCURRENCY=N>1 there are N concurrent next/response loops.
// Under Lambda Managed Instances (AWS_LAMBDA_INITIALIZATION_TYPE=lambda-managed-instances) the
// main thread starts W worker threads (LWRAP_TEST_NODE_WORKERS, default 2, at most N); each
// loads the handler and runs its share of the N loops itself, several invokes in flight on
// one thread (async), fetching `next` and posting answers from that thread. Each worker
// connects once to _LAMBDA_TELEMETRY_LOG_FD_PROVIDER_SOCKET and writes its console records
// there as lines (AWS's SocketLogger), else to stdout.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import util from 'node:util';
import { pathToFileURL } from 'node:url';
import { AsyncLocalStorage } from 'node:async_hooks';
import net from 'node:net';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

const API = process.env.AWS_LAMBDA_RUNTIME_API || '127.0.0.1:9001';
const [API_HOST, API_PORT] = [API.slice(0, API.lastIndexOf(':')), Number(API.slice(API.lastIndexOf(':') + 1))];
const PREFIX = '/2018-06-01/runtime';
// AWS's Node client fetches each invocation on a fresh connection.
const agent = new http.Agent({ keepAlive: false });
const invokeStore = new AsyncLocalStorage();
const STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');

// ---- logging -------------------------------------------------------------------------
const LEVELS = {
  TRACE: { mask: 0x04, prio: 1 }, DEBUG: { mask: 0x08, prio: 2 }, INFO: { mask: 0x0c, prio: 3 },
  WARN: { mask: 0x10, prio: 4 }, ERROR: { mask: 0x14, prio: 5 }, FATAL: { mask: 0x18, prio: 6 },
};
const telemetryFd = (() => {
  const v = process.env._LAMBDA_TELEMETRY_LOG_FD;
  delete process.env._LAMBDA_TELEMETRY_LOG_FD;
  return v !== undefined && v !== '' ? Number(v) : undefined;
})();
const managedInstances = process.env.AWS_LAMBDA_INITIALIZATION_TYPE === 'lambda-managed-instances';
let socketFd; // Managed Instances: this worker's connection to the log socket
const jsonFormat = (process.env.AWS_LAMBDA_LOG_FORMAT || '').toUpperCase() === 'JSON';
const minPrio = jsonFormat ? (LEVELS[(process.env.AWS_LAMBDA_LOG_LEVEL || '').toUpperCase()]?.prio ?? 0) : 0;

function currentRequestId() {
  return invokeStore.getStore()?.requestId;
}

function formatRecord(level, date, args) {
  if (!jsonFormat) {
    // Outside an invoke AWS's client (4.x) prints "-" for the request id.
    return `${date.toISOString()}\t${currentRequestId() ?? '-'}\t${level}\t${util.format(...args)}`;
  }
  const rec = { timestamp: date.toISOString(), level, requestId: currentRequestId() };
  const err = args.find((a) => a instanceof Error);
  rec.message = util.format(...args);
  if (err) {
    rec.errorType = err.name;
    rec.errorMessage = err.message;
    rec.stackTrace = String(err.stack || '').split('\n');
  }
  return JSON.stringify(rec);
}

function writeRecord(level, args) {
  if (LEVELS[level].prio < minPrio) return;
  const date = new Date();
  const line = formatRecord(level, date, args);
  if (socketFd !== undefined) {
    fs.writeSync(socketFd, line.replace(/\n/g, '\r') + '\n');
    return;
  }
  if (telemetryFd === undefined) {
    process.stdout.write(line.replace(/\n/g, '\r') + '\n');
    return;
  }
  // AWS's client ends a text frame with a newline, a JSON frame without one.
  const msg = Buffer.from(jsonFormat ? line : `${line}\n`, 'utf8');
  const head = Buffer.alloc(16);
  head.writeUInt32BE(((jsonFormat ? 0xa55a0002 : 0xa55a0003) | LEVELS[level].mask) >>> 0, 0);
  head.writeUInt32BE(msg.length, 4);
  head.writeBigUInt64BE(BigInt(date.getTime()) * 1000n, 8);
  fs.writeSync(telemetryFd, head);
  fs.writeSync(telemetryFd, msg);
}

function patchConsole() {
  const map = { trace: 'TRACE', debug: 'DEBUG', info: 'INFO', log: 'INFO', warn: 'WARN', error: 'ERROR', fatal: 'FATAL' };
  for (const [fn, level] of Object.entries(map)) {
    console[fn] = (...args) => writeRecord(level, args);
  }
}

// ---- Runtime API ---------------------------------------------------------------------
function request(method, urlPath, { headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: API_HOST, port: API_PORT, method, path: PREFIX + urlPath, agent, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body === undefined) {
      req.end();
      return;
    }
    // Headers first, then the body once connected: two writes, as AWS's client sends a response.
    req.flushHeaders();
    req.once('socket', (sock) => {
      if (sock.connecting) sock.once('connect', () => setImmediate(() => req.end(body)));
      else req.end(body);
    });
  });
}

// `next` on the worker thread: main asks with an id, the worker answers with the response.
let nextWorker;
let nextSeq = 0;
const nextWaiting = new Map();

function startNextWorker() {
  nextWorker = new Worker(new URL(import.meta.url));
  nextWorker.on('message', ({ id, error, status, headers, body }) => {
    const w = nextWaiting.get(id);
    nextWaiting.delete(id);
    if (error) w.reject(new Error(error));
    else w.resolve({ status, headers, body: Buffer.from(body) });
  });
  nextWorker.on('error', (e) => {
    for (const w of nextWaiting.values()) w.reject(e);
    nextWaiting.clear();
  });
}

function fetchNext() {
  return new Promise((resolve, reject) => {
    const id = ++nextSeq;
    nextWaiting.set(id, { resolve, reject });
    nextWorker.postMessage({ id });
  });
}

function serveNextRequests() {
  parentPort.on('message', ({ id }) => {
    request('GET', '/invocation/next').then(
      (r) => parentPort.postMessage({ id, status: r.status, headers: r.headers, body: r.body }),
      (e) => parentPort.postMessage({ id, error: String(e && e.message ? e.message : e) }),
    );
  });
}

async function post(urlPath, body, headers = {}) {
  const data = Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
  const res = await request('POST', urlPath, {
    headers: { 'Content-Type': 'application/json', 'Content-Length': data.length, ...headers }, body: data,
  });
  if (res.status !== 202) {
    process.stderr.write(`runtime: POST ${urlPath} -> HTTP ${res.status} ${res.body}\n`);
  }
  return res;
}

function errorBody(err) {
  const e = err instanceof Error ? err : Object.assign(new Error(String(err)), { name: typeof err });
  const trace = String(e.stack || '').split('\n');
  // AWS's Node client names the stack "trace"; the other runtimes use "stackTrace": give both.
  return { errorType: e.name || e.constructor?.name || 'Error', errorMessage: e.message, trace, stackTrace: trace };
}

// ---- handler loading -----------------------------------------------------------------
class InitError extends Error {
  constructor(type, message) { super(message); this.name = type; }
}

async function loadHandler() {
  const root = process.env.LAMBDA_TASK_ROOT || process.cwd();
  const full = process.env._HANDLER || '';
  const slash = full.lastIndexOf('/');
  const dot = full.indexOf('.', slash + 1);
  if (dot < 0) throw new InitError('Runtime.MalformedHandlerName', `Bad handler ${full}`);
  const modPath = path.resolve(root, full.slice(0, dot));
  const names = full.slice(dot + 1).split('.');
  const file = ['.js', '.mjs', '.cjs'].map((ext) => modPath + ext).find((f) => fs.existsSync(f));
  if (!file) throw new InitError('Runtime.ImportModuleError', `Error: Cannot find module '${full.slice(0, dot)}'`);
  let mod;
  try {
    mod = await import(pathToFileURL(file).href);
  } catch (e) {
    throw new InitError(e instanceof SyntaxError ? 'Runtime.UserCodeSyntaxError' : 'Runtime.ImportModuleError', `${e.name}: ${e.message}`);
  }
  const pick = (obj) => names.reduce((o, n) => (o == null ? undefined : o[n]), obj);
  const fn = pick(mod) ?? pick(mod.default);
  if (typeof fn !== 'function') throw new InitError('Runtime.HandlerNotFound', `${full} is undefined or not exported`);
  return fn;
}

// ---- streaming -----------------------------------------------------------------------
function openResponseStream(requestId) {
  const req = http.request({
    host: API_HOST, port: API_PORT, method: 'POST', agent, path: `${PREFIX}/invocation/${requestId}/response`,
    headers: {
      'Lambda-Runtime-Function-Response-Mode': 'streaming',
      'Transfer-Encoding': 'chunked',
      'Content-Type': 'application/octet-stream',
      Trailer: 'Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body',
    },
  });
  const done = new Promise((resolve, reject) => {
    req.on('response', (res) => { res.resume(); res.on('end', () => resolve(res.statusCode)); });
    req.on('error', reject);
  });
  req.setContentType = (ct) => req.setHeader('Content-Type', ct);
  // An error after the stream started travels in the trailers, as AWS's client sends it.
  req.failWith = (err) => {
    const body = errorBody(err);
    req.addTrailers({
      'Lambda-Runtime-Function-Error-Type': body.errorType,
      'Lambda-Runtime-Function-Error-Body': Buffer.from(JSON.stringify(body)).toString('base64'),
    });
    req.end();
  };
  return { stream: req, done };
}

globalThis.awslambda = {
  streamifyResponse(fn) { fn[STREAMING] = true; return fn; },
  HttpResponseStream: {
    from(stream, metadata) {
      stream.setContentType('application/vnd.awslambda.http-integration-response');
      stream.write(JSON.stringify(metadata || {}));
      stream.write(Buffer.alloc(8));
      return stream;
    },
  },
};

// ---- invoke loop ---------------------------------------------------------------------
function makeContext(h) {
  const deadline = Number(h['lambda-runtime-deadline-ms'] || 0);
  const parse = (v) => { try { return v ? JSON.parse(v) : undefined; } catch { return undefined; } };
  return {
    awsRequestId: h['lambda-runtime-aws-request-id'],
    invokedFunctionArn: h['lambda-runtime-invoked-function-arn'],
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    identity: parse(h['lambda-runtime-cognito-identity']),
    clientContext: parse(h['lambda-runtime-client-context']),
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(deadline - Date.now(), 0),
  };
}

function callHandler(handler, event, context) {
  if (handler.length >= 3) {
    // Callback style: the first of callback / returned promise wins.
    return new Promise((resolve, reject) => {
      const cb = (err, result) => (err != null ? reject(err) : resolve(result));
      context.done = cb;
      context.succeed = (r) => cb(null, r);
      context.fail = (e) => cb(e);
      try {
        const ret = handler(event, context, cb);
        if (ret && typeof ret.then === 'function') ret.then(resolve, reject);
      } catch (e) {
        reject(e);
      }
    });
  }
  return Promise.resolve().then(() => handler(event, context));
}

// The record AWS's client logs for a failed invoke or init: `Invoke Error \t{...,"stack":[...]}`.
function logInvokeError(err, what = 'Invoke Error') {
  const body = errorBody(err);
  const rec = { errorType: body.errorType, errorMessage: body.errorMessage, name: err && err.name, stack: body.trace };
  console.error(what, `\t${JSON.stringify(rec)}`);
}

async function reportError(requestId, err) {
  const body = errorBody(err);
  logInvokeError(err);
  await post(`/invocation/${requestId}/error`, JSON.stringify({ ...body, requestId }),
    { 'Lambda-Runtime-Function-Error-Type': body.errorType });
}

async function invokeOnce(handler, getNext = fetchNext) {
  const next = await getNext();
  if (next.status !== 200) throw new Error(`next: HTTP ${next.status} ${next.body}`);
  const h = next.headers;
  const requestId = h['lambda-runtime-aws-request-id'];
  if (h['lambda-runtime-trace-id']) process.env._X_AMZN_TRACE_ID = h['lambda-runtime-trace-id'];
  else delete process.env._X_AMZN_TRACE_ID;
  await invokeStore.run({ requestId }, async () => {
    const context = makeContext(h);
    let event;
    try {
      event = next.body.length ? JSON.parse(next.body.toString('utf8')) : undefined;
    } catch (e) {
      await reportError(requestId, e);
      return;
    }
    if (handler[STREAMING]) {
      const { stream, done } = openResponseStream(requestId);
      try {
        await handler(event, stream, context);
        if (!stream.writableEnded) stream.end();
      } catch (e) {
        logInvokeError(e);
        stream.failWith(e);
      }
      await done;
      return;
    }
    let result;
    try {
      result = await callHandler(handler, event, context);
    } catch (e) {
      await reportError(requestId, e);
      return;
    }
    await post(`/invocation/${requestId}/response`, result === undefined ? 'null' : JSON.stringify(result));
  });
}

async function loop(handler, getNext) {
  for (;;) await invokeOnce(handler, getNext);
}

// ---- Managed Instances ----------------------------------------------------------------
function connectLogSocket(socketPath) {
  return new Promise((resolve, reject) => {
    const sock = net.createConnection(socketPath);
    sock.once('error', reject);
    // the fd is written with writeSync, as AWS's client does with the socket's handle
    sock.once('connect', () => resolve(sock._handle.fd));
  });
}

function startManagedWorkers(n) {
  const wanted = parseInt(process.env.LWRAP_TEST_NODE_WORKERS || '2', 10) || 2;
  const workers = Math.max(1, Math.min(wanted, n));
  for (let w = 0; w < workers; w++) {
    // loops spread over the workers: n in all
    const loops = Math.floor(n / workers) + (w < n % workers ? 1 : 0);
    const worker = new Worker(new URL(import.meta.url), { workerData: { role: 'managed', loops } });
    worker.on('error', (e) => {
      process.stderr.write(`runtime: worker ${w}: ${e && e.stack ? e.stack : e}\n`);
      process.exit(1);
    });
  }
}

async function managedWorker({ loops }) {
  const socketPath = process.env._LAMBDA_TELEMETRY_LOG_FD_PROVIDER_SOCKET;
  if (socketPath) socketFd = await connectLogSocket(socketPath);
  patchConsole();
  let handler;
  try {
    handler = await loadHandler();
  } catch (e) {
    const body = errorBody(e);
    logInvokeError(e, 'Init Error');
    await post('/init/error', JSON.stringify(body), { 'Lambda-Runtime-Function-Error-Type': body.errorType });
    process.exit(1);
  }
  const getNext = () => request('GET', '/invocation/next');
  await Promise.all(Array.from({ length: loops }, () => loop(handler, getNext)));
}

async function main() {
  if (managedInstances) {
    startManagedWorkers(Math.max(parseInt(process.env.AWS_LAMBDA_MAX_CONCURRENCY || '1', 10) || 1, 1));
    return;
  }
  patchConsole();
  let handler;
  try {
    handler = await loadHandler();
  } catch (e) {
    const body = errorBody(e);
    logInvokeError(e, 'Init Error');
    await post('/init/error', JSON.stringify(body), { 'Lambda-Runtime-Function-Error-Type': body.errorType });
    process.exit(1); // AWS's client (4.x) dies of the rethrown error: status 1
  }
  process.on('uncaughtException', (err) => {
    console.error('Uncaught Exception', JSON.stringify(errorBody(err)));
    process.exit(129);
  });
  startNextWorker();
  const n = Math.max(parseInt(process.env.AWS_LAMBDA_MAX_CONCURRENCY || '1', 10) || 1, 1);
  await Promise.all(Array.from({ length: n }, () => loop(handler)));
}

if (isMainThread) {
  main().catch((e) => {
    process.stderr.write(`runtime: ${e && e.stack ? e.stack : e}\n`);
    process.exit(1);
  });
} else if (workerData && workerData.role === 'managed') {
  managedWorker(workerData).catch((e) => {
    process.stderr.write(`runtime: ${e && e.stack ? e.stack : e}\n`);
    process.exit(1);
  });
} else {
  serveNextRequests();
}
