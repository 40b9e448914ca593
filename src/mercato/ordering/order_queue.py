"""The order queue of operators and providers: which orders they see, and acting on one.

Operators administer the default OMS and see every order; other OMS
administrators see the orders of offers whose primary OMS they administer
(reference §5.3). On the web, a provider's data administrators also see the
orders of their services' offers, and site admins every order: both read only
unless they administer the OMS that handles the order. Writes follow §5.4
through `mercato.ordering.access`.
"""

from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, func, or_, select, true
from sqlalchemy.orm import Session, joinedload

from mercato.accounts import rules as accounts
from mercato.accounts.models import Provider, User
from mercato.catalogue.models import Offer, Oms, Service
from mercato.catalogue.omses import default_oms
from mercato.errors import Forbidden, Invalid, NotFound
from mercato.ordering import access
from mercato.ordering.messages import post_message
from mercato.ordering.models import AuthorRole, Message, MessageScope, Order, Project, StatusType
from mercato.ordering.orders import update_order

# What staff may set an order to: `created` is the marketplace's own, transient state.
SETTABLE_STATUSES = [status for status in StatusType if status != StatusType.CREATED]
# Who a message may be written as, in the order the form offers them.
AUDIENCES = [
    (scope, role)
    for role in (AuthorRole.MEDIATOR, AuthorRole.PROVIDER)
    for scope in (MessageScope.PUBLIC, MessageScope.INTERNAL, MessageScope.USER_DIRECT)
]


@dataclass(frozen=True)
class QueueFilters:
    status: StatusType | None = None
    provider: str = ""  # a provider's slug
    oms_id: int | None = None


@dataclass(frozen=True)
class QueuePage:
    orders: list[Order]
    total: int


QUEUE_READERS = (
    "The order queue is for the administrators of an OMS (the orders it handles), "
    "the data administrators of a provider (the orders of its services' offers) "
    "and site administrators (every order)."
)


def sees_queue(session: Session, user: User) -> bool:
    return (
        user.is_admin
        or bool(accounts.administered_oms_ids(session, user))
        or bool(accounts.administered_provider_ids(session, user))
    )


def check_queue_access(session: Session, user: User) -> None:
    """The queue is for those who run an OMS or a provider, and for site admins."""
    if not sees_queue(session, user):
        raise Forbidden(
            f"{QUEUE_READERS} You are none of these: a provider's data administrator "
            "or a site administrator can add you."
        )


def _readable(session: Session, user: User) -> ColumnElement[bool]:
    """The orders in the user's queue; use in a query joining `Offer` and `Service`."""
    if user.is_admin:
        return true()
    by_oms = access.orders_readable(session, user)
    providers = accounts.administered_provider_ids(session, user)
    return or_(by_oms, Service.provider_id.in_(providers)) if providers else by_oms


def can_see_order(session: Session, user: User, order: Order) -> bool:
    if user.is_admin or access.can_read_order(session, user, order):
        return True
    return order.offer.service.provider_id in accounts.administered_provider_ids(session, user)


def queue_omses(session: Session, user: User) -> list[Oms]:
    """The OMSes the user may filter the queue by: all for operators and site admins,
    else their own."""
    if user.is_admin or access.is_operator(session, user):
        return list(session.scalars(select(Oms).order_by(Oms.is_default.desc(), Oms.name)))
    return access.omses_administered(session, user)


def _current_oms_is(session: Session, oms_id: int) -> ColumnElement[bool]:
    default = default_oms(session)
    if default is not None and default.id == oms_id:
        return or_(Offer.primary_oms_id == oms_id, Offer.primary_oms_id.is_(None))
    return Offer.primary_oms_id == oms_id


def _queue_query(session: Session, user: User, filters: QueueFilters) -> Select[tuple[Order]]:
    query = (
        select(Order)
        .join(Offer, Offer.id == Order.offer_id)
        .join(Service, Service.id == Offer.service_id)
        .where(_readable(session, user))
    )
    if filters.status is not None:
        query = query.where(Order.status_type == filters.status)
    if filters.provider:
        query = query.join(Provider, Provider.id == Service.provider_id).where(
            Provider.slug == filters.provider
        )
    if filters.oms_id is not None:
        query = query.where(_current_oms_is(session, filters.oms_id))
    return query


def queue_page(
    session: Session, user: User, filters: QueueFilters, page: int, page_size: int
) -> QueuePage:
    """One page of the orders the user may handle, newest first."""
    query = _queue_query(session, user, filters)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.options(
            joinedload(Order.project).joinedload(Project.owner),
            joinedload(Order.offer).joinedload(Offer.service).joinedload(Service.provider),
            joinedload(Order.offer).joinedload(Offer.primary_oms),
        )
        .order_by(Order.id.desc())
        .limit(page_size)
        .offset((page - 1) * page_size)
    )
    return QueuePage(list(rows), total)


def require_queue_order(session: Session, user: User, order_id: int) -> Order:
    """An order in the user's queue; others' orders do not exist for them."""
    check_queue_access(session, user)
    order = session.get(Order, order_id)
    if order is None or not can_see_order(session, user, order):
        raise NotFound("Order")
    return order


def conversation(session: Session, order: Order) -> list[Message]:
    """Every message on the order and on its project, internal ones included, oldest first."""
    query = (
        select(Message)
        .where(
            Message.project_id == order.project_id,
            or_(Message.order_id == order.id, Message.order_id.is_(None)),
        )
        .options(joinedload(Message.order))
        .order_by(Message.id)
    )
    return list(session.scalars(query))


def contents_shown(
    session: Session, user: User, messages: list[Message]
) -> list[tuple[Message, bool]]:
    """Each message, and whether the user reads its content: private (`user_direct`)
    messages are read by the customer and whoever may write them.

    Who may write depends on the message's project, order, scope and role alone, so the
    rules are asked once for each such kind, not once per message.
    """
    may_write: dict[tuple[int, int | None, MessageScope, AuthorRole], bool] = {}
    shown = []
    for message in messages:
        is_shown = message.scope != MessageScope.USER_DIRECT or message.author_id == user.id
        if not is_shown:
            kind = (message.project_id, message.order_id, message.scope, message.author_role)
            if kind not in may_write:
                may_write[kind] = access.can_edit_message(session, user, message)
            is_shown = may_write[kind]
        shown.append((message, is_shown))
    return shown


def audiences(session: Session, user: User, order: Order) -> list[tuple[MessageScope, AuthorRole]]:
    """The scope and role pairs the user may write a message on the order with (§5.4)."""
    return [
        (scope, role)
        for scope, role in AUDIENCES
        if access.can_write_message(session, user, order.project, order, scope, role)
    ]


def change_status(session: Session, user: User, order: Order, status: str, value: str) -> Order:
    access.check_can_update_order(session, user, order)
    try:
        status_type = StatusType(status)
    except ValueError:
        raise Invalid.field("status", "is not a status") from None
    return update_order(
        session, order, author=user, status=(status_type, value.strip() or status_type.value)
    )


def set_secret(session: Session, user: User, order: Order, key: str, value: str) -> Order:
    access.check_can_update_order(session, user, order)
    if not key.strip():
        raise Invalid.field("secret_key", "can't be blank")
    return update_order(session, order, author=user, user_secrets={key.strip(): value})


def write_message(
    session: Session,
    user: User,
    order: Order,
    scope: MessageScope,
    role: AuthorRole,
    content: str,
) -> Message:
    access.check_can_write_message(session, user, order.project, order, scope, role)
    return post_message(
        session,
        project=order.project,
        order=order,
        scope=scope,
        role=role,
        author=user,
        content=content,
    )
