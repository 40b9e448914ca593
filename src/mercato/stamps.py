"""Change stamps: values that change whenever something was changed, in every process.

A process that remembers what it read (token → user, pages shown to visitors) keeps
it only while the stamp it was read under is still the current one. The stamp is a
key in Redis when the queue is on Redis (the setup of several machines), else a
small file in the data folder (one machine: every process shares the folder, as
they share the queue's file).
"""

import os
import secrets
from pathlib import Path

from redis import Redis
from redis.asyncio import Redis as AsyncRedis

from mercato.settings import Settings

REDIS_SCHEMES = ("redis://", "rediss://", "unix://")

# What the stamps are of. The catalogue: every table but the busy ordering ones and a
# few private ones (mercato.kept_answers says which); ordering: orders, projects,
# events and messages; token revocations (mercato.accounts.token_cache).
CATALOGUE_CHANGES = "catalogue-changes"
ORDERING_CHANGES = "ordering-changes"
TOKEN_REVOCATIONS = "token-revocations"


class ChangeStamp:
    """A value that changes whenever ``name`` changes, wherever it is read."""

    def __init__(self, settings: Settings, name: str) -> None:
        self._url = ""
        self._file: Path | None = None
        if settings.queue_url.startswith(REDIS_SCHEMES):
            self._url = settings.queue_url
            self._key = f"{settings.queue_name}:{name}"
            self._redis = Redis.from_url(self._url, socket_timeout=5)
            self._async_redis: AsyncRedis | None = None
        else:
            self._file = settings.data_dir / name

    @property
    def is_local(self) -> bool:
        """Whether reading the stamp is a local file read, quick enough for the event loop."""
        return self._file is not None

    def read(self) -> bytes:
        if self._file is None:
            return self._redis.get(self._key) or b""
        # os.open/os.read: a third of the cost of Path.read_bytes, on every request.
        try:
            descriptor = os.open(self._file, os.O_RDONLY)
        except FileNotFoundError:
            return b""
        try:
            return os.read(descriptor, 64)
        finally:
            os.close(descriptor)

    async def read_on_loop(self) -> bytes:
        """The stamp, read without blocking the event loop."""
        if self._file is not None:
            return self.read()
        if self._async_redis is None:
            # Made on first use: an asyncio client belongs to the loop that uses it.
            self._async_redis = AsyncRedis.from_url(self._url, socket_timeout=5)
        return await self._async_redis.get(self._key) or b""

    def change(self) -> None:
        if self._file is None:
            self._redis.incr(self._key)
            return
        self._file.parent.mkdir(parents=True, exist_ok=True)
        fresh = self._file.with_name(f"{self._file.name}.{secrets.token_hex(8)}")
        fresh.write_bytes(secrets.token_bytes(16))
        fresh.replace(self._file)  # atomic: a reader sees the old stamp or the new one
