"""Account rules: users, passwords, API tokens, providers and who administers what."""

import hashlib
import re
import secrets
import uuid

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError
from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session

from mercato.accounts.models import (
    ApiToken,
    DataAdministrator,
    Provider,
    User,
    oms_administrators,
)
from mercato.db import unique_slug, utcnow
from mercato.errors import Forbidden, Invalid, NotFound
from mercato.webhooks import new_signing_secret

_password_hasher = PasswordHasher()
# Deliberately loose: the address is checked by mail delivery, not by regex.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD_LENGTH = 8


def normalise_email(email: str) -> str:
    return email.strip().lower()


def check_email(email: str) -> str:
    email = normalise_email(email)
    if not _EMAIL.match(email):
        raise Invalid.field("email", "is not a valid e-mail address")
    return email


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid.field("password", f"must have at least {MIN_PASSWORD_LENGTH} characters")
    return _password_hasher.hash(password)


def get_user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == normalise_email(email)))


def require_user(session: Session, email: str) -> User:
    user = get_user_by_email(session, email)
    if user is None:
        raise NotFound("User")
    return user


def create_user(
    session: Session,
    *,
    email: str,
    first_name: str,
    last_name: str,
    password: str | None = None,
    uid: str | None = None,
    is_admin: bool = False,
) -> User:
    email = check_email(email)
    if get_user_by_email(session, email) is not None:
        raise Invalid.field("email", "is already taken")
    if uid is not None and session.scalar(select(exists().where(User.uid == uid))):
        raise Invalid.field("uid", "is already taken")
    user = User(
        email=email,
        uid=uid or uuid.uuid4().hex,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        password_hash=hash_password(password) if password else None,
        is_admin=is_admin,
    )
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The user with that e-mail and password, or None; rehashes outdated hashes."""
    user = get_user_by_email(session, email)
    if user is None or user.password_hash is None:
        # Spend the same time as a real check so unknown e-mails cannot be told apart.
        _password_hasher.hash(password or "-")
        return None
    try:
        _password_hasher.verify(user.password_hash, password)
    except (VerifyMismatchError, InvalidHashError):
        return None
    if _password_hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _password_hasher.hash(password)
    return user


# A session.info flag: this transaction revoked tokens (see mercato.accounts.token_cache).
TOKENS_REVOKED = "mercato.tokens_revoked"


def token_digest(plain: str) -> str:
    # Tokens are long random strings, so a fast hash is enough; a slow one
    # would cost on every API call without adding safety.
    return hashlib.sha256(plain.encode()).hexdigest()


def issue_token(session: Session, user: User, label: str = "") -> tuple[ApiToken, str]:
    """A new API token for the user; the plain text is returned once and never stored."""
    plain = secrets.token_urlsafe(24)
    return _add_token(session, user, plain, label), plain


def keep_token(session: Session, user: User, plain: str, label: str = "") -> ApiToken:
    """Store a token the user already has elsewhere, so integrations that use it keep working."""
    if session.scalar(select(exists().where(ApiToken.digest == token_digest(plain)))):
        raise Invalid.field("token", "is already in use")
    return _add_token(session, user, plain, label)


def _add_token(session: Session, user: User, plain: str, label: str) -> ApiToken:
    token = ApiToken(user=user, digest=token_digest(plain), prefix=plain[:6], label=label)
    session.add(token)
    session.flush()
    return token


def user_for_token(session: Session, plain: str) -> User | None:
    if not plain:
        return None
    return session.scalar(
        select(User)
        .join(ApiToken)
        .where(ApiToken.digest == token_digest(plain), ApiToken.revoked_at.is_(None))
    )


def active_tokens(session: Session, user: User) -> list[ApiToken]:
    return list(
        session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
            .order_by(ApiToken.id)
        )
    )


def require_active_token(session: Session, user: User, token_id: int) -> ApiToken:
    """One of the user's active tokens; others' and revoked ones do not exist for them."""
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id or not token.is_active:
        raise NotFound("Token")
    return token


def revoke_token(session: Session, user: User, token_id: int) -> ApiToken:
    token = require_active_token(session, user, token_id)
    token.revoked_at = utcnow()
    session.info[TOKENS_REVOKED] = True
    return token


def revoke_all_tokens(session: Session, user: User) -> int:
    result = session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    session.info[TOKENS_REVOKED] = True
    return result.rowcount


def regenerate_token(session: Session, user: User) -> tuple[ApiToken, str]:
    """Revoke every token of the user and issue one new token."""
    revoke_all_tokens(session, user)
    return issue_token(session, user)


def create_provider(
    session: Session,
    *,
    name: str,
    description: str = "",
    website: str = "",
    abbreviation: str = "",
    data_administrator_emails: list[str] | None = None,
    slug: str | None = None,
) -> Provider:
    name = name.strip()
    if not name:
        raise Invalid.field("name", "can't be blank")
    if session.scalar(select(exists().where(Provider.name == name))):
        raise Invalid.field("name", "is already taken")
    provider = Provider(
        name=name,
        slug=unique_slug(session, Provider.slug, name, given=slug),
        description=description,
        website=website,
        abbreviation=abbreviation,
    )
    session.add(provider)
    for email in data_administrator_emails or []:
        add_data_administrator(session, provider, email)
    session.flush()
    return provider


def require_provider(session: Session, slug: str) -> Provider:
    provider = session.scalar(select(Provider).where(Provider.slug == slug))
    if provider is None:
        raise NotFound("Provider")
    return provider


def add_data_administrator(session: Session, provider: Provider, email: str) -> DataAdministrator:
    email = check_email(email)
    user = get_user_by_email(session, email)
    administrator = DataAdministrator(
        email=email,
        first_name=user.first_name if user else "",
        last_name=user.last_name if user else "",
    )
    provider.data_administrators.append(administrator)
    return administrator


def administered_provider_ids(session: Session, user: User) -> set[int]:
    return set(
        session.scalars(
            select(DataAdministrator.provider_id).where(DataAdministrator.email == user.email)
        )
    )


def is_data_administrator(session: Session, user: User, provider_id: int) -> bool:
    return provider_id in administered_provider_ids(session, user)


def can_manage_provider(session: Session, user: User, provider_id: int) -> bool:
    """Site admins and the provider's data administrators act for it."""
    return user.is_admin or provider_id in administered_provider_ids(session, user)


def check_can_manage_provider(session: Session, user: User, provider_id: int) -> None:
    if not can_manage_provider(session, user, provider_id):
        raise Forbidden("Forbidden")


def administered_providers(session: Session, user: User) -> list[Provider]:
    """The providers ``user`` is a data administrator of, by name."""
    query = (
        select(Provider)
        .join(DataAdministrator)
        .where(DataAdministrator.email == user.email)
        .order_by(Provider.name)
    )
    return list(session.scalars(query))


def rotate_notification_secret(session: Session, provider: Provider) -> str:
    """Give the provider a new secret that signs its purchase notifications; shown once."""
    provider.notification_signing_secret = new_signing_secret()
    session.flush()
    return provider.notification_signing_secret


def remove_notification_secret(session: Session, provider: Provider) -> None:
    """Send the provider's purchase notifications unsigned."""
    if not provider.notification_signing_secret:
        raise Invalid.field("notification_signing_secret", "is not set")
    provider.notification_signing_secret = ""
    session.flush()


def administered_oms_ids(session: Session, user: User) -> set[int]:
    query = select(oms_administrators.c.oms_id).where(oms_administrators.c.user_id == user.id)
    return set(session.scalars(query))
