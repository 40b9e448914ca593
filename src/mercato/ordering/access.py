"""Who may address, read and write what in ordering (EOSC access model, reference §5).

Two questions are kept apart. *Addressing* (§5.2) is about the OMS named in an
API path: the default OMS reaches everything, any other OMS only the projects,
orders, messages and events tied to offers it is the primary OMS of; anything
else does not exist for it (404). *Permission* (§5.3, §5.4) is about the
calling user: the OMSes they administer decide what they may read and write.

§5.3 narrows lists and single reads to offers whose OMS the caller administers
unless the caller administers the default OMS. Once the caller is known to
administer the path OMS (`check_administers`), that narrowing is already implied
by the path scope: a non-default path OMS only reaches its own offers' records,
and a caller on the default OMS's path administers the default OMS. So the API
applies the path scope alone, and the web UI, which has no path OMS, uses
`orders_readable`.
"""

from sqlalchemy import ColumnElement, Select, exists, select, true
from sqlalchemy.orm import Session

from mercato.accounts import rules as accounts
from mercato.accounts.models import User, oms_administrators
from mercato.catalogue.models import Offer, Oms
from mercato.catalogue.omses import default_oms
from mercato.errors import Forbidden, NotFound
from mercato.ordering.models import AuthorRole, Event, Message, MessageScope, Order, Project

# --- roles ---------------------------------------------------------------------------


def omses_administered(session: Session, user: User) -> list[Oms]:
    """The OMSes the user administers, by id (what `GET /api/v1/oms` lists)."""
    query = (
        select(Oms)
        .join(oms_administrators, oms_administrators.c.oms_id == Oms.id)
        .where(oms_administrators.c.user_id == user.id)
        .order_by(Oms.id)
    )
    return list(session.scalars(query))


def administers(session: Session, user: User, oms: Oms | None) -> bool:
    if oms is None:
        return False
    query = exists().where(
        oms_administrators.c.oms_id == oms.id, oms_administrators.c.user_id == user.id
    )
    return bool(session.scalar(select(query)))


def is_operator(session: Session, user: User) -> bool:
    """Operators run the marketplace's own OMS: they administer the default OMS."""
    return administers(session, user, default_oms(session))


def require_oms(session: Session, oms_id: int | None) -> Oms:
    """The OMS named in a path (`None` for an id that is not a number)."""
    oms = session.get(Oms, oms_id) if oms_id is not None else None
    if oms is None:
        raise NotFound("OMS")
    return oms


def check_administers(session: Session, user: User, oms: Oms) -> None:
    if not administers(session, user, oms):
        raise Forbidden()


# --- §5.2: what an OMS path can address, as SQL conditions --------------------------


def _offers_of(oms: Oms) -> ColumnElement[bool]:
    # An explicitly set primary OMS: offers falling back to the default OMS
    # belong to no other OMS.
    return Offer.primary_oms_id == oms.id


def _order_ids_of(oms: Oms) -> Select[tuple[int]]:
    return select(Order.id).join(Offer, Offer.id == Order.offer_id).where(_offers_of(oms))


def _project_ids_of(oms: Oms) -> Select[tuple[int]]:
    return select(Order.project_id).join(Offer, Offer.id == Order.offer_id).where(_offers_of(oms))


def projects_addressable(oms: Oms) -> ColumnElement[bool]:
    """Projects with at least one order of the OMS's offers (all of them for the default)."""
    if oms.is_default:
        return true()
    return Project.id.in_(_project_ids_of(oms))


def orders_addressable(oms: Oms) -> ColumnElement[bool]:
    if oms.is_default:
        return true()
    return Order.id.in_(_order_ids_of(oms))


def messages_addressable(oms: Oms) -> ColumnElement[bool]:
    """Messages on the OMS's orders, and on the projects holding them."""
    if oms.is_default:
        return true()
    on_project = Message.order_id.is_(None) & Message.project_id.in_(_project_ids_of(oms))
    return on_project | Message.order_id.in_(_order_ids_of(oms))


