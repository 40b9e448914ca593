"""The marketplace and repository registry, and publishing offerings to marketplaces.

Admins register marketplaces (this store is registered on each right away, so a
marketplace that does not answer is not kept) and USDL repositories. For the
offering rules of the store: ``publish_to_marketplaces`` owes a published
offering's USDL address to each named marketplace; ``withdraw_from_marketplaces``
owes its withdrawal when the offering is deleted. Neither calls out: they write
``Publication`` rows in the caller's transaction, which the outbox sends after the
commit (``mercato.store.marketplaces.outbox``).
"""

import re
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from mercato.accounts.models import User
from mercato.db import utcnow
from mercato.errors import Conflict, Forbidden, Invalid, NotFound
from mercato.settings import Settings
from mercato.store.marketplaces import client
from mercato.store.marketplaces.client import MarketplaceAddress
from mercato.store.marketplaces.models import (
    Marketplace,
    Publication,
    PublicationStatus,
    Repository,
)
from mercato.store.models import StoreOffering
from mercato.store.naming import check_name

SUPPORTED_MARKETPLACE_VERSIONS = (2,)
# session.info key counting the publications written in this transaction; after the
# commit, the queue is told about them (``mercato.queue.hand_over_deliveries``).
NEW_PUBLICATIONS = "mercato.new_publications"
_COLLECTION = re.compile(r"^\S+$")


def check_admin(user: User) -> None:
    if not user.is_admin:
        raise Forbidden("Forbidden")


