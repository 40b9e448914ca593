"""Users and providers in a data set."""

from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from mercato.accounts import rules as accounts
from mercato.accounts.models import Provider, User
from mercato.datasets.context import DUMP_BATCH, Loading, within
from mercato.datasets.schema import Administrator, ProviderRecord, UserRecord
from mercato.errors import Invalid
from mercato.store.models import ProviderStoreSettings
from mercato.store.offerings import set_provider_notification_url
from mercato.webhooks import check_signing_secret


def load_users(loading: Loading, records: list[UserRecord]) -> None:
    loading.each("users", records, lambda record: _load_user(loading, record))


def _load_user(loading: Loading, record: UserRecord) -> User:
    user = accounts.create_user(
        loading.session,
        email=record.email,
        first_name=record.first_name,
        last_name=record.last_name,
        password=record.password,
        uid=record.uid,
        is_admin=record.is_admin,
    )
    for position, token in enumerate(record.tokens):
        with within(f"tokens[{position}]"):
            accounts.keep_token(loading.session, user, token.token, token.label)
    return user


def load_providers(loading: Loading, records: list[ProviderRecord]) -> None:
    loading.each("providers", records, lambda record: _load_provider(loading, record))


def _load_provider(loading: Loading, record: ProviderRecord) -> Provider:
    _check_administrators(record.administrators)
    provider = accounts.create_provider(
        loading.session,
        name=record.name,
        slug=record.slug,
        abbreviation=record.abbreviation,
        description=record.description,
        website=record.website,
        data_administrator_emails=[admin.email for admin in record.administrators],
    )
    # Names given in the file win over those of matching accounts.
    for kept, given in zip(provider.data_administrators, record.administrators, strict=True):
        kept.first_name = given.first_name or kept.first_name
        kept.last_name = given.last_name or kept.last_name
    if record.notification_url:
        set_provider_notification_url(loading.session, provider, record.notification_url)
    if record.notification_signing_secret:
        provider.notification_signing_secret = check_signing_secret(
            "notification_signing_secret", record.notification_signing_secret
        )
    return provider


def _check_administrators(administrators: list[Administrator]) -> None:
    seen: set[str] = set()
    for position, administrator in enumerate(administrators):
        with within(f"administrators[{position}]"):
            email = accounts.check_email(administrator.email)
            if email in seen:
                raise Invalid.field("email", "is listed twice")
        seen.add(email)


def dump_users(session: Session) -> Iterator[UserRecord]:
    users = session.scalars(select(User).order_by(User.id).execution_options(yield_per=DUMP_BATCH))
    yield from (
        UserRecord(
            ref=user.email,
            uid=user.uid,
            email=user.email,
            first_name=user.first_name,
            last_name=user.last_name,
            is_admin=user.is_admin,
        )
        for user in users
    )


def dump_providers(session: Session) -> Iterator[ProviderRecord]:
    notification_urls = {
        provider_id: url
        for provider_id, url in session.execute(
            select(ProviderStoreSettings.provider_id, ProviderStoreSettings.notification_url)
        )
    }
    providers = session.scalars(
        select(Provider).order_by(Provider.id).options(selectinload(Provider.data_administrators))
    )
    yield from (
        ProviderRecord(
            ref=provider.slug,
            name=provider.name,
            slug=provider.slug,
            abbreviation=provider.abbreviation,
            description=provider.description,
            website=provider.website,
            notification_url=notification_urls.get(provider.id, ""),
            notification_signing_secret=provider.notification_signing_secret,
            administrators=[
                Administrator(
                    email=admin.email, first_name=admin.first_name, last_name=admin.last_name
                )
                for admin in provider.data_administrators
            ],
        )
        for provider in providers
    )
