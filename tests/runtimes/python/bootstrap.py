"""lwrap's test runtime for Python, shaped like AWS's awslambdaric.

Run as `python3 .../bootstrap.py` (AWS: `python3.x /var/runtime/bootstrap.py`); the handler
comes from _HANDLER ("echo.handler" -> $LAMBDA_TASK_ROOT/echo.py, function handler).
What the preload observes must look like AWS's client, so this file keeps AWS's habits:
- one keep-alive HTTP/1.1 connection per worker thread (http.client), no timeout on `next`;
- stdout/stderr unbuffered: print("x") reaches the kernel as two writes, "x" then "\n";
- logging records go as ONE frame each to the telemetry fd (_LAMBDA_TELEMETRY_LOG_FD,
  read and deleted from os.environ), else as text lines to stdout;
- handler exceptions are logged as one record and posted to /invocation/{id}/error,
  init failures to /init/error (then exit 1).
Concurrency: AWS_LAMBDA_MAX_CONCURRENCY=N>1 alone (lambda-emu --concurrency): N threads each
run their own next/response loop. Under Lambda Managed Instances
(AWS_LAMBDA_INITIALIZATION_TYPE=lambda-managed-instances) it is N worker processes instead, as
AWS's client does (lambda_multi_concurrent_utils.py): each loads the handler itself and, when
_LAMBDA_TELEMETRY_LOG_FD_PROVIDER_SOCKET names a socket, connects to it once per stream and
dup2s the connection over its stdout and stderr.
SnapStart (AWS_LAMBDA_INITIALIZATION_TYPE=snap-start): after the handler is loaded the
before-snapshot hooks run (snapshot_restore_py.py), then GET /runtime/restore/next, then the
after-restore hooks; a failing hook is reported to /init/error (Runtime.BeforeSnapshotError)
or /restore/error (Runtime.AfterRestoreError) and the runtime exits 1.
"""

import http.client
import importlib
import json
import logging
import os
import socket
import sys
import threading
import time
import traceback

API_PREFIX = "/2018-06-01/runtime"
FRAME_TEXT = 0xA55A0003
FRAME_JSON = 0xA55A0002
# Level bits (2-4) of the frame type, as AWS's clients set them.
LEVEL_BITS = {
    "TRACE": 0x04,
    "DEBUG": 0x08,
    "INFO": 0x0C,
    "WARNING": 0x10,
    "WARN": 0x10,
    "ERROR": 0x14,
    "CRITICAL": 0x18,
    "FATAL": 0x18,
}
JSON_LEVEL_NAMES = {"WARNING": "WARN", "CRITICAL": "FATAL"}

_request = threading.local()  # the invoke this thread is running (request id for logs)


def current_request_id():
    return getattr(_request, "id", None)


class Unbuffered:
    """AWS's client wraps stdout/stderr so each write is flushed at once."""

    def __init__(self, stream):
        self._stream = stream

    def write(self, data):
        self._stream.write(data)
        self._stream.flush()

    def writelines(self, lines):
        self._stream.writelines(lines)
        self._stream.flush()

    def __getattr__(self, name):
        return getattr(self._stream, name)


class FrameSink:
    """Telemetry fd: each record is one frame, written with one write()."""

    def __init__(self, fd):
        self._file = os.fdopen(fd, "wb", 0)
        self._lock = threading.Lock()

    def log(self, msg, frame_type):
        data = msg.encode("utf-8", "replace")
        now_us = time.time_ns() // 1000
        frame = (frame_type.to_bytes(4, "big") + len(data).to_bytes(4, "big")
                 + now_us.to_bytes(8, "big") + data)
        with self._lock:
            self._file.write(frame)


class StdoutSink:
    """No telemetry fd: records are text on stdout (each line becomes its own event)."""

    def log(self, msg, frame_type):
        sys.stdout.write(msg)


