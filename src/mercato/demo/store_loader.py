"""Turn the demo store specs into assets, offerings, tags and reviews through the store rules."""

from sqlalchemy.orm import Session

from mercato.accounts.models import Provider, User
from mercato.demo.specs import AssetSpec, StoreOfferingSpec
from mercato.demo.store import STORE_OFFERINGS
from mercato.store.assets import AssetContent, Files, register_asset
from mercato.store.models import AssetKind, StoreOffering
from mercato.store.offerings import (
    AssetRef,
    Description,
    Media,
    create_offering,
    publish_offering,
)
from mercato.store.reviews import create_review, reply_to_review
from mercato.store.tags import set_tags
from mercato.store.uploads import Upload


def load_store(
    session: Session, files: Files, users: dict[str, User], providers: dict[str, Provider]
) -> list[StoreOffering]:
    return [
        _create_offering(session, files, spec, users, providers[spec.provider])
        for spec in STORE_OFFERINGS
    ]


def _register(session: Session, files: Files, provider: Provider, spec: AssetSpec) -> None:
    content = (
        AssetContent(link=spec.link)
        if spec.link
        else AssetContent(upload=Upload(spec.file_name, spec.content.encode()))
    )
    register_asset(
        session,
        files,
        provider,
        name=spec.name,
        version=spec.version,
        description=spec.description,
        content_type=spec.content_type,
        kind=AssetKind.API if spec.link else AssetKind.DOWNLOADABLE,
        is_open=spec.is_open,
        meta={},
        content=content,
    )


def _create_offering(
    session: Session,
    files: Files,
    spec: StoreOfferingSpec,
    users: dict[str, User],
    provider: Provider,
) -> StoreOffering:
    publisher = users[spec.publisher]
    for asset in spec.assets:
        _register(session, files, provider, asset)
    legal = {"title": spec.legal[0], "text": spec.legal[1]} if spec.legal else None
    offering = create_offering(
        session,
        files,
        provider,
        publisher,
        name=spec.name,
        version=spec.version,
        description=Description(spec.description, abstract=spec.abstract, legal=legal),
        media=Media(),
        notification_url=None,
        is_open=spec.is_open,
        assets=[AssetRef(asset.name, asset.version) for asset in spec.assets],
    )
    set_tags(session, offering, list(spec.tags))
    if spec.is_published:
        publish_offering(session, offering, [])
    for review in spec.reviews:
        body = {"rating": review.rating, "title": review.title, "comment": review.comment}
        made = create_review(session, users[review.author], offering, body)
        if review.reply:
            reply = {"title": "Reply", "comment": review.reply}
            reply_to_review(session, publisher, offering, made, reply)
    return offering
