#!/usr/bin/env python3
# Our equivalent of AWS's Python exec-wrapper sample: insert "-X importtime" before the
# runtime's last argument and exec the runtime command. The bench rewrites the #! line
# to the interpreter itself so a pyenv shim is not what gets measured.
import os
import sys

args = sys.argv[1:]
args[-1:-1] = ["-X", "importtime"]
os.execv(args[0], args)
