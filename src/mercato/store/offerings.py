"""Offering rules: versioned offers with media, legal terms and bound assets.

States follow WStore (reference §3): created offerings are ``uploaded`` (the
catalogue's draft), editable and bindable; publishing freezes them (a change
needs a new, higher version); deleting an uploaded offering removes it,
deleting a published one marks it deleted and keeps it for those who acquired it.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, exists, select
from sqlalchemy.orm import Session, selectinload

from mercato.accounts.models import Provider, User
from mercato.accounts.rules import can_manage_provider, check_can_manage_provider
from mercato.catalogue import rules as catalogue
from mercato.catalogue.models import Offer, OfferStatus, OrderType, Service, ServiceStatus
from mercato.catalogue.rules import OfferData, offer_has_orders
from mercato.db import utcnow
from mercato.errors import Conflict, Invalid, NotFound
from mercato.store.access import has_ordered
from mercato.store.assets import Files
from mercato.store.marketplaces.rules import check_marketplaces, withdraw_from_marketplaces
from mercato.store.models import (
    OPEN_ORDER_TYPES,
    Asset,
    NotificationTarget,
    ProviderStoreSettings,
    Review,
    StoreOffering,
)
from mercato.store.naming import check_name, check_offering_version, compare_versions
from mercato.store.storage import delete_file_on_commit, new_key, save_file
from mercato.store.uploads import Upload, check_image

_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
MAX_SCREENSHOTS = 10


@dataclass(frozen=True)
class Description:
    """What describes an offering, however it was given (form, USDL document, USDL URL)."""

    description: str
    abstract: str = ""
    legal: dict[str, str] | None = None
    price_plans: list[dict[str, Any]] = field(default_factory=list)
    description_url: str = ""
    usdl_text: str = ""
    # Other keys of a WStore ``offering_description``, kept and shown as the client sent them.
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AssetRef:
    name: str
    version: str
    provider: str | None = None


@dataclass(frozen=True)
class Media:
    """Logo and screenshots; None leaves what is there."""

    image: Upload | None = None
    screenshots: list[Upload] | None = None


@dataclass(frozen=True)
class Notification:
    """Where the provider is told of acquisitions; only an offering's own target has a URL."""

    target: NotificationTarget = NotificationTarget.NONE
    url: str = ""


@dataclass(frozen=True)
class NewOffering:
    """A new offering as a provider gives it (WStore API, offering form): its service's name,
    whether it is open, and the assets it includes by name."""

    name: str
    version: str
    description: Description
    media: Media = field(default_factory=Media)
    notification_url: str | None = None
    is_open: bool = False
    assets: list[AssetRef] = field(default_factory=list)


@dataclass(frozen=True)
class OfferingData:
    """What ``add_offering`` keeps beside an offer: its store side, assets already found."""

    version: str
    description: Description
    owner: User | None
    media: Media = field(default_factory=Media)
    notification: Notification = field(default_factory=Notification)
    assets: list[Asset] = field(default_factory=list)
    published_at: datetime | None = None


# --- finding -------------------------------------------------------------------------


def offerings_query() -> Select[tuple[StoreOffering]]:
    return select(StoreOffering).options(
        selectinload(StoreOffering.service).selectinload(Service.provider),
        selectinload(StoreOffering.assets).selectinload(Asset.provider),
        selectinload(StoreOffering.owner),
        selectinload(StoreOffering.reviews),
    )


def find_offering(session: Session, provider: str, name: str, version: str) -> StoreOffering:
    # One offering's page and API list its reviews with their authors: load them here,
    # not one query per review.
    reviews = selectinload(StoreOffering.reviews)
    offering = session.scalars(
        offerings_query()
        .options(reviews.selectinload(Review.user), reviews.selectinload(Review.reply_user))
        .join(StoreOffering.service)
        .join(Service.provider)
        .where(
            (Provider.slug == provider) | (Provider.name == provider),
            Service.name == name,
            StoreOffering.version == version,
        )
    ).first()
    if offering is None:
        raise NotFound("Offering")
    return offering


def can_manage(session: Session, user: User, offering: StoreOffering) -> bool:
    return can_manage_provider(session, user, offering.service.provider_id)


