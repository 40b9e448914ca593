"""Who an API token belongs to, remembered for a few seconds; a revocation counts at once.

Every API request names its caller by token, and looking the token up was one of
the two to five queries a read takes. A web process therefore remembers token →
user for ``MERCATO_TOKEN_CACHE_SECONDS``. Changes to the user (name, admin flag)
show after at most that long; a revoked token is refused at once, in every
process: a commit that revokes tokens changes the *revocation stamp* (see
mercato.stamps), which every lookup compares with the one it was cached under.
"""

import threading
import time
from dataclasses import dataclass

from sqlalchemy import event
from sqlalchemy.orm import Session, make_transient_to_detached, sessionmaker

from mercato.accounts.models import User
from mercato.accounts.rules import TOKENS_REVOKED, token_digest, user_for_token
from mercato.settings import Settings
from mercato.stamps import TOKEN_REVOCATIONS, ChangeStamp


@dataclass(frozen=True)
class _Known:
    user: User  # detached: its column values, merged into each request's session
    stamp: bytes
    until: float


class TokenCache:
    """token digest → user, for ``seconds``, checked against the revocation stamp."""

    def __init__(self, settings: Settings) -> None:
        self.seconds = settings.token_cache_seconds
        self.stamp = ChangeStamp(settings, TOKEN_REVOCATIONS)
        self._known: dict[str, _Known] = {}
        self._lock = threading.Lock()

    def remembered(self, session: Session, plain: str) -> User | None:
        """The token's user in ``session`` if remembered and still valid, without a query.

        None means "ask `user`". With the stamp in a file this does no network I/O,
        so an async dependency may call it on the event loop (one threadpool trip
        fewer per API request); with the stamp in Redis it always answers None.
        """
        if not plain or self.seconds <= 0 or not self.stamp.is_local:
            return None
        return self._remembered(session, token_digest(plain), self.stamp.read())

    def _remembered(self, session: Session, digest: str, stamp: bytes) -> User | None:
        known = self._known.get(digest)
        if known is None or known.stamp != stamp or known.until <= time.monotonic():
            return None
        # load=False: the values are copied in as they were read, without a query.
        return session.merge(known.user, load=False)

    def user(self, session: Session, plain: str) -> User | None:
        """The token's user in ``session``, or None for an unknown or revoked token."""
        if not plain or self.seconds <= 0:
            return user_for_token(session, plain)
        digest, now = token_digest(plain), time.monotonic()
        stamp = self.stamp.read()
        known = self._remembered(session, digest, stamp)
        if known is not None:
            return known
        # The stamp is read before the lookup: a revocation committed meanwhile
        # changes it, so what is cached here is never trusted after that.
        user = user_for_token(session, plain)
        if user is None:
            self._known.pop(digest, None)
            return None
        detached = User(**{column.key: getattr(user, column.key) for column in User.__table__.c})
        make_transient_to_detached(detached)
        with self._lock:
            if len(self._known) > 10_000:  # bound the memory a flood of tokens can take
                self._known.clear()
            self._known[digest] = _Known(detached, stamp, now + self.seconds)
        return user

    def watch(self, factory: sessionmaker[Session]) -> None:
        """Change the stamp after each commit of ``factory``'s sessions that revoked tokens."""
        factory.configure(info={**factory.kw.get("info", {}), _CACHE: self})
        if not event.contains(factory, "after_commit", _announce):
            event.listen(factory, "after_commit", _announce)
            event.listen(factory, "after_soft_rollback", _forget)


# The session.info key under which a factory's sessions find the cache (listeners are
# module functions: see mercato.queue.hand_over_deliveries for why).
_CACHE = "mercato.token_cache"


def _announce(session: Session) -> None:
    cache = session.info.get(_CACHE)
    if session.info.pop(TOKENS_REVOKED, None) and cache is not None:
        cache.stamp.change()


def _forget(session: Session, previous: object) -> None:
    if not getattr(previous, "nested", False):
        session.info.pop(TOKENS_REVOKED, None)
