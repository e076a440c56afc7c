"""snaphooks: SnapStart hooks (snapshot_restore_py). At import it registers two
before-snapshot hooks and two after-restore hooks that log and print their names with the
time; $SNAP_FAIL (before / after) makes the last hook of that kind raise, $SNAP_EXIT=after
makes an after-restore hook exit the process (a crash during restore). The handler returns
what the hooks saw: {"ran":[names in order],"jumpMs":wall-clock ms between the last
before-snapshot hook and the first after-restore hook}."""
import logging
import os
import time

from snapshot_restore_py import register_after_restore, register_before_snapshot

logger = logging.getLogger()
ran = []
marks = {}


def _hook(name):
    ran.append(name)
    marks[name] = time.time()
    print("hook " + name)
    logger.info("hook %s", name)
    fail = os.environ.get("SNAP_FAIL", "")
    if name in ("before-1", "after-2") and fail == name.split("-")[0]:
        raise RuntimeError("hook %s failed" % name)
    if name == "after-2" and os.environ.get("SNAP_EXIT") == "after":
        os._exit(7)


register_before_snapshot(_hook, "before-1")  # registered first: runs last


@register_before_snapshot
def _before_2():
    _hook("before-2")


register_after_restore(_hook, "after-1")


@register_after_restore
def _after_2():
    _hook("after-2")


def handler(event, context):
    jump = (marks["after-1"] - marks["before-1"]) * 1000.0 if "after-1" in marks else None
    return {"ran": ran, "jumpMs": jump, "requestId": context.aws_request_id}