def events_addressable(oms: Oms) -> ColumnElement[bool]:
    """Events about addressable projects, orders and messages.

    An event about an order, or a message on one, carries the order; other
    events are about the project or a message on the project itself.
    """
    if oms.is_default:
        return true()
    on_project = Event.order_id.is_(None) & Event.project_id.in_(_project_ids_of(oms))
    return on_project | Event.order_id.in_(_order_ids_of(oms))


# --- §5.3: what a web user may read -------------------------------------------------


def orders_readable(session: Session, user: User) -> ColumnElement[bool]:
    """Orders the user may see as an OMS administrator: all of them for operators.

    Orders of offers without a primary OMS belong to the default OMS, so only
    operators see those. Use in a query that joins `Offer` to `Order`.
    """
    default = default_oms(session)
    administered = accounts.administered_oms_ids(session, user)
    if default is not None and default.id in administered:
        return true()
    return Offer.primary_oms_id.in_(administered)


def can_read_order(session: Session, user: User, order: Order) -> bool:
    """Operators read every order; other OMS administrators those of their OMSes."""
    return is_operator(session, user) or can_update_order(session, user, order)


# --- §5.4: who may write ------------------------------------------------------------


def _current_oms_id(session: Session, order: Order) -> int | None:
    """The order's current OMS: its offer's primary OMS, else the default OMS."""
    if order.offer.primary_oms_id is not None:
        return order.offer.primary_oms_id
    default = default_oms(session)
    return default.id if default is not None else None


def can_update_order(session: Session, user: User, order: Order) -> bool:
    """Only the order's current OMS writes it; the default OMS not others' orders."""
    return _current_oms_id(session, order) in accounts.administered_oms_ids(session, user)


def check_can_update_order(session: Session, user: User, order: Order) -> None:
    if not can_update_order(session, user, order):
        raise Forbidden()


def _project_oms_ids(session: Session, project: Project) -> set[int | None]:
    """The current OMSes of the project's orders, in one query whatever their number."""
    query = select(Offer.primary_oms_id).join(Order, Order.offer_id == Offer.id)
    primaries = set(session.scalars(query.where(Order.project_id == project.id).distinct()))
    if None in primaries:
        primaries.discard(None)
        default = default_oms(session)
        primaries.add(default.id if default is not None else None)
    return primaries


def _as_provider(
    session: Session, user: User, project: Project, order: Order | None, scope: MessageScope
) -> bool:
    administered = accounts.administered_oms_ids(session, user)
    if order is not None:
        return _current_oms_id(session, order) in administered
    return scope != MessageScope.USER_DIRECT and bool(
        _project_oms_ids(session, project) & administered
    )


def can_write_message(
    session: Session,
    user: User,
    project: Project,
    order: Order | None,
    scope: MessageScope,
    role: AuthorRole,
) -> bool:
    """The scope-by-role tables of §5.4, for a message on `order`, or on `project` when None.

    `user` is the customer's own role: the project's owner writes public
    messages (the web UI; the Ordering API's schema refuses that role).
    """
    match role:
        case AuthorRole.USER:
            return project.owner_id == user.id and scope == MessageScope.PUBLIC
        case AuthorRole.PROVIDER:
            return _as_provider(session, user, project, order, scope)
        case AuthorRole.MEDIATOR:
            on_order_privately = order is not None and scope == MessageScope.USER_DIRECT
            return not on_order_privately and is_operator(session, user)


def check_can_write_message(
    session: Session,
    user: User,
    project: Project,
    order: Order | None,
    scope: MessageScope,
    role: AuthorRole,
) -> None:
    if not can_write_message(session, user, project, order, scope, role):
        raise Forbidden()


def can_edit_message(session: Session, user: User, message: Message) -> bool:
    """Editing follows the same table, on the stored scope and author role."""
    return can_write_message(
        session, user, message.project, message.order, message.scope, message.author_role
    )


def check_can_edit_message(session: Session, user: User, message: Message) -> None:
    if not can_edit_message(session, user, message):
        raise Forbidden()
