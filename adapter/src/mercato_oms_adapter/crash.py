"""Crash points for the tests: the process dies there when told to, as a power cut would.

``MERCATO_OMS_ADAPTER_CRASH_AT=<point>`` makes the adapter exit at once (no
cleanup, no commit) the first time it reaches that point. The tests use it to
kill the adapter between a ticket-side call and the record of it.
"""

import os

ENVIRONMENT_KEY = "MERCATO_OMS_ADAPTER_CRASH_AT"
EXIT_STATUS = 86


def point(name: str) -> None:
    if os.environ.get(ENVIRONMENT_KEY) == name:
        os._exit(EXIT_STATUS)
