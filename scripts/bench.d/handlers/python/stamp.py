# Bench handler: [CLOCK_MONOTONIC ns, this process's CPU ns] when the invoke reached the
# handler. Between the first and last invoke of a run lie N-1 whole invoke cycles, free
# of init and shutdown; the CPU clock counts only the runtime process (preload included).
import time


def handler(event, context):
    return [time.monotonic_ns(), time.process_time_ns()]
