"""env: returns the process's real argv (/proc/self/cmdline), pid, and the environment
variables named in event["names"] (null when unset): {"argv":[..],"pid":N,"env":{..}}.
Used to check what an exec wrapper changed."""
import os


def handler(event, context):
    with open("/proc/self/cmdline", "rb") as f:
        argv = [a.decode("utf-8", "replace") for a in f.read().split(b"\0")[:-1]]
    names = (event or {}).get("names", [])
    return {"argv": argv, "pid": os.getpid(), "env": {n: os.environ.get(n) for n in names}}
