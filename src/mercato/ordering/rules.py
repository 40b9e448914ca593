"""Ordering rules available so far: the OMS registry and which OMS handles an offer."""

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session, selectinload

from mercato.accounts.models import Provider, User
from mercato.errors import Invalid
from mercato.ordering.models import Oms, OmsType, Order

if TYPE_CHECKING:
    from mercato.catalogue.models import Offer, Service


def default_oms(session: Session) -> Oms | None:
    return session.scalar(select(Oms).where(Oms.is_default))


def _is_available(oms: Oms, service: "Service") -> bool:
    if oms.is_default or oms.service_id == service.id or oms.type == OmsType.GLOBAL:
        return True
    return any(provider.id == service.provider_id for provider in oms.providers)


def _availability_rank(oms: Oms, service: "Service") -> tuple[int, int]:
    if oms.is_default:
        return (0, oms.id)
    if oms.service_id == service.id:
        return (1, oms.id)
    return (2, oms.id) if oms.type == OmsType.GLOBAL else (3, oms.id)


def available_omses_by_service(
    session: Session, services: Sequence["Service"]
) -> dict[int, list[Oms]]:
    """The OMSes an offer of each service may use, in the EOSC Marketplace's order.

    The default OMS first, then OMSes dedicated to the service, global ones, and
    provider-group ones that list the service's provider; each once. A
    marketplace has a handful of OMSes, so they are read once for all services.
    """
    omses = session.scalars(select(Oms).options(selectinload(Oms.providers))).all()
    return {
        service.id: sorted(
            (oms for oms in omses if _is_available(oms, service)),
            key=lambda oms, service=service: _availability_rank(oms, service),
        )
        for service in services
    }


def available_omses(session: Session, service: "Service") -> list[Oms]:
    return available_omses_by_service(session, [service])[service.id]


def current_oms(offer: "Offer", default: Oms | None) -> Oms | None:
    """The OMS that handles the offer's orders: its primary OMS, else the default one."""
    return offer.primary_oms if offer.primary_oms is not None else default


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
