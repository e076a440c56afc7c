"""SnapStart runtime hooks for lwrap's Python test runtime, with the names of AWS's
snapshot-restore-py package (what AWS's Python runtime client runs): a handler module
registers callables at import time, as a call or as a decorator:

    from snapshot_restore_py import register_before_snapshot, register_after_restore

    @register_after_restore
    def reconnect():
        ...

Before-snapshot hooks run in the reverse order of registration, after-restore hooks in
order (as AWS's lambda_runtime_hooks_runner does). This file is the test runtime's own
small equivalent, not AWS's code."""

_before = []
_after = []


def _register(hooks, func, args, kwargs):
    hooks.append((func, args, kwargs))
    return func


def register_before_snapshot(func, *args, **kwargs):
    return _register(_before, func, args, kwargs)


def register_after_restore(func, *args, **kwargs):
    return _register(_after, func, args, kwargs)


def get_before_snapshot():
    return _before


def get_after_restore():
    return _after
