"""sleep: sleeps event["ms"] milliseconds (for timeout tests).

With event["barrier"] (a directory) and event["count"], it is a rendezvous instead: it
creates a file there named after its request id, then waits (at most ms) until count files
exist, and returns how many it saw, {"slept":ms,"peers":n}: n == count proves that count
invokes were in flight at once, without measuring time."""
import os
import time


def handler(event, context):
    event = event or {}
    ms = event.get("ms", 0)
    barrier = event.get("barrier")
    if not barrier:
        time.sleep(ms / 1000.0)
        return {"slept": ms}
    open(os.path.join(barrier, context.aws_request_id), "w").close()
    deadline = time.monotonic() + ms / 1000.0
    while len(os.listdir(barrier)) < event.get("count", 1) and time.monotonic() < deadline:
        time.sleep(0.01)
    return {"slept": ms, "peers": len(os.listdir(barrier))}
