"""Asset rules (WStore resources): register, upgrade, edit, delete, who may download."""

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session, selectinload

from mercato.accounts.models import Provider, User
from mercato.accounts.rules import administered_provider_ids
from mercato.catalogue.models import Offer, OfferStatus
from mercato.errors import Conflict, Invalid, NotFound
from mercato.settings import Settings
from mercato.store.access import (
    check_can_manage_provider,
    find_provider,
    ordered_by,
)
from mercato.store.models import (
    OPEN_ORDER_TYPES,
    Asset,
    AssetKind,
    AssetState,
    StoreOffering,
    offering_assets,
)
from mercato.store.naming import check_asset_version, check_name, compare_versions
from mercato.store.storage import (
    LocalStorage,
    Storage,
    delete_file_on_commit,
    new_key,
    save_file,
)
from mercato.store.uploads import (
    Upload,
    check_allowed_media_type,
    check_asset_file,
    check_media_type,
)

_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
EDITABLE_FIELDS = ("description", "content_type", "open")


@dataclass(frozen=True)
class AssetContent:
    """What an asset delivers: an uploaded file or a link, never both."""

    upload: Upload | None = None
    link: str | None = None


@dataclass(frozen=True)
class Files:
    """The storage and the limits rules need to accept files."""

    storage: Storage
    settings: Settings


@dataclass(frozen=True)
class AssetChanges:
    """An edit of an asset; None leaves that field as it is."""

    description: str | None = None
    content_type: str | None = None
    is_open: bool | None = None

    @property
    def fields(self) -> list[str]:
        """The fields changed, by their WStore names."""
        given = (self.description, self.content_type, self.is_open)
        pairs = zip(EDITABLE_FIELDS, given, strict=True)
        return [name for name, value in pairs if value is not None]


def local_files(settings: Settings) -> Files:
    """The default file store: a folder in the data directory, with the configured limits."""
    return Files(LocalStorage(settings.data_dir / "media"), settings)


def check_content_type(files: Files, value: object) -> str:
    """A media type, normalised, that this store accepts for assets."""
    media_type = check_media_type(value)
    check_allowed_media_type(files.settings, media_type)
    return media_type


def _check_content(files: Files, kind: AssetKind, content: AssetContent, media_type: str) -> None:
    if (content.upload is None) == (content.link is None):
        raise Invalid.field("content", "give either a file (content or file) or a link")
    if content.link is not None:
        if not _URL.match(content.link) or len(content.link) > 2048:
            raise Invalid.field("link", "must be an http:// or https:// URL")
        return
    if kind == AssetKind.API:
        raise Invalid.field("content", "an API resource is given as a link, not a file")
    assert content.upload is not None
    check_asset_file(files.settings, content.upload, media_type, "content")


def _store_content(session: Session, files: Files, asset: Asset, content: AssetContent) -> None:
    asset.link = content.link
    if content.upload is None:
        asset.file_key = asset.file_name = asset.size = None
        return
    asset.file_key = new_key("assets", content.upload.name)
    asset.file_name = content.upload.name
    asset.size = len(content.upload.data)
    save_file(session, files.storage, asset.file_key, content.upload.data)


def register_asset(
    session: Session,
    files: Files,
    provider: Provider,
    *,
    name: str,
    version: str,
    description: str,
    content_type: str,
    kind: AssetKind,
    is_open: bool,
    meta: dict[str, Any],
    content: AssetContent,
) -> Asset:
    name = check_name(name)
    version = check_asset_version(version)
    media_type = check_content_type(files, content_type)
    _check_content(files, kind, content, media_type)
    if session.scalar(select(exists().where(Asset.provider_id == provider.id, Asset.name == name))):
        raise Conflict.field("name", f"the provider already has a resource named '{name}'")
    asset = Asset(
        provider=provider,
        name=name,
        version=version,
        description=description,
        content_type=media_type,
        kind=kind,
        is_open=is_open,
        meta=meta,
    )
    session.add(asset)
    # The row first: a clash found by the database must not leave a file behind.
    session.flush()
    _store_content(session, files, asset, content)
    return asset


def find_asset(session: Session, provider: Provider, name: str, version: str | None) -> Asset:
    """The provider's asset; a version, when given, must be the current one."""
    # Its state depends on the offerings including it, which its pages list by name.
    including = selectinload(Asset.offerings).selectinload(StoreOffering.service)
    asset = session.scalar(
        select(Asset).where(Asset.provider_id == provider.id, Asset.name == name).options(including)
    )
    if asset is None or (version is not None and asset.version != version):
        raise NotFound("Resource")
    return asset


def require_managed_asset(
    session: Session, user: User, provider: str, name: str, version: str | None
) -> Asset:
    """The asset named (not found), if ``user`` acts for its provider (forbidden)."""
    asset = find_asset(session, find_provider(session, provider), name, version)
    check_can_manage_provider(session, user, asset.provider_id)
    return asset


