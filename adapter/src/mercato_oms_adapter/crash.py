"""Crash points for the tests: the process dies there when told to, as a power cut would.

``MERCATO_OMS_ADAPTER_CRASH_AT=<point>`` (or ``<point>#<n>``: the n-th time)
makes the adapter exit at once, with no cleanup and no commit, when it reaches
that point. The tests use it to kill the adapter between a call to the ticket
system or the marketplace and the record of that call.
"""

import os
from collections import Counter

ENVIRONMENT_KEY = "MERCATO_OMS_ADAPTER_CRASH_AT"
EXIT_STATUS = 86
_reached: Counter[str] = Counter()


def point(name: str) -> None:
    wanted = os.environ.get(ENVIRONMENT_KEY)
    if not wanted:
        return
    _reached[name] += 1
    target, _, nth = wanted.partition("#")
    if target == name and _reached[name] == int(nth or 1):
        os._exit(EXIT_STATUS)
