"""subprocess: runs a child whose stdout is a pipe (default `printf 'a\\0b\\n'`, or the argv
in event["argv"]) and returns its bytes as hex: {"hex":"6100620a","status":0}.
The preload must never touch a child's output into a pipe.

The handler name is the same in every language, but in Python this file shadows the
standard library's `subprocess` (the task root comes first on sys.path, as on Lambda), so
the real module is imported with this file out of the way, and this module is put back.
"""
import os
import sys

_here = os.path.dirname(os.path.abspath(__file__))
_this = sys.modules.pop(__name__)
_path = sys.path[:]
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _here]
try:
    import subprocess as sp
finally:
    sys.path[:] = _path
    sys.modules[__name__] = _this


def handler(event, context):
    argv = (event or {}).get("argv") or ["printf", "a\\0b\\n"]
    proc = sp.run(argv, stdout=sp.PIPE)
    return {"hex": proc.stdout.hex(), "status": proc.returncode}
