"""The receiving side of the marketplace contract: other stores publish here.

A site admin registers a remote store (``POST /api/v2/store``), which gives its
address; the store then publishes descriptions, each the URL of an offering's
Linked USDL. The document is fetched (only from the store's own address, so a
store cannot make this site call anywhere else, and only where
``mercato.outgoing`` allows), parsed and kept, and the
offering is listed in this catalogue with a link back to the remote store.
"""

from dataclasses import dataclass
from typing import Any

from slugify import slugify
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from mercato.accounts.models import User
from mercato.errors import Conflict, Forbidden, Invalid, NotFound
from mercato.settings import Settings
from mercato.store.marketplaces.models import RemoteOffering, RemoteStore
from mercato.store.marketplaces.rules import check_admin, check_text, check_web_address
from mercato.store.usdl import fetch_usdl


@dataclass(frozen=True)
class StoreData:
    """A remote store registering here: its name for people, its address, a note."""

    display_name: str
    url: str
    comment: str = ""


@dataclass(frozen=True)
class DescriptionData:
    """An offering a remote store publishes here: its name and its Linked USDL's URL."""

    display_name: str
    url: str


def _slug(display_name: str) -> str:
    name = slugify(display_name)
    if not name:
        raise Invalid.field("displayName", "must contain letters or digits")
    return name


def register_store(session: Session, user: User, data: StoreData) -> RemoteStore:
    """Register a store; its name is the slug of its display name."""
    check_admin(user)
    display_name = check_text(data.display_name, "displayName").strip()
    url = check_web_address(check_text(data.url, "url").strip(), "url")
    name = _slug(display_name)
    if session.scalar(select(RemoteStore.id).where(RemoteStore.name == name)) is not None:
        raise Conflict.field("displayName", "is already registered")
    store = RemoteStore(
        name=name,
        display_name=display_name,
        url=url,
        comment=data.comment,
        registered_by_id=user.id,
    )
    session.add(store)
    session.flush()
    return store


def list_stores(session: Session, *, with_offerings: bool = False) -> list[RemoteStore]:
    """The stores registered here by name; ``with_offerings`` loads what each published,
    in one query for all of them."""
    query = select(RemoteStore).order_by(RemoteStore.name)
    if with_offerings:
        query = query.options(selectinload(RemoteStore.offerings))
    return list(session.scalars(query))


def find_store(session: Session, name: str) -> RemoteStore:
    store = session.scalar(select(RemoteStore).where(RemoteStore.name == name))
    if store is None:
        raise NotFound("Store")
    return store


def check_can_manage(user: User, store: RemoteStore) -> None:
    """Site admins and whoever registered the store may act for it."""
    if not (user.is_admin or user.id == store.registered_by_id):
        raise Forbidden("Forbidden")


def require_managed_store(session: Session, user: User, name: str) -> RemoteStore:
    """The store named (not found), if ``user`` may act for it (forbidden)."""
    store = find_store(session, name)
    check_can_manage(user, store)
    return store


def remove_store(session: Session, user: User, name: str) -> None:
    """Forget a remote store and every offering it published here."""
    store = require_managed_store(session, user, name)
    session.delete(store)
    session.flush()


def receive_description(
    session: Session, settings: Settings, user: User, store: RemoteStore, data: DescriptionData
) -> RemoteOffering:
    """Read the USDL at ``url`` (on the store's address) and list the offering here."""
    check_can_manage(user, store)
    display_name = check_text(data.display_name, "displayName").strip()
    url = check_text(data.url, "url").strip()
    if not url.startswith(store.url):
        raise Invalid.field("url", f"must be on the store's address {store.url}")
    name = _slug(display_name)
    taken = select(RemoteOffering.id).where(
        RemoteOffering.store_id == store.id, RemoteOffering.name == name
    )
    if session.scalar(taken) is not None:
        raise Conflict.field("displayName", "is already published by this store")
    description = fetch_usdl(url, settings)
    offering = RemoteOffering(
        store=store,
        name=name,
        display_name=display_name,
        url=url,
        description=description.model_dump(mode="json"),
    )
    session.add(offering)
    session.flush()
    return offering


def list_descriptions(session: Session, store_name: str) -> list[RemoteOffering]:
    store = find_store(session, store_name)
    return sorted(store.offerings, key=lambda offering: offering.name)


def remove_description(session: Session, user: User, store_name: str, name: str) -> None:
    store = require_managed_store(session, user, store_name)
    offering = next((o for o in store.offerings if o.name == name), None)
    if offering is None:
        raise NotFound("Description")
    session.delete(offering)
    session.flush()


def list_remote_offerings(session: Session) -> list[RemoteOffering]:
    """Every offering other stores published here, newest first."""
    return list(
        session.scalars(
            select(RemoteOffering)
            .options(selectinload(RemoteOffering.store))
            .order_by(RemoteOffering.received_at.desc(), RemoteOffering.id.desc())
        )
    )


def link_back(offering: RemoteOffering) -> str:
    """Where the offering lives on its store: its web page (``foaf:page``), else the USDL's
    subject, else the USDL itself."""
    description: dict[str, Any] = offering.description
    return description.get("page") or description.get("uri") or offering.url


def _words(offering: RemoteOffering) -> str:
    description: dict[str, Any] = offering.description
    parts = [
        description.get("name"),
        description.get("description"),
        description.get("abstract"),
        description.get("provider"),
        offering.store.display_name,
        *description.get("tags", []),
    ]
    return " ".join(part for part in parts if part).casefold()


def find_remote_offerings(
    session: Session, keywords: str = "", limit: int | None = None
) -> list[RemoteOffering]:
    """Received offerings, newest first, having every keyword (in any case) in their name,
    description, abstract, provider, tags or store's name. They are filtered here rather
    than in SQL: they are few, and their text is a JSON document on two databases."""
    wanted = keywords.casefold().split()
    found = [
        offering
        for offering in list_remote_offerings(session)
        if all(word in _words(offering) for word in wanted)
    ]
    return found[:limit] if limit is not None else found
