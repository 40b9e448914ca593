"""Ordering rules available so far: the OMS registry and which OMS handles an offer."""

from typing import TYPE_CHECKING, Any

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from mercato.accounts.models import Provider, User
from mercato.errors import Invalid
from mercato.ordering.models import Oms, OmsType, Order, oms_providers

if TYPE_CHECKING:
    from mercato.catalogue.models import Offer, Service


def default_oms(session: Session) -> Oms | None:
    return session.scalar(select(Oms).where(Oms.is_default))


def available_omses(session: Session, service: "Service") -> list[Oms]:
    """The OMSes an offer of this service may use, in the EOSC Marketplace's order.

    The default OMS first, then OMSes dedicated to the service, global ones, and
    provider-group ones that list the service's provider; each once.
    """
    candidates = session.scalars(
        select(Oms).where(
            or_(
                Oms.is_default,
                Oms.service_id == service.id,
                Oms.type == OmsType.GLOBAL,
                exists().where(
                    oms_providers.c.oms_id == Oms.id,
                    oms_providers.c.provider_id == service.provider_id,
                ),
            )
        )
    ).all()

    def rank(oms: Oms) -> tuple[int, int]:
        if oms.is_default:
            return (0, oms.id)
        if oms.service_id == service.id:
            return (1, oms.id)
        return (2, oms.id) if oms.type == OmsType.GLOBAL else (3, oms.id)

    return sorted(candidates, key=rank)


def current_oms(session: Session, offer: "Offer") -> Oms | None:
    """The OMS that handles the offer's orders: its primary OMS, else the default one."""
    if offer.primary_oms is not None:
        return offer.primary_oms
    return default_oms(session)


def offer_has_orders(session: Session, offer: "Offer") -> bool:
    return bool(session.scalar(select(exists().where(Order.offer_id == offer.id))))


def check_custom_params(custom_params: Any) -> dict[str, dict[str, Any]]:
    """Custom params are ``{"mandatory": false}`` or ``{"mandatory": true, "default": "..."}``."""
    if not isinstance(custom_params, dict):
        raise Invalid.field("custom_params", "must be an object")
    for name, spec in custom_params.items():
        valid = spec == {"mandatory": False} or (
            isinstance(spec, dict)
            and spec.keys() == {"mandatory", "default"}
            and spec["mandatory"] is True
            and isinstance(spec["default"], str)
        )
        if not valid:
            raise Invalid.field(
                "custom_params",
                f"'{name}' must be {{\"mandatory\": false}} "
                'or {"mandatory": true, "default": "<string>"}',
            )
    return custom_params


def create_oms(
    session: Session,
    *,
    name: str,
    type: OmsType,
    is_default: bool = False,
    custom_params: dict[str, Any] | None = None,
    administrators: list[User] | None = None,
    providers: list[Provider] | None = None,
    service: "Service | None" = None,
) -> Oms:
    name = name.strip()
    if not name:
        raise Invalid.field("name", "can't be blank")
    if session.scalar(select(exists().where(Oms.name == name))):
        raise Invalid.field("name", "is already taken")
    if is_default and default_oms(session) is not None:
        raise Invalid.field("default", "another OMS is already the default")
    if type == OmsType.PROVIDER_GROUP and not providers:
        raise Invalid.field("providers", "a provider_group OMS needs at least one provider")
    if type == OmsType.RESOURCE_DEDICATED and service is None:
        raise Invalid.field("service", "a resource_dedicated OMS needs a service")
    oms = Oms(
        name=name,
        type=type,
        is_default=is_default,
        custom_params=check_custom_params(custom_params or {}),
        administrators=administrators or [],
        providers=providers if type == OmsType.PROVIDER_GROUP else [],
        service_id=service.id
        if service is not None and type == OmsType.RESOURCE_DEDICATED
        else None,
    )
    session.add(oms)
    session.flush()
    return oms
