# Bench handler: the runtime's VmRSS/VmHWM in KiB, read right after its first `next`.
def handler(event, context):
    found = {}
    with open("/proc/self/status") as status:
        for line in status:
            name, _, value = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                found[name] = int(value.split()[0])
    return found
