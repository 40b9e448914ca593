"""Store assets and offerings in a data set, checked by the store's own rules.

Files (asset contents, offering logos and screenshots) travel beside the data set
file: records name them by their path relative to its folder, and a dump copies
them under ``files/`` there. The store rules name the API's fields (``content``,
``related_images``, ``resources``); errors of a load name the record's.
"""

import re
import shutil
from collections.abc import Iterator
from contextlib import AbstractContextManager
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from mercato.accounts.models import Provider, User
from mercato.catalogue.models import Offer, OfferStatus
from mercato.datasets.context import DUMP_BATCH, Loading, renamed, within
from mercato.datasets.names import asset_ref, offer_ref
from mercato.datasets.schema import (
    AssetRecord,
    Legal,
    OfferingRecord,
    Reply,
    ReviewRecord,
)
from mercato.db import utcnow
from mercato.errors import Conflict, Invalid
from mercato.store.assets import AssetContent, Files, register_asset
from mercato.store.descriptions import search_text
from mercato.store.models import (
    OPEN_ORDER_TYPES,
    Asset,
    AssetKind,
    Review,
    StoreOffering,
)
from mercato.store.naming import check_file_name, check_name
from mercato.store.offerings import (
    Description,
    Media,
    Notification,
    OfferingData,
    add_offering,
    check_fits,
    is_http_url,
    offering_service,
    offerings_query,
    with_base_id,
)
from mercato.store.reviews import (
    ReplyText,
    ReviewText,
    check_reply,
    check_review,
    rating_after_create,
)
from mercato.store.uploads import Upload
from mercato.store.usdl import PricePlan, check_price_plan

# Where a dump puts stored files, below the dump file's folder.
FILES = PurePosixPath("files")
_NUMBERED = re.compile(r"^related_images\.(\d+)$")


# --- errors on the record's fields ---------------------------------------------------


def _on(field: str) -> AbstractContextManager[None]:
    return renamed(lambda _: field)


def _asset_field(name: str) -> str:
    return "file" if name == "content" else name


def _offering_field(name: str) -> str:
    numbered = _NUMBERED.match(name)
    if numbered:
        return f"screenshots[{numbered.group(1)}]"
    return {"related_images": "screenshots", "resources": "assets"}.get(name, name)


def _read(loading: Loading, path: str, field: str) -> Upload:
    """A file beside the data set, as if uploaded: only inside the data set's folder."""
    if Path(path).is_absolute():
        raise Invalid.field(field, "must be a path relative to the data set's folder")
    root = loading.folder.resolve()
    full = (root / path).resolve()
    if not full.is_relative_to(root):
        raise Invalid.field(field, "must not leave the data set's folder")
    if not full.is_file():
        raise Invalid.field(field, f"names no file beside the data set: {path}")
    return Upload(check_file_name(PurePosixPath(path).name, field), full.read_bytes())


# --- assets --------------------------------------------------------------------------


def _default_kind(has_file: bool) -> AssetKind:
    return AssetKind.DOWNLOADABLE if has_file else AssetKind.API


def load_assets(loading: Loading, records: list[AssetRecord]) -> None:
    loading.each("assets", records, lambda record: _load_asset(loading, record))


def _load_asset(loading: Loading, record: AssetRecord) -> Asset:
    provider = loading.find("providers", record.provider, "provider")
    upload = _read(loading, record.file, "file") if record.file is not None else None
    with renamed(_asset_field):
        asset = register_asset(
            loading.session,
            loading.files,
            provider,
            name=record.name,
            version=record.version,
            description=record.description,
            content_type=record.content_type,
            kind=record.kind or _default_kind(record.file is not None),
            is_open=record.is_open,
            meta=record.meta,
            content=AssetContent(upload=upload, link=record.link),
        )
    asset.is_deleted = record.is_deleted
    return asset


# --- offerings -----------------------------------------------------------------------


def load_offerings(loading: Loading, records: list[OfferingRecord]) -> None:
    loading.each("offerings", records, lambda r: _load_offering(loading, r), named_by="offer")


