"""The WStore JSON shapes of assets, offerings and reviews (reference §4.2, §4.3, §12)."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.orm import Session

from mercato.accounts.models import Provider, User
from mercato.accounts.rules import administered_provider_ids
from mercato.store.access import ordered_offer_ids
from mercato.store.models import Asset, NotificationTarget, Review, StoreOffering


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


def asset_link(base_url: str, asset: Asset) -> str:
    if asset.link is not None:
        return asset.link
    parts = (asset.provider.slug, asset.name, asset.version, asset.file_name or "")
    return f"{base_url}/media/resources/" + "/".join(quote(part) for part in parts)


def asset_json(asset: Asset, base_url: str) -> dict[str, Any]:
    """ResourceInfo, plus the provider that owns it and the file's size."""
    return {
        "provider": asset.provider.slug,
        "name": asset.name,
        "version": asset.version,
        "description": asset.description,
        "content_type": asset.content_type,
        "state": asset.state.value,
        "open": asset.is_open,
        "link": asset_link(base_url, asset),
        "resource_type": asset.kind.value,
        "metadata": asset.meta,
        "size": asset.size,
    }


def _bound_asset_json(asset: Asset, base_url: str, with_link: bool) -> dict[str, Any]:
    shown = {
        "provider": asset.provider.slug,
        "name": asset.name,
        "version": asset.version,
        "description": asset.description,
        "content_type": asset.content_type,
        "open": asset.is_open,
        "resource_type": asset.kind.value,
        "metadata": asset.meta,
    }
    if with_link:
        shown["link"] = asset_link(base_url, asset)
    return shown


def description_json(offering: StoreOffering) -> dict[str, Any]:
    shown: dict[str, Any] = {
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
    """OfferingInfo; resource links only for its provider, acquirers, or when open."""
    provider = offering.service.provider
    with_links = (
        offering.is_open
        or viewer.manages(provider.id)
        or offering.offer_id in viewer.ordered
        or offering.offer_id in viewer.reviewed
    )
    shown = {
        "name": offering.service.name,
        "owner_organization": provider.slug,
        "owner_admin_user": offering.owner.email if offering.owner else None,
        "version": offering.version,
        "state": _viewer_state(offering, viewer),
        "description_url": offering.description_url,
        "marketplaces": [],
        "rating": f"{offering.rating:.2f}",
        "comments": [str(review.id) for review in offering.reviews],
        "tags": offering.offer.tags,
        "image_url": media_url(base_url, offering.image_key),
        "related_images": [media_url(base_url, key) for key in offering.screenshot_keys],
        "creation_date": date_text(offering.offer.created_at),
        "publication_date": date_text(offering.published_at),
        "open": offering.is_open,
        "offering_description": description_json(offering),
        "resources": [_bound_asset_json(a, base_url, with_links) for a in offering.assets],
    }
    if viewer.manages(provider.id):
        # Where the provider is told of purchases: theirs alone to see.
        shown["notification_url"] = notification_json(offering)
    return shown


def notification_json(offering: StoreOffering) -> str | None:
    if offering.notification == NotificationTarget.NONE:
        return None
    if offering.notification == NotificationTarget.PROVIDER_DEFAULT:
        return "default"
    return offering.notification_url


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
