"""crash: {"how":"exit","code":N} exits at once (os._exit, default 3);
{"how":"segfault"} dereferences NULL through ctypes (a real SIGSEGV inside python);
{"how":"abort"} calls abort() (SIGABRT); {"how":"kill","signal":N} signals itself."""
import ctypes
import os
import signal


def handler(event, context):
    how = (event or {}).get("how", "exit")
    if how == "segfault":
        ctypes.string_at(0)
    elif how == "abort":
        os.abort()
    elif how == "kill":
        os.kill(os.getpid(), int(event.get("signal", signal.SIGKILL)))
    os._exit(int((event or {}).get("code", 3)))