def _load_offering(loading: Loading, record: OfferingRecord) -> None:
    session = loading.session
    offer = session.get_one(Offer, loading.find("offers", record.offer, "offer"))
    _check_offer(session, offer)
    data = OfferingData(
        version=record.version,
        description=_description(offer, record),
        owner=loading.find_given("users", record.owner, "owner"),
        media=Media(
            image=_read(loading, record.image, "image") if record.image is not None else None,
            screenshots=[
                _read(loading, path, f"screenshots[{number}]")
                for number, path in enumerate(record.screenshots)
            ],
        ),
        notification=Notification(record.notification, record.notification_url),
        assets=_assets(loading, offer, record.assets),
        published_at=_published_at(offer, record.published_at),
    )
    with renamed(_offering_field):
        offering = add_offering(session, loading.files, offer, data)
    _add_reviews(loading, offering, record.reviews)


def _check_offer(session: Session, offer: Offer) -> None:
    """The offer can carry the offering ``{provider}/{its service's name}/{version}``."""
    service = offer.service
    check_name(service.name, "offer")
    if session.get(StoreOffering, offer.id) is not None:
        raise Conflict.field("offer", "already has an offering")
    if offering_service(session, service.provider, service.name) is not service:
        raise Invalid.field(
            "offer",
            f"its service's name '{service.name}' is the name of an earlier service of "
            f"{service.provider.slug}, which carries the offerings of that name",
        )


def _description(offer: Offer, record: OfferingRecord) -> Description:
    legal = record.legal.model_dump() if record.legal is not None else None
    plans = [
        check_price_plan(plan, f"price_plans[{number}]")
        for number, plan in enumerate(record.price_plans)
    ]
    if record.description_url and not is_http_url(record.description_url):
        raise Invalid.field("description_url", "must be an http(s) URL")
    return Description(
        description=offer.description,
        abstract=record.abstract,
        legal=legal,
        price_plans=record.price_plans,
        description_url=record.description_url,
        usdl_text=_search_text(offer, record, legal, plans),
        extra=_description_extra(offer, record.description_extra),
    )


def _description_extra(offer: Offer, extra: dict[str, Any]) -> dict[str, Any]:
    # base_id names the offering, so the loaded one's.
    return with_base_id(extra, offer) if "base_id" in extra else extra


def _search_text(
    offer: Offer, record: OfferingRecord, legal: dict[str, str] | None, plans: list[PricePlan]
) -> str:
    # As for an offering described in Linked USDL: its legal terms and plans are found too.
    words = [offer.service.name, offer.description, record.abstract, *offer.tags]
    return search_text(words, legal, plans)


def _assets(loading: Loading, offer: Offer, refs: list[str]) -> list[Asset]:
    """The provider's own assets; deleted ones too, as those a published offering keeps."""
    provider: Provider = offer.service.provider
    assets: list[Asset] = []
    for number, ref in enumerate(refs):
        field = f"assets[{number}]"
        asset: Asset = loading.find("assets", ref, field)
        if asset.provider_id != provider.id:
            raise Invalid.field(field, f"'{ref}' is not an asset of {provider.slug}")
        if asset in assets:
            raise Invalid.field(field, f"'{ref}' is named twice")
        with _on(field):
            check_fits(asset, offer.order_type in OPEN_ORDER_TYPES)
        assets.append(asset)
    return assets


def _published_at(offer: Offer, at: datetime | None) -> datetime | None:
    """Publishing leaves the draft state for good: the offer's status decides."""
    if offer.status == OfferStatus.DRAFT and at is not None:
        raise Invalid.field("published_at", "is for published offerings; the offer is a draft")
    return at


# --- reviews -------------------------------------------------------------------------


def _add_reviews(loading: Loading, offering: StoreOffering, records: list[ReviewRecord]) -> None:
    """Oldest first, each changing the rating as a new review does in the store."""
    if records and offering.offer.status == OfferStatus.DRAFT:
        raise Invalid.field("reviews", "only published offerings can be reviewed")
    for number, record in enumerate(records):
        with within(f"reviews[{number}]"):
            review = _review(loading, offering, record)
        offering.reviews.append(review)
        offering.rating = rating_after_create(offering.rating, number + 1, review.rating)
    loading.session.flush()


def _review(loading: Loading, offering: StoreOffering, record: ReviewRecord) -> Review:
    author: User = loading.find("users", record.author, "author")
    if any(review.user is author for review in offering.reviews):
        raise Invalid.field("author", "has already reviewed this offering")
    text = ReviewText(rating=record.rating, title=record.title, comment=record.comment)
    check_review(text)
    review = Review(
        user=author,
        title=text.title,
        comment=text.comment,
        rating=text.rating,
        created_at=record.created_at or utcnow(),
    )
    if record.reply is not None:
        with within("reply"):
            _add_reply(loading, review, record.reply)
    return review


