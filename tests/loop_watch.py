"""Serve an app under uvicorn, watching its event loop for blocking work.

    python -m tests.loop_watch PORT [APP_FACTORY]

Two watches run together:
- asyncio's debug mode reports every callback that held the loop longer than
  ``STALL_SECONDS`` (printed after ``SLOW_MARK``, for the record);
- a watchdog thread samples the loop thread's stack whenever the loop has not
  ticked for ``STALL_SECONDS``, and prints the stall after ``BLOCKED_MARK`` when
  the loop thread was inside blocking code (a database driver, SQLAlchemy, a
  synchronous HTTP client, templates, password hashing).

Only the second fails a test (tests/live.py): on two CPUs shared with dozens of
writer threads, a trivial callback can wait longer than 100 ms for the GIL, which
asyncio counts as slow although nothing blocked the loop.
"""

import asyncio
import logging
import sys
import threading
import time
import traceback

import uvicorn

BLOCKED_MARK = "EVENT LOOP BLOCKED:"
SLOW_MARK = "SLOW CALLBACK:"
STALL_SECONDS = 0.1
_TICK_SECONDS = 0.01
# Code that must never run on the event loop: database work, outgoing HTTP, page
# rendering, hashing, RDF parsing. (Not the garbage collector's weakref callbacks,
# such as SQLAlchemy's InstanceState._cleanup, which run on whichever thread allocates;
# nor the ORM's bookkeeping that the API does on the loop by design, making a request's
# session and merging a remembered user without a load: CPU only, which a loaded
# machine can stretch past the threshold. Database work shows as engine and driver frames.)
_BLOCKING = (
    "sqlalchemy/engine/",
    "psycopg/",
    "sqlite3/",
    "httpx/_client.py",
    "jinja2/environment.py",
    "argon2/",
    "rdflib/",
)


class _SlowCallbacks(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        # asyncio words it "Executing <Handle ...> took 0.123 seconds".
        message = record.getMessage()
        if message.startswith("Executing"):
            print(f"{SLOW_MARK} {message}", file=sys.stderr, flush=True)


class _Watchdog(threading.Thread):
    def __init__(self, loop_thread: int) -> None:
        super().__init__(daemon=True)
        self.loop_thread = loop_thread
        self.last_tick = time.monotonic()

    def tick(self) -> None:
        self.last_tick = time.monotonic()

    def run(self) -> None:
        reported = 0.0
        while True:
            time.sleep(_TICK_SECONDS)
            stalled = time.monotonic() - self.last_tick
            if stalled < STALL_SECONDS or self.last_tick == reported:
                continue
            frame = sys._current_frames().get(self.loop_thread)
            stack = traceback.format_stack(frame) if frame is not None else []
            blocking = [line for line in stack if any(name in line for name in _BLOCKING)]
            if blocking:
                reported = self.last_tick
                where = "".join(blocking + stack[-4:])
                print(f"{BLOCKED_MARK} {stalled * 1000:.0f} ms in\n{where}", file=sys.stderr)


async def _heartbeat(watchdog: _Watchdog, server: uvicorn.Server) -> None:
    # Start-up (imports, the app factory) runs on the loop before it serves: not watched.
    while not server.started:
        await asyncio.sleep(_TICK_SECONDS)
    watchdog.start()
    while True:
        watchdog.tick()
        await asyncio.sleep(_TICK_SECONDS)


async def _serve(port: int, app: str) -> None:
    loop = asyncio.get_running_loop()
    loop.set_debug(True)
    loop.slow_callback_duration = STALL_SECONDS
    logging.getLogger("asyncio").addHandler(_SlowCallbacks())
    config = uvicorn.Config(app, factory=True, host="127.0.0.1", port=port, loop="asyncio")
    server = uvicorn.Server(config)
    beating = asyncio.create_task(_heartbeat(_Watchdog(threading.get_ident()), server))
    await server.serve()
    beating.cancel()


if __name__ == "__main__":
    app = sys.argv[2] if len(sys.argv) > 2 else "mercato.app:create_app"
    asyncio.run(_serve(int(sys.argv[1]), app))
