"""multiline: prints a 3-line record to stdout, logs the same record (one logger call),
then catches a real exception and both logs it (logger.exception: one record with the
traceback) and prints its traceback to stderr (traceback.print_exc)."""
import logging
import traceback

logger = logging.getLogger()
RECORD = "record line 1\nrecord line 2\nrecord line 3"


def inner():
    return {}["missing"]


def handler(event, context):
    print(RECORD)
    logger.info(RECORD)
    try:
        inner()
    except KeyError:
        logger.exception("caught")
        traceback.print_exc()
    return "ok"