def _add_reply(loading: Loading, review: Review, reply: Reply) -> None:
    with renamed(lambda name: "text" if name == "comment" else name):
        check_reply(ReplyText(title=reply.title, comment=reply.text))
    review.reply_title, review.reply_text = reply.title, reply.text
    review.reply_user = loading.find("users", reply.author, "author")
    review.replied_at = reply.at or utcnow()


# --- dumping -------------------------------------------------------------------------


def _export(files: Files, folder: Path, key: str, under: PurePosixPath) -> str:
    """Copy a stored file to ``FILES/under`` in ``folder``, keeping its name; that path.

    Paths follow names, not storage keys, so dumping the same data gives the same file.
    """
    path = FILES / under / PurePosixPath(key).name
    target = folder / path
    target.parent.mkdir(parents=True, exist_ok=True)
    with files.storage.open(key) as source, target.open("wb") as copy:
        shutil.copyfileobj(source, copy)
    return path.as_posix()


def dump_assets(session: Session, files: Files, folder: Path) -> Iterator[AssetRecord]:
    query = select(Asset).order_by(Asset.id).options(selectinload(Asset.provider))
    yield from (_asset_record(files, folder, asset) for asset in session.scalars(query))


def _asset_record(files: Files, folder: Path, asset: Asset) -> AssetRecord:
    slug = asset.provider.slug
    file = None
    if asset.file_key is not None:
        file = _export(files, folder, asset.file_key, PurePosixPath("assets", slug, asset.name))
    return AssetRecord(
        ref=asset_ref(slug, asset.name),
        provider=slug,
        name=asset.name,
        version=asset.version,
        description=asset.description,
        content_type=asset.content_type,
        is_open=asset.is_open,
        is_deleted=asset.is_deleted,
        # Left out when it is what the file or link implies, as a hand-written record has it.
        kind=None if asset.kind == _default_kind(asset.file_key is not None) else asset.kind,
        file=file,
        link=asset.link,
        meta=asset.meta,
    )


def dump_offerings(session: Session, files: Files, folder: Path) -> Iterator[OfferingRecord]:
    """In creation order, so each version comes after the lower ones it must exceed."""
    reviews = selectinload(StoreOffering.reviews)
    query = (
        offerings_query()
        .options(reviews.selectinload(Review.user), reviews.selectinload(Review.reply_user))
        .order_by(StoreOffering.offer_id)
        .execution_options(yield_per=DUMP_BATCH)
    )
    yield from (_offering_record(files, folder, offering) for offering in session.scalars(query))


def _offering_record(files: Files, folder: Path, offering: StoreOffering) -> OfferingRecord:
    under = PurePosixPath("offerings", offering.service.slug, offering.version)
    image = None
    if offering.image_key is not None:
        image = _export(files, folder, offering.image_key, under / "image")
    return OfferingRecord(
        offer=offer_ref(offering.service.slug, offering.offer.iid),
        version=offering.version,
        owner=offering.owner.email if offering.owner is not None else None,
        abstract=offering.abstract,
        legal=Legal.model_validate(offering.legal) if offering.legal else None,
        notification=offering.notification,
        notification_url=offering.notification_url,
        price_plans=offering.price_plans,
        description_extra=offering.description_extra,
        description_url=offering.description_url,
        image=image,
        screenshots=[
            _export(files, folder, key, under / "screenshots" / str(number))
            for number, key in enumerate(offering.screenshot_keys)
        ],
        assets=[asset_ref(asset.provider.slug, asset.name) for asset in offering.assets],
        # Loaded newest first, as WStore lists them; a data set keeps them oldest first.
        reviews=[_review_record(review) for review in reversed(offering.reviews)],
        published_at=offering.published_at,
    )


def _review_record(review: Review) -> ReviewRecord:
    reply = None
    if review.reply_user is not None and review.replied_at is not None:
        reply = Reply(
            author=review.reply_user.email,
            title=review.reply_title,
            text=review.reply_text,
            at=review.replied_at,
        )
    return ReviewRecord(
        author=review.user.email,
        rating=review.rating,
        title=review.title,
        comment=review.comment,
        created_at=review.created_at,
        reply=reply,
    )