def check_can_see(session: Session, user: User | None, offering: StoreOffering) -> None:
    """Published offerings are anyone's; uploaded ones their provider's; deleted ones also
    their acquirers'."""
    status = offering.offer.status
    if status == OfferStatus.PUBLISHED:
        return
    if user is not None and can_manage(session, user, offering):
        return
    if (
        user is not None
        and status == OfferStatus.DELETED
        and has_ordered(session, user, offering.offer_id)
    ):
        return
    raise NotFound("Offering")


def require_visible_offering(
    session: Session, user: User | None, provider: str, name: str, version: str
) -> StoreOffering:
    """The offering named, if ``user`` (None: anyone) may see it; not found otherwise."""
    offering = find_offering(session, provider, name, version)
    check_can_see(session, user, offering)
    return offering


def require_visible_described_offering(
    session: Session, user: User | None, description_url: str
) -> StoreOffering:
    """The offering whose USDL is at ``description_url`` (how WStore clients may name an
    offering: its OfferingInfo's ``description_url``), if ``user`` may see it; the newest
    such one they may see, since offerings may share a document."""
    if not description_url:
        raise NotFound("Offering")
    found = session.scalars(
        offerings_query()
        .where(StoreOffering.description_url == description_url)
        .order_by(StoreOffering.offer_id.desc())
    )
    for offering in found:
        try:
            check_can_see(session, user, offering)
        except NotFound:
            continue
        return offering
    raise NotFound("Offering")


def require_managed_offering(
    session: Session, user: User, provider: str, name: str, version: str
) -> StoreOffering:
    """The offering named (not found), if ``user`` acts for its provider (forbidden)."""
    offering = find_offering(session, provider, name, version)
    check_can_manage_provider(session, user, offering.service.provider_id)
    return offering


# --- checks --------------------------------------------------------------------------


def check_description(description: Description) -> Description:
    if not description.description.strip():
        raise Invalid.field("description", "is missing")
    legal = description.legal
    if legal is not None and not (
        isinstance(legal.get("title"), str)
        and legal["title"].strip()
        and isinstance(legal.get("text"), str)
        and legal["text"].strip()
    ):
        raise Invalid.field("legal", "needs a non-empty title and text")
    return description


def is_http_url(value: object) -> bool:
    return isinstance(value, str) and bool(_URL.match(value)) and len(value) <= 2048


def notification_for(url: str | None) -> Notification:
    """The one field the API and the offering form give: a URL, "default" or nothing."""
    if url is None or url == "":
        return Notification()
    if url == "default":
        return Notification(NotificationTarget.PROVIDER_DEFAULT)
    if not is_http_url(url):
        raise Invalid.field("notification_url", 'must be an http(s) URL or "default"')
    return Notification(NotificationTarget.OWN, url)


def check_notification(session: Session, provider: Provider, notification: Notification) -> None:
    if notification.target == NotificationTarget.OWN:
        if not is_http_url(notification.url):
            raise Invalid.field("notification_url", "must be an http(s) URL")
        return
    if notification.url:
        raise Invalid.field("notification_url", "is only kept for notification 'own'")
    if notification.target == NotificationTarget.PROVIDER_DEFAULT:
        settings = session.get(ProviderStoreSettings, provider.id)
        if settings is None or not settings.notification_url:
            raise Invalid.field("notification_url", "the provider has no default URL")


def check_media(files: Files, media: Media) -> None:
    if media.image is not None:
        check_image(files.settings, media.image, "image")
    if media.screenshots is not None:
        if len(media.screenshots) > MAX_SCREENSHOTS:
            raise Invalid.field("related_images", f"at most {MAX_SCREENSHOTS} images")
        for number, upload in enumerate(media.screenshots):
            check_image(files.settings, upload, f"related_images.{number}")


def check_version_order(session: Session, service: Service | None, version: str) -> None:
    if service is None:
        return
    versions = session.scalars(
        select(StoreOffering.version).where(StoreOffering.service_id == service.id)
    ).all()
    if version in versions:
        raise Conflict.field("version", f"the offering already has version {version}")
    if any(compare_versions(other, version) > 0 for other in versions):
        raise Invalid.field("version", "A bigger version of the current offering exists")


def check_fits(asset: Asset, is_open: bool) -> None:
    if is_open and not asset.is_open:
        raise Invalid.field(
            "resources", f"an open offering takes only open resources: '{asset.name}'"
        )