def check_web_address(value: object, field: str) -> str:
    parts = urlsplit(value) if isinstance(value, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
        raise Invalid.field(field, "must be an http or https address")
    # urljoin drops the last path segment of a host without a trailing slash.
    return value if value.endswith("/") else f"{value}/"


REPOSITORY_VERSIONS = (1, 2)


@dataclass(frozen=True)
class MarketplaceData:
    """A marketplace to register this store on, and the credentials to do it with."""

    name: str
    host: str
    api_version: int
    username: str
    password: str


@dataclass(frozen=True)
class RepositoryData:
    """A USDL repository to register; ``is_default`` makes it the default one."""

    name: str
    host: str
    api_version: int
    offering_collection: str
    resource_collection: str
    is_default: bool = False


def api_version_number(value: object) -> int:
    """1 or 2, from a number or a digit string (WStore's admin pages send a digit
    string; JSON clients send a number); 0, which no rule allows, for anything else."""
    return int(value) if isinstance(value, (int, str)) and str(value) in ("1", "2") else 0


def check_api_version(value: object, allowed: tuple[int, ...]) -> int:
    version = api_version_number(value)
    if version not in allowed:
        names = " or ".join(str(v) for v in allowed)
        raise Invalid.field("api_version", f"must be {names}")
    return version


def check_text(value: object, field: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise Invalid.field(field, "is missing")
    return value


def check_collection(value: object, field: str) -> str:
    text = check_text(value, field)
    if not _COLLECTION.match(text):
        raise Invalid.field(field, "may not contain spaces")
    return text


# --- marketplaces ---------------------------------------------------------------------


def list_marketplaces(session: Session) -> list[Marketplace]:
    """In the order they were registered, as WStore lists them."""
    return list(session.scalars(select(Marketplace).order_by(Marketplace.id)))


def address_of(marketplace: Marketplace) -> MarketplaceAddress:
    return MarketplaceAddress(marketplace.host, marketplace.username, marketplace.password)


def register_marketplace(
    session: Session,
    settings: Settings,
    user: User,
    data: MarketplaceData,
    store_name: str,
    store_url: str,
) -> Marketplace:
    """Register this store on a marketplace (§4.1); it is called at once."""
    check_admin(user)
    name = check_name(data.name)
    host = check_web_address(data.host, "host")
    version = check_api_version(data.api_version, SUPPORTED_MARKETPLACE_VERSIONS)
    username, password = check_text(data.username, "username"), check_text(data.password, "passwd")
    for column, value in ((Marketplace.name, name), (Marketplace.host, host)):
        if session.scalar(select(Marketplace.id).where(column == value)) is not None:
            raise Conflict.field(column.key, "is already registered")
    address = MarketplaceAddress(host, username, password)
    store_id = client.register_store(settings, address, store_name, store_url)
    marketplace = Marketplace(
        name=name,
        host=host,
        api_version=version,
        store_id=store_id,
        username=username,
        password=password,
    )
    session.add(marketplace)
    session.flush()
    return marketplace


def _marketplace(session: Session, name: str) -> Marketplace:
    marketplace = session.scalar(select(Marketplace).where(Marketplace.name == name))
    if marketplace is None:
        raise NotFound("Marketplace")
    return marketplace


def remove_marketplace(session: Session, settings: Settings, user: User, name: str) -> None:
    """Unregister this store from the marketplace, then forget it."""
    check_admin(user)
    marketplace = _marketplace(session, name)
    client.unregister_store(settings, address_of(marketplace), marketplace.store_id)
    session.delete(marketplace)
    session.flush()


# --- publishing -----------------------------------------------------------------------


def note_new_publications(session: Session, count: int) -> None:
    """Count publications written in this transaction, for the queue to hear of after commit."""
    if count:
        session.info[NEW_PUBLICATIONS] = session.info.get(NEW_PUBLICATIONS, 0) + count


def usdl_url(base_url: str, offering: StoreOffering) -> str:
    """Where this site serves the offering's Linked USDL (the store's ``.../usdl`` route)."""
    service = offering.service
    path = "/".join(
        quote(part, safe="") for part in (service.provider.slug, service.name, offering.version)
    )
    return f"{base_url.rstrip('/')}/api/offering/offerings/{path}/usdl"


def display_name(offering: StoreOffering) -> str:
    """WStore's ``"<org> <name> <version>"``."""
    service = offering.service
    return f"{service.provider.name} {service.name} {offering.version}"


def check_marketplaces(session: Session, names: object) -> list[Marketplace]:
    """The registered marketplaces named in a publish body, checked before anything changes."""
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise Invalid.field("marketplaces", "must be a list of marketplace names")
    found = {
        m.name: m for m in session.scalars(select(Marketplace).where(Marketplace.name.in_(names)))
    }
    unknown = [name for name in names if name not in found]
    if unknown:
        raise Invalid.field("marketplaces", f"not registered: {', '.join(unknown)}")
    return [found[name] for name in dict.fromkeys(names)]


def publish_to_marketplaces(
    session: Session, offering: StoreOffering, marketplaces: object
) -> list[Publication]:
    """Owe the offering's publication to each named marketplace: pending rows, sent by the
    outbox once the caller commits."""
    rows = [
        Publication(offer_id=offering.offer_id, marketplace=marketplace)
        for marketplace in check_marketplaces(session, marketplaces)
    ]
    session.add_all(rows)
    session.flush()
    note_new_publications(session, len(rows))
    return rows


def publications(session: Session, offering: StoreOffering) -> list[Publication]:
    """Where the offering goes or went (marketplaces and the repository), with the outcome."""
    return list(
        session.scalars(
            select(Publication)
            .where(Publication.offer_id == offering.offer_id)
            .order_by(Publication.id)
        )
    )


def withdraw_from_marketplaces(session: Session, offering: StoreOffering) -> None:
    """Owe a deleted offering's withdrawal to every marketplace it went to.

    A row whose publish is still on its way (leased by a worker) keeps its lease: the
    worker records the publish, sees it is no longer wanted and withdraws it next. What
    never reached the marketplace is settled without a call.
    """
    owed = [
        row
        for row in publications(session, offering)
        if row.marketplace_id is not None and row.is_wanted
    ]
    for row in owed:
        row.is_wanted = False
        row.status = PublicationStatus.PENDING
        row.attempts = 0
        row.next_attempt_at = utcnow()
        row.finished_at = None
    session.flush()
    note_new_publications(session, len(owed))


# --- repositories ---------------------------------------------------------------------


def list_repositories(session: Session) -> list[Repository]:
    """In the order they were registered, as WStore lists them."""
    return list(session.scalars(select(Repository).order_by(Repository.id)))


def register_repository(session: Session, user: User, data: RepositoryData) -> Repository:
    """Register a repository; the first one, or one marked ``is_default``, becomes the
    default."""
    check_admin(user)
    name = check_name(data.name)
    host = check_web_address(data.host, "host")
    version = check_api_version(data.api_version, REPOSITORY_VERSIONS)
    offering_collection = check_collection(data.offering_collection, "offering_collection")
    resource_collection = check_collection(data.resource_collection, "resource_collection")
    for column, value in ((Repository.name, name), (Repository.host, host)):
        if session.scalar(select(Repository.id).where(column == value)) is not None:
            raise Conflict.field(column.key, "is already registered")
    is_default = data.is_default or not list_repositories(session)
    if is_default:
        session.execute(update(Repository).values(is_default=False))
    repository = Repository(
        name=name,
        host=host,
        api_version=version,
        offering_collection=offering_collection,
        resource_collection=resource_collection,
        is_default=is_default,
    )
    session.add(repository)
    session.flush()
    return repository


def _repository(session: Session, name: str) -> Repository:
    repository = session.scalar(select(Repository).where(Repository.name == name))
    if repository is None:
        raise NotFound("Repository")
    return repository


def make_default_repository(session: Session, user: User, name: str) -> Repository:
    check_admin(user)
    repository = _repository(session, name)
    session.execute(
        update(Repository).where(Repository.id != repository.id).values(is_default=False)
    )
    repository.is_default = True
    session.flush()
    return repository


def remove_repository(session: Session, user: User, name: str) -> None:
    """Forget a repository; if it was the default, the first one registered of those left
    takes over."""
    check_admin(user)
    repository = _repository(session, name)
    session.delete(repository)
    session.flush()
    if repository.is_default:
        successor = session.scalar(select(Repository).order_by(Repository.id).limit(1))
        if successor is not None:
            successor.is_default = True
            session.flush()