def frame_type_for(levelname, json_format):
    return (FRAME_JSON if json_format else FRAME_TEXT) | LEVEL_BITS.get(levelname, 0)


class TextFormatter(logging.Formatter):
    def __init__(self):
        super().__init__("[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s",
                         "%Y-%m-%dT%H:%M:%S")
        self.converter = time.gmtime

    def format(self, record):
        # The newline goes after the traceback too (logger.exception), so every record ends in one.
        return super().format(record) + "\n"


class JsonFormatter(logging.Formatter):
    def format(self, record):
        out = {
            "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + ".%03dZ" % record.msecs,
            "level": JSON_LEVEL_NAMES.get(record.levelname, record.levelname),
            "message": record.getMessage(),
            "logger": record.name,
        }
        if getattr(record, "aws_request_id", ""):
            out["requestId"] = record.aws_request_id
        if record.exc_info:
            etype, evalue, tb = record.exc_info
            out["errorType"] = etype.__name__
            out["errorMessage"] = str(evalue)
            out["stackTrace"] = traceback.format_tb(tb)
        return json.dumps(out) + "\n"


class RequestIdFilter(logging.Filter):
    def filter(self, record):
        # Outside an invoke (init-time logging) the id is empty, as in AWS's client.
        record.aws_request_id = current_request_id() or ""
        return True


class LambdaHandler(logging.Handler):
    def __init__(self, sink, json_format):
        super().__init__()
        self._sink = sink
        self._json = json_format
        self.setFormatter(JsonFormatter() if json_format else TextFormatter())
        self.addFilter(RequestIdFilter())

    def emit(self, record):
        try:
            msg = self.format(record)
            self._sink.log(msg, frame_type_for(record.levelname, self._json))
        except Exception:
            self.handleError(record)


def setup_logging():
    fd = os.environ.pop("_LAMBDA_TELEMETRY_LOG_FD", None)
    sink = FrameSink(int(fd)) if fd else StdoutSink()
    json_format = os.environ.get("AWS_LAMBDA_LOG_FORMAT", "").upper() == "JSON"
    root = logging.getLogger()
    root.handlers = [LambdaHandler(sink, json_format)]
    level = os.environ.get("AWS_LAMBDA_LOG_LEVEL", "").upper() if json_format else ""
    level = {"TRACE": "DEBUG", "WARN": "WARNING", "FATAL": "CRITICAL"}.get(level, level)
    root.setLevel(level if level in logging._nameToLevel else logging.INFO)
    return sink, json_format


class RuntimeClient:
    """One keep-alive connection to the Runtime API (per worker thread)."""

    def __init__(self, address):
        host, port = address.rsplit(":", 1)
        self._conn = http.client.HTTPConnection(host, int(port))

    def _request(self, method, path, body=None, headers=None):
        self._conn.request(method, API_PREFIX + path, body=body, headers=headers or {})
        resp = self._conn.getresponse()
        return resp, resp.read()

    def next(self):
        resp, body = self._request("GET", "/invocation/next")
        if resp.status != 200:
            raise RuntimeError("next: HTTP %d %r" % (resp.status, body))
        return resp.headers, body

    def restore_next(self):
        """SnapStart: returns once the snapshot is restored (200, empty body)."""
        resp, body = self._request("GET", "/restore/next")
        if resp.status != 200:
            raise RuntimeError("restore/next: HTTP %d %r" % (resp.status, body))

    def post(self, path, body, headers=None):
        hdrs = {"Content-Type": "application/json"}
        hdrs.update(headers or {})
        resp, data = self._request("POST", path, body, hdrs)
        if resp.status != 202:
            # A refused post (413 too large, 403 wrong state) is the runtime's problem to report.
            sys.stderr.write("runtime: POST %s -> HTTP %d %s\n" % (path, resp.status, data.decode("utf-8", "replace")))
        return resp.status


