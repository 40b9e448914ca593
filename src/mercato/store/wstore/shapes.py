"""The WStore JSON shapes of resources, offerings and reviews (store-wire.md §0.7, §1)."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.orm import Session

from mercato.accounts.models import Provider, User
from mercato.accounts.rules import administered_provider_ids
from mercato.store.access import ordered_offer_ids
from mercato.store.models import Asset, Review, StoreOffering


@dataclass(frozen=True)
class Viewer:
    """Who looks, read once per request: what they manage, ordered and reviewed."""

    user: User | None
    managed: set[int] = field(default_factory=set)
    ordered: set[int] = field(default_factory=set)
    reviewed: set[int] = field(default_factory=set)

    @classmethod
    def of(cls, session: Session, user: User | None) -> "Viewer":
        if user is None:
            return cls(None)
        reviewed = session.scalars(select(Review.offer_id).where(Review.user_id == user.id))
        return cls(
            user,
            managed=administered_provider_ids(session, user),
            ordered=ordered_offer_ids(session, user),
            reviewed=set(reviewed),
        )

    def manages(self, provider_id: int) -> bool:
        return self.user is not None and (self.user.is_admin or provider_id in self.managed)


def date_text(value: datetime | None) -> str:
    """Python 2's ``str(datetime)``: no zone, a fraction only when there is one; ``"None"``.

    WStore shows server-local naive times; Mercato's are UTC, shown naive.
    """
    return "None" if value is None else str(value.replace(tzinfo=None))


def user_handle(user: User | None) -> str:
    """The username WStore shows for a user: the local part of the e-mail address."""
    return user.email.partition("@")[0] if user is not None else ""


def organization_name(provider: Provider) -> str:
    """An organization as WStore names it: its display name, which paths accept too."""
    return provider.name


def media_url(base_url: str, key: str | None) -> str:
    return f"{base_url}/media/{quote(key)}" if key else ""


def offering_folder(offering: StoreOffering) -> str:
    """WStore's media folder of an offering: ``<Org>__<Name>__<Version>``."""
    return "__".join(
        (organization_name(offering.service.provider), offering.service.name, offering.version)
    )


def offering_media_path(offering: StoreOffering, key: str | None) -> str:
    """A logo or screenshot as WStore links it: relative, the file name as uploaded."""
    if not key:
        return ""
    return f"/media/{offering_folder(offering)}/{key.rsplit('/', 1)[-1]}"


def resource_path(asset: Asset) -> str:
    """An uploaded resource file as WStore links it: relative and unencoded."""
    parts = (organization_name(asset.provider), asset.name, asset.version, asset.file_name or "")
    return "/media/resources/" + "__".join(parts)


def asset_json(asset: Asset, base_url: str) -> dict[str, Any]:
    """ResourceInfo (store-wire.md §1.4); a file's link is absolute here."""
    link = asset.link if asset.link is not None else f"{base_url}{resource_path(asset)}"
    return {
        "name": asset.name,
        "version": asset.version,
        "description": asset.description,
        "content_type": asset.content_type,
        "state": asset.state.value,
        "open": asset.is_open,
        "link": link,
        "resource_type": asset.kind.value,
        "metadata": asset.meta,
    }


def _bound_asset_json(asset: Asset, with_link: bool) -> dict[str, Any]:
    shown = {
        "name": asset.name,
        "version": asset.version,
        "description": asset.description,
        "content_type": asset.content_type,
        "open": asset.is_open,
        "resource_type": asset.kind.value,
        "metadata": asset.meta,
    }
    if with_link:
        shown["link"] = asset.link if asset.link is not None else resource_path(asset)
    return shown


def description_json(offering: StoreOffering) -> dict[str, Any]:
    """``offering_description`` (store-wire.md §1.2): what Mercato keeps, with the other keys
    the client sent (``base_id`` until a new description replaces the first)."""
    shown: dict[str, Any] = {
        **offering.description_extra,
        "abstract": offering.abstract,
        "description": offering.offer.description,
        "pricing": {"price_plans": offering.price_plans},
        "modified": date_text(offering.offer.updated_at),
    }
    if offering.legal is not None:
        shown["legal"] = offering.legal
    return shown


def _viewer_state(offering: StoreOffering, viewer: Viewer) -> str:
    if offering.offer_id in viewer.reviewed:
        return "rated"
    if offering.offer_id in viewer.ordered:
        return "purchased"
    return offering.state.value


def offering_json(offering: StoreOffering, viewer: Viewer, base_url: str) -> dict[str, Any]:
    """OfferingInfo (store-wire.md §1.1), as WStore's IdM mode shows it to ``viewer``.

    Resource links only for an open offering or a viewer who acquired it,
    not even for its provider, as WStore does.
    """
    state = _viewer_state(offering, viewer)
    has_acquired = state in ("purchased", "rated")
    with_links = offering.is_open or has_acquired
    shown = {
        "name": offering.service.name,
        "owner_organization": organization_name(offering.service.provider),
        "owner_admin_user_id": user_handle(offering.owner),
        "version": offering.version,
        "state": state,
        "description_url": offering.description_url,
        "rating": f"{offering.rating:.2f}",
        "comments": [str(review.id) for review in offering.reviews],
        "tags": offering.offer.tags,
        "image_url": offering_media_path(offering, offering.image_key),
        "related_images": [offering_media_path(offering, k) for k in offering.screenshot_keys],
        "creation_date": date_text(offering.offer.created_at),
        "publication_date": date_text(offering.published_at),
        "open": offering.is_open,
        "offering_description": description_json(offering),
        "resources": [_bound_asset_json(asset, with_links) for asset in offering.assets],
        # Mercato keeps no IdM applications.
        "applications": [],
    }
    if has_acquired and not offering.is_open:
        # WStore lists the buyer's invoices here; Mercato issues none.
        shown["bill"] = []
    return shown


def review_json(review: Review, offering: StoreOffering) -> dict[str, Any]:
    """A review (store-wire.md §1.5); a reviewer acts for their own private organization."""
    shown: dict[str, Any] = {
        "id": str(review.id),
        "user": user_handle(review.user),
        "organization": user_handle(review.user),
        "timestamp": date_text(review.created_at),
        "title": review.title,
        "comment": review.comment,
        "rating": review.rating,
    }
    if review.replied_at is not None:
        shown["response"] = {
            "user": user_handle(review.reply_user),
            "organization": organization_name(offering.service.provider),
            "timestamp": date_text(review.replied_at),
            "title": review.reply_title,
            "response": review.reply_text,
        }
    return shown