def resolve_assets(
    session: Session, provider: Provider, refs: list[AssetRef], is_open: bool
) -> list[Asset]:
    """The provider's current, live assets named by ``refs``."""
    assets: dict[int, Asset] = {}
    for ref in refs:
        if ref.provider not in (None, provider.slug, provider.name):
            raise Invalid.field("resources", f"'{ref.name}' is not a resource of {provider.slug}")
        asset = session.scalar(
            select(Asset).where(
                Asset.provider_id == provider.id,
                Asset.name == ref.name,
                Asset.version == ref.version,
            )
        )
        if asset is None or asset.is_deleted:
            raise Invalid.field("resources", f"no resource '{ref.name}' version {ref.version}")
        check_fits(asset, is_open)
        assets[asset.id] = asset
    return list(assets.values())


# --- writing -------------------------------------------------------------------------


def offering_service(session: Session, provider: Provider, name: str) -> Service | None:
    return session.scalars(
        select(Service)
        .where(Service.provider_id == provider.id, Service.name == name)
        .order_by(Service.id)
    ).first()


def _save_media(session: Session, files: Files, offering: StoreOffering, media: Media) -> None:
    folder = f"offerings/{offering.offer_id}"
    if media.image is not None:
        if offering.image_key:
            delete_file_on_commit(session, files.storage, offering.image_key)
        offering.image_key = new_key(folder, media.image.name)
        save_file(session, files.storage, offering.image_key, media.image.data)
    if media.screenshots is not None:
        for key in offering.screenshot_keys:
            delete_file_on_commit(session, files.storage, key)
        keys = [new_key(folder, upload.name) for upload in media.screenshots]
        offering.screenshot_keys = keys
        for key, upload in zip(keys, media.screenshots, strict=True):
            save_file(session, files.storage, key, upload.data)


def _apply_description(offering: StoreOffering, description: Description) -> None:
    offering.offer.description = description.description
    offering.abstract = description.abstract
    offering.legal = description.legal
    offering.price_plans = description.price_plans
    offering.description_url = description.description_url
    offering.usdl_text = description.usdl_text
    offering.description_extra = description.extra


def check_offering(
    session: Session,
    files: Files,
    provider: Provider,
    service: Service | None,
    is_open: bool,
    data: OfferingData,
) -> None:
    """What every new offering must be, before anything is kept."""
    check_offering_version(data.version)
    check_version_order(session, service, data.version)
    check_description(data.description)
    check_notification(session, provider, data.notification)
    check_media(files, data.media)
    for asset in data.assets:
        check_fits(asset, is_open)


def create_offering(
    session: Session, files: Files, owner: User, provider: Provider, new: NewOffering
) -> StoreOffering:
    """A provider's new offering, with the draft service and offer it needs."""
    check_can_manage_provider(session, owner, provider.id)
    name = check_name(new.name)
    service = offering_service(session, provider, name)
    data = OfferingData(
        version=new.version,
        description=new.description,
        owner=owner,
        media=new.media,
        notification=notification_for(new.notification_url),
        assets=resolve_assets(session, provider, new.assets, new.is_open),
    )
    check_offering(session, files, provider, service, new.is_open, data)
    if service is None:
        service = catalogue.create_service(
            session,
            provider=provider,
            name=name,
            description=new.description.description,
            order_type=OrderType.ORDER_REQUIRED,
            status=ServiceStatus.DRAFT,
        )
    order_type = OrderType.OPEN_ACCESS if new.is_open else OrderType.ORDER_REQUIRED
    offer = catalogue.create_offer(
        session,
        service,
        # Orders of store offerings are handled in Mercato: an order is an acquisition.
        OfferData(
            name=name,
            description=new.description.description,
            order_type=order_type,
            internal=not new.is_open,
        ),
        OfferStatus.DRAFT,
    )
    offering = _keep_offering(session, files, offer, data)
    offering.description_extra = with_base_id(offering.description_extra, offer)
    return offering


def with_base_id(extra: dict[str, Any], offer: Offer) -> dict[str, Any]:
    """WStore's description names the offering's id (``base_id``) from its creation until
    a new description replaces it."""
    return {**extra, "base_id": str(offer.id)}


def add_offering(session: Session, files: Files, offer: Offer, data: OfferingData) -> StoreOffering:
    """The store side of an offer the catalogue already has (data sets load offers first)."""
    service = offer.service
    is_open = offer.order_type in OPEN_ORDER_TYPES
    check_offering(session, files, service.provider, service, is_open, data)
    return _keep_offering(session, files, offer, data)