class Context:
    def __init__(self, headers):
        self.aws_request_id = headers.get("Lambda-Runtime-Aws-Request-Id")
        self.invoked_function_arn = headers.get("Lambda-Runtime-Invoked-Function-Arn")
        self._deadline_ms = int(headers.get("Lambda-Runtime-Deadline-Ms") or 0)
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.identity = _json_or_none(headers.get("Lambda-Runtime-Cognito-Identity"))
        self.client_context = _json_or_none(headers.get("Lambda-Runtime-Client-Context"))

    def get_remaining_time_in_millis(self):
        return max(self._deadline_ms - int(time.time() * 1000), 0)


def _json_or_none(text):
    try:
        return json.loads(text) if text else None
    except ValueError:
        return None


class InitError(Exception):
    def __init__(self, error_type, message):
        super().__init__(message)
        self.error_type = error_type


def load_handler(name):
    module_name, _, func_name = name.rpartition(".")
    if not module_name:
        raise InitError("Runtime.MalformedHandlerName", "Bad handler '%s': not enough values to unpack" % name)
    try:
        module = importlib.import_module(module_name.replace("/", "."))
    except ImportError as e:
        raise InitError("Runtime.ImportModuleError", "Unable to import module '%s': %s" % (module_name, e))
    except SyntaxError as e:
        raise InitError("Runtime.UserCodeSyntaxError", "Syntax error in module '%s': %s" % (module_name, e))
    except Exception as e:
        raise InitError(type(e).__name__, str(e))
    func = getattr(module, func_name, None)
    if not callable(func):
        raise InitError("Runtime.HandlerNotFound", "Handler '%s' missing on module '%s'" % (func_name, module_name))
    return func


def error_result(exc, request_id=None):
    tb = exc.__traceback__
    # Hide this file's own frames, as AWS's client does.
    frames = [f for f in traceback.extract_tb(tb) if f.filename != __file__]
    result = {
        "errorMessage": str(exc),
        "errorType": getattr(exc, "error_type", None) or type(exc).__name__,
        "requestId": request_id or "",
        "stackTrace": traceback.format_list(frames),
    }
    return result


def log_error(sink, json_format, result):
    """One record for the whole error: AWS's client keeps the traceback in one event."""
    if json_format:
        rec = {
            "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()) + ".%03dZ" % (time.time() * 1000 % 1000),
            "level": "ERROR",
            "message": result["errorMessage"],
            "errorType": result["errorType"],
            "stackTrace": result["stackTrace"],
            "requestId": result["requestId"],
        }
        sink.log(json.dumps(rec) + "\n", FRAME_JSON | LEVEL_BITS["ERROR"])
        return
    lines = ["[ERROR] %s: %s" % (result["errorType"], result["errorMessage"])]
    if result["stackTrace"]:
        lines.append("Traceback (most recent call last):")
        for element in result["stackTrace"]:
            lines.extend(element.splitlines())
    if isinstance(sink, FrameSink):
        sink.log("\n".join(lines) + "\n", FRAME_TEXT | LEVEL_BITS["ERROR"])
    else:
        # AWS joins the lines with \r on stdout so the record stays one CloudWatch event.
        sink.log("\r".join(lines) + "\n", 0)


def handle_one(client, handler, sink, json_format):
    headers, body = client.next()
    request_id = headers.get("Lambda-Runtime-Aws-Request-Id")
    _request.id = request_id
    trace_id = headers.get("Lambda-Runtime-Trace-Id")
    if trace_id:
        os.environ["_X_AMZN_TRACE_ID"] = trace_id
    else:
        os.environ.pop("_X_AMZN_TRACE_ID", None)
    try:
        event = json.loads(body) if body else None
        result = handler(event, Context(headers))
        payload = result if isinstance(result, bytes) else json.dumps(result).encode("utf-8")
    except Exception as e:
        res = error_result(e, request_id)
        log_error(sink, json_format, res)
        client.post("/invocation/%s/error" % request_id, json.dumps(res).encode("utf-8"),
                    {"Lambda-Runtime-Function-Error-Type": res["errorType"]})
    else:
        client.post("/invocation/%s/response" % request_id, payload)
    finally:
        _request.id = None