def provider_assets(
    session: Session,
    providers: Sequence[Provider],
    is_open: bool | None = None,
    *,
    with_deleted: bool = False,
) -> list[Asset]:
    """The providers' assets that can still be used (or all, ``with_deleted``), by name."""
    query = (
        select(Asset)
        .where(Asset.provider_id.in_([p.id for p in providers]))
        .order_by(Asset.name, Asset.id)
        .options(selectinload(Asset.offerings), selectinload(Asset.provider))
    )
    if not with_deleted:
        query = query.where(Asset.is_deleted.is_(False))
    if is_open is not None:
        query = query.where(Asset.is_open.is_(is_open))
    return list(session.scalars(query))


def check_can_upgrade(asset: Asset) -> None:
    """Whether the asset may have a new version: not once it is deleted."""
    if asset.is_deleted:
        raise Invalid.field("state", "a deleted resource cannot be upgraded")


def upgrade_asset(
    session: Session, files: Files, asset: Asset, version: str, content: AssetContent
) -> Asset:
    """A new, higher version with new contents; every offering including it follows."""
    check_can_upgrade(asset)
    version = check_asset_version(version)
    if compare_versions(version, asset.version) <= 0:
        raise Invalid.field("version", f"must be higher than the current {asset.version}")
    _check_content(files, asset.kind, content, asset.content_type)
    if asset.file_key is not None:
        delete_file_on_commit(session, files.storage, asset.file_key)
    asset.version = version
    session.flush()
    _store_content(session, files, asset, content)
    return asset


def check_can_change_asset(asset: Asset, fields: Collection[str]) -> None:
    """Whether ``fields`` of the asset may change: none of a deleted asset, only the
    description of one that offerings include."""
    if asset.is_deleted:
        raise Invalid.field("state", "a deleted resource cannot be changed")
    fixed = set(fields) - {"description"}
    if asset.state == AssetState.USED and fixed:
        raise Invalid.field(
            sorted(fixed)[0],
            "cannot be changed while offerings include the resource; only description",
        )


def update_asset(session: Session, files: Files, asset: Asset, changes: AssetChanges) -> Asset:
    """Description always; media type and open flag only while no offering includes it."""
    check_can_change_asset(asset, changes.fields)
    if changes.content_type is not None:
        asset.content_type = check_content_type(files, changes.content_type)
    if changes.description is not None:
        asset.description = changes.description
    if changes.is_open is not None:
        asset.is_open = changes.is_open
    session.flush()
    return asset


def delete_asset(session: Session, files: Files, asset: Asset) -> None:
    """Remove it when only unpublished offerings include it (they lose it).

    Once a published or deleted offering includes it, it is kept, marked
    deleted, for those who acquired it, and the published offerings that
    include it are deleted with it.
    """
    if asset.is_deleted:
        raise Invalid.field("state", "the resource is already deleted")
    kept_for = [o for o in asset.offerings if o.offer.status != OfferStatus.DRAFT]
    if not kept_for:
        if asset.file_key is not None:
            delete_file_on_commit(session, files.storage, asset.file_key)
        session.delete(asset)
        session.flush()
        return
    asset.is_deleted = True
    for offering in kept_for:
        if offering.offer.status == OfferStatus.PUBLISHED:
            offering.offer.status = OfferStatus.DELETED
    session.flush()


def downloadable_asset_ids(session: Session, user: User, assets: Sequence[Asset]) -> set[int]:
    """Those of the assets the user may download, by id: the provider's data administrators
    and site admins, anyone for an open asset or one in an open published offering, and
    those who acquired an offering with it. Two queries, however many assets."""
    managed = None if user.is_admin else administered_provider_ids(session, user)
    allowed = {
        asset.id
        for asset in assets
        if managed is None
        or asset.provider_id in managed
        or (asset.is_open and not asset.is_deleted)
    }
    others = [asset.id for asset in assets if asset.id not in allowed]
    if others:
        in_open_or_acquired_offering = (
            select(offering_assets.c.asset_id)
            .join(StoreOffering, StoreOffering.offer_id == offering_assets.c.offer_id)
            .join(Offer, Offer.id == StoreOffering.offer_id)
            .where(
                offering_assets.c.asset_id.in_(others),
                or_(
                    Offer.order_type.in_(OPEN_ORDER_TYPES)
                    & (Offer.status == OfferStatus.PUBLISHED),
                    offering_assets.c.offer_id.in_(ordered_by(user)),
                ),
            )
        )
        allowed.update(session.scalars(in_open_or_acquired_offering))
    return allowed


def asset_link(base_url: str, asset: Asset) -> str:
    """Where the asset is downloaded: its link, or its file under ``base_url``."""
    if asset.link is not None:
        return asset.link
    parts = (asset.provider.slug, asset.name, asset.version, asset.file_name or "")
    return f"{base_url}/media/resources/" + "/".join(quote(part) for part in parts)


def can_download(session: Session, user: User, asset: Asset) -> bool:
    """Whether the user may download the asset (see ``downloadable_asset_ids``)."""
    return asset.id in downloadable_asset_ids(session, user, [asset])
