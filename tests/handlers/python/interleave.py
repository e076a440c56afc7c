"""interleave: for i in 1..event["lines"] (M), prints "<requestId> print i" and logs
"<requestId> log i" (INFO), sleeping event["ms"] between lines so concurrent invokes
interleave. With event["barrier"]/event["count"] it first waits (as sleep does) until count
invokes are in flight. Returns {"requestId":..,"lines":M,"pid":..}: every line names the
invoke that wrote it, so a test can check each line's attribution."""
import logging
import os
import time

logger = logging.getLogger()


def handler(event, context):
    event = event or {}
    rid = context.aws_request_id
    barrier = event.get("barrier")
    if barrier:
        open(os.path.join(barrier, rid), "w").close()
        deadline = time.monotonic() + 20
        while len(os.listdir(barrier)) < event.get("count", 1) and time.monotonic() < deadline:
            time.sleep(0.01)
    m = event.get("lines", 1)
    for i in range(1, m + 1):
        print("%s print %d" % (rid, i))
        logger.info("%s log %d", rid, i)
        time.sleep(event.get("ms", 0) / 1000.0)
    return {"requestId": rid, "lines": m, "pid": os.getpid()}