def worker(address, handler, sink, json_format, client=None):
    client = client or RuntimeClient(address)
    while True:
        handle_one(client, handler, sink, json_format)


def report_init_error(address, sink, json_format, exc, error_type=None, endpoint="/init/error"):
    res = error_result(exc)
    if error_type:
        res["errorType"] = error_type
    log_error(sink, json_format, dict(res, requestId=""))
    del res["requestId"]
    RuntimeClient(address).post(endpoint, json.dumps(res).encode("utf-8"),
                                {"Lambda-Runtime-Function-Error-Type": res["errorType"]})
    sys.exit(1)


def load_or_report(address, sink, json_format):
    try:
        return load_handler(os.environ.get("_HANDLER", ""))
    except Exception as e:
        report_init_error(address, sink, json_format, e)


def snapshot_and_restore(address, sink, json_format):
    """SnapStart: hooks around the snapshot; returns the connection that waited in restore/next."""
    import snapshot_restore_py as hooks
    try:
        before = hooks.get_before_snapshot()
        while before:  # last registered runs first
            func, args, kwargs = before.pop()
            func(*args, **kwargs)
    except Exception as e:
        report_init_error(address, sink, json_format, e, "Runtime.BeforeSnapshotError")
    client = RuntimeClient(address)
    client.restore_next()
    try:
        for func, args, kwargs in hooks.get_after_restore():
            func(*args, **kwargs)
    except Exception as e:
        report_init_error(address, sink, json_format, e, "Runtime.AfterRestoreError", "/restore/error")
    return client


def redirect_output(socket_path):
    """Managed Instances: stdout and stderr each become a connection to the log socket."""
    for fd in (1, 2):
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.connect(socket_path)
            os.dup2(s.fileno(), fd)


def process_worker(address, socket_path):
    if socket_path:
        redirect_output(socket_path)
    sink, json_format = setup_logging()
    handler = load_or_report(address, sink, json_format)
    worker(address, handler, sink, json_format)


def run_processes(address, concurrency):
    """One process per concurrency slot, as AWS's client runs them under Managed Instances
    (it uses multiprocessing.Process; a plain fork here, because multiprocessing imports the
    standard subprocess module, which would hide a handler module of that name)."""
    socket_path = os.environ.pop("_LAMBDA_TELEMETRY_LOG_FD_PROVIDER_SOCKET", None)
    pids = []
    for _ in range(concurrency):
        pid = os.fork()
        if pid == 0:
            try:
                process_worker(address, socket_path)
            finally:
                os._exit(1)
        pids.append(pid)
    for pid in pids:  # as AWS's parent joins its workers
        os.waitpid(pid, 0)


def main():
    sys.stdout = Unbuffered(sys.stdout)
    sys.stderr = Unbuffered(sys.stderr)
    address = os.environ["AWS_LAMBDA_RUNTIME_API"]
    task_root = os.environ.get("LAMBDA_TASK_ROOT", os.getcwd())
    sys.path.insert(0, task_root)
    init_type = os.environ.get("AWS_LAMBDA_INITIALIZATION_TYPE", "")
    try:
        concurrency = max(int(os.environ.get("AWS_LAMBDA_MAX_CONCURRENCY") or 1), 1)
    except ValueError:
        concurrency = 1
    if init_type == "lambda-managed-instances":
        run_processes(address, concurrency)
        return
    sink, json_format = setup_logging()
    handler = load_or_report(address, sink, json_format)
    client = snapshot_and_restore(address, sink, json_format) if init_type == "snap-start" else None
    for _ in range(concurrency - 1):
        threading.Thread(target=worker, args=(address, handler, sink, json_format), daemon=True).start()
    worker(address, handler, sink, json_format, client)


if __name__ == "__main__":
    main()
