"""Ordering tables: OMS registry, projects and orders."""

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import Column, ForeignKey, Index, String, Table, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mercato.accounts.models import Provider, User
from mercato.db import Base, JSONDocument, str_enum, utcnow


class OmsType(enum.StrEnum):
    GLOBAL = "global"
    PROVIDER_GROUP = "provider_group"
    RESOURCE_DEDICATED = "resource_dedicated"


oms_administrators = Table(
    "oms_administrators",
    Base.metadata,
    Column("oms_id", ForeignKey("omses.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)

oms_providers = Table(
    "oms_providers",
    Base.metadata,
    Column("oms_id", ForeignKey("omses.id", ondelete="CASCADE"), primary_key=True),
    Column("provider_id", ForeignKey("providers.id", ondelete="CASCADE"), primary_key=True),
)


class Oms(Base):
    """An order-management system that handles the orders of some offers."""

    __tablename__ = "omses"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    type: Mapped[OmsType] = mapped_column(str_enum(OmsType))
    is_default: Mapped[bool] = mapped_column(default=False)
    # name -> {"mandatory": false} | {"mandatory": true, "default": "<string>"}
    custom_params: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)
    service_id: Mapped[int | None] = mapped_column(
        ForeignKey("services.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    administrators: Mapped[list[User]] = relationship(
        secondary=oms_administrators, order_by=User.id
    )
    providers: Mapped[list[Provider]] = relationship(secondary=oms_providers, order_by=Provider.id)

    __table_args__ = (
        # The operations team's OMS is unique: at most one row may be the default.
        Index(
            "uq_omses_single_default",
            "is_default",
            unique=True,
            sqlite_where=text("is_default"),
            postgresql_where=text("is_default"),
        ),
    )


class Project(Base):
    """A customer's folder of orders (EOSC: project)."""

    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    owner: Mapped[User] = relationship()


class Order(Base):
    """One offer ordered into a project (EOSC: project item)."""

    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    iid: Mapped[int]
    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id"), index=True)
    status_type: Mapped[str] = mapped_column(String(32), default="created")
    status_value: Mapped[str] = mapped_column(String(255), default="created")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    project: Mapped[Project] = relationship()

    __table_args__ = (UniqueConstraint("project_id", "iid"),)
