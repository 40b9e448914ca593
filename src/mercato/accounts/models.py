"""Account tables."""

from datetime import datetime

from sqlalchemy import Column, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mercato.db import Base, utcnow


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(255), unique=True)
    email: Mapped[str] = mapped_column(String(255), unique=True)
    first_name: Mapped[str] = mapped_column(String(255), default="")
    last_name: Mapped[str] = mapped_column(String(255), default="")
    password_hash: Mapped[str | None] = mapped_column(String(255))
    is_admin: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    tokens: Mapped[list["ApiToken"]] = relationship(back_populates="user")

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def site_roles(self) -> list[str]:
        # Operators are not a site role: they are whoever administers the default OMS.
        return ["admin"] if self.is_admin else []


class ApiToken(Base):
    """A long-lived `X-User-Token`; only its SHA-256 digest is kept."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    # The first characters, so a user can tell tokens apart without the secret.
    prefix: Mapped[str] = mapped_column(String(8))
    label: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(back_populates="tokens")

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class Provider(Base):
    """An organisation that publishes services (EOSC: resource organisation)."""

    __tablename__ = "providers"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(255), unique=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    abbreviation: Mapped[str] = mapped_column(String(64), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    website: Mapped[str] = mapped_column(String(2048), default="")
    # Signs the purchase notifications sent to the provider (Standard Webhooks) when
    # set; kept readable, since signing needs it, and shown only once, when generated.
    notification_signing_secret: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    data_administrators: Mapped[list["DataAdministrator"]] = relationship(
        back_populates="provider", cascade="all, delete-orphan", order_by="DataAdministrator.id"
    )

    @property
    def signs_notifications(self) -> bool:
        return bool(self.notification_signing_secret)


class DataAdministrator(Base):
    """A person allowed to manage a provider's services, matched to users by e-mail.

    Keyed by e-mail as the EOSC Marketplace does, so an administrator can be
    named before they have an account.
    """

    __tablename__ = "data_administrators"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(255), index=True)
    first_name: Mapped[str] = mapped_column(String(255), default="")
    last_name: Mapped[str] = mapped_column(String(255), default="")

    provider: Mapped[Provider] = relationship(back_populates="data_administrators")

    __table_args__ = (UniqueConstraint("provider_id", "email"),)


# Who administers which OMS; the OMS registry itself is the catalogue's.
oms_administrators = Table(
    "oms_administrators",
    Base.metadata,
    Column("oms_id", ForeignKey("omses.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)