def _keep_offering(
    session: Session, files: Files, offer: Offer, data: OfferingData
) -> StoreOffering:
    """Keep a checked offering with its description, then its media."""
    offering = StoreOffering(
        offer=offer,
        service=offer.service,
        version=data.version,
        owner=data.owner,
        notification=data.notification.target,
        notification_url=data.notification.url,
        published_at=data.published_at,
    )
    if offer.status == OfferStatus.PUBLISHED:
        check_publishable(offering.is_open, data.assets)
        offering.published_at = data.published_at or utcnow()
    session.add(offering)
    _apply_description(offering, data.description)
    session.flush()
    _bind_in_order(session, offering, data.assets)
    _save_media(session, files, offering, data.media)
    return offering


def check_editable(offering: StoreOffering) -> None:
    if offering.offer.status != OfferStatus.DRAFT:
        raise Invalid.field(
            "state", "a published offering cannot be changed; create a higher version"
        )


def update_offering(
    session: Session,
    files: Files,
    offering: StoreOffering,
    *,
    description: Description | None,
    media: Media,
) -> StoreOffering:
    check_editable(offering)
    if description is not None:
        check_description(description)
        source = offering.description_url
        if description.description_url and source and description.description_url != source:
            raise Invalid.field("description_url", f"must be the one given at creation, {source}")
    check_media(files, media)
    if description is not None:
        _apply_description(offering, description)
    session.flush()
    _save_media(session, files, offering, media)
    return offering


def bind_assets(session: Session, offering: StoreOffering, refs: list[AssetRef]) -> StoreOffering:
    """Make ``refs`` the offering's whole set of assets."""
    check_editable(offering)
    wanted = resolve_assets(session, offering.service.provider, refs, offering.is_open)
    # Bindings that stay keep their place; new ones follow in the order given, as in WStore.
    kept = [asset for asset in offering.assets if asset in wanted]
    offering.assets = kept
    session.flush()
    _bind_in_order(session, offering, [asset for asset in wanted if asset not in kept])
    return offering


def _bind_in_order(session: Session, offering: StoreOffering, assets: list[Asset]) -> None:
    """Bind ``assets`` one flush each: a binding's id is its place, and one flush writes
    its association rows in no set order."""
    for asset in assets:
        offering.assets.append(asset)
        session.flush()


def check_publishable(is_open: bool, assets: list[Asset]) -> None:
    if is_open and not assets:
        raise Invalid.field("resources", "an open offering needs at least one resource")


def publish_offering(
    session: Session, offering: StoreOffering, marketplaces: list[str]
) -> StoreOffering:
    if offering.offer.status != OfferStatus.DRAFT:
        raise Invalid.field("state", f"the offering is already {offering.state.value}")
    check_publishable(offering.is_open, offering.assets)
    check_marketplaces(session, marketplaces)
    offering.offer.status = OfferStatus.PUBLISHED
    offering.published_at = utcnow()
    if offering.service.status == ServiceStatus.DRAFT:
        offering.service.status = ServiceStatus.PUBLISHED
    session.flush()
    return offering


def delete_offering(session: Session, files: Files, offering: StoreOffering) -> None:
    status = offering.offer.status
    if status == OfferStatus.DELETED:
        raise Invalid.field("state", "the offering is already deleted")
    if status == OfferStatus.PUBLISHED or offer_has_orders(session, offering.offer):
        withdraw_from_marketplaces(session, offering)
        offering.offer.status = OfferStatus.DELETED
        session.flush()
        return
    for key in [offering.image_key, *offering.screenshot_keys]:
        if key:
            delete_file_on_commit(session, files.storage, key)
    service, offer = offering.service, offering.offer
    session.delete(offering)
    session.delete(offer)
    session.flush()
    has_offers = session.scalar(select(exists().where(Offer.service_id == service.id)))
    if not has_offers and service.status == ServiceStatus.DRAFT:
        session.delete(service)
        session.flush()


def set_provider_notification_url(session: Session, provider: Provider, url: str) -> None:
    if url and not is_http_url(url):
        raise Invalid.field("notification_url", "must be an http(s) URL")
    settings = session.get(ProviderStoreSettings, provider.id)
    if settings is None:
        settings = ProviderStoreSettings(provider_id=provider.id)
        session.add(settings)
    settings.notification_url = url
    session.flush()
