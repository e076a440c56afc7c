"""error: raises HandlerError(event["message"] or "boom") two calls deep."""


class HandlerError(Exception):
    pass


def fail(message):
    raise HandlerError(message)


def handler(event, context):
    fail((event or {}).get("message", "boom"))
