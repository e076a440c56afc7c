"""log: for each string in event["lines"], print it (stdout) and log it (logger, at
event["level"], default INFO). event["print"] lines are only printed, event["log"] lines
only logged, event["stderr"] lines written to stderr; event["raw"] / event["rawStderr"]
strings are written as they are (no newline added; in one write each) to stdout / stderr
after everything else. Returns the counts."""
import logging
import sys

logger = logging.getLogger()
LEVELS = {"TRACE": logging.DEBUG, "DEBUG": logging.DEBUG, "INFO": logging.INFO, "WARN": logging.WARNING,
          "WARNING": logging.WARNING, "ERROR": logging.ERROR, "FATAL": logging.CRITICAL,
          "CRITICAL": logging.CRITICAL}


def handler(event, context):
    level = LEVELS.get(str(event.get("level", "INFO")).upper(), logging.INFO)
    printed = logged = 0
    for line in event.get("lines", []):
        print(line)
        logger.log(level, line)
        printed += 1
        logged += 1
    for line in event.get("print", []):
        print(line)
        printed += 1
    for line in event.get("log", []):
        logger.log(level, line)
        logged += 1
    for line in event.get("stderr", []):
        print(line, file=sys.stderr)
    if "raw" in event:
        sys.stdout.write(event["raw"])
    if "rawStderr" in event:
        sys.stderr.write(event["rawStderr"])
    return {"printed": printed, "logged": logged}
