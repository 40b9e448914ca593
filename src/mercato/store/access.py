"""Who acts for which provider, and who has acquired what."""

from sqlalchemy import ColumnElement, Select, exists, or_, select
from sqlalchemy.orm import Session

from mercato.accounts.models import Provider, User
from mercato.accounts.rules import administered_provider_ids, check_can_manage_provider
from mercato.commerce.models import Contract, ContractState
from mercato.errors import Forbidden, Invalid, NotFound
from mercato.ordering.models import Order, Project, StatusType


def find_provider(session: Session, reference: str) -> Provider:
    """A provider by slug or by exact name (WStore clients use organization names)."""
    provider = session.scalars(
        select(Provider)
        .where(or_(Provider.slug == reference, Provider.name == reference))
        .order_by(Provider.slug != reference)
    ).first()
    if provider is None:
        raise NotFound("Provider")
    return provider


def providers_by_id(session: Session, ids: set[int]) -> list[Provider]:
    """The providers with these ids, by id, in one query."""
    query = select(Provider).where(Provider.id.in_(ids)).order_by(Provider.id)
    return list(session.scalars(query))


def require_managed_provider(session: Session, user: User, reference: str) -> Provider:
    """The provider named (not found), if ``user`` acts for it (forbidden)."""
    provider = find_provider(session, reference)
    check_can_manage_provider(session, user, provider.id)
    return provider


def acting_provider(session: Session, user: User, reference: str | None) -> Provider:
    """The provider a call acts for: the one named, or the caller's only provider."""
    if reference:
        return require_managed_provider(session, user, reference)
    provider_ids = administered_provider_ids(session, user)
    if not provider_ids:
        raise Forbidden("You are not a data administrator of any provider")
    if len(provider_ids) > 1:
        raise Invalid.field("provider", "must be given: you administer several providers")
    return session.get_one(Provider, provider_ids.pop())


def _not_acquired() -> Select[tuple[int]]:
    """Orders of purchases that give nothing: a payment still pending (a PayPal approval
    or review awaited), a purchase rolled back, or one suspended (a renewal overdue).
    Only a paid purchase counts (an offline transfer proceeds by design: it is paid)."""
    return select(Contract.order_id).where(Contract.state != ContractState.PAID)


def _acquired(user: User) -> list[ColumnElement[bool]]:
    return [
        Order.project_id == Project.id,
        Project.owner_id == user.id,
        Order.status_type != StatusType.REJECTED,
        Order.id.not_in(_not_acquired()),
    ]


def ordered_by(user: User) -> Select[tuple[int]]:
    """Offer ids the user has acquired, as a subquery: ordered, and when bought, paid."""
    return select(Order.offer_id).join(Project).where(*_acquired(user))


def has_ordered(session: Session, user: User, offer_id: int) -> bool:
    return bool(
        session.scalar(select(exists().where(Order.offer_id == offer_id, *_acquired(user))))
    )


def ordered_offer_ids(session: Session, user: User) -> set[int]:
    return set(session.scalars(ordered_by(user)))
