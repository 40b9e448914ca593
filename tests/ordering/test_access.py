"""The ordering access model (reference §5): addressing, reading and writing."""

import pytest
from sqlalchemy import select

from mercato.catalogue.models import Offer
from mercato.errors import Forbidden, NotFound
from mercato.ordering import access
from mercato.ordering.models import AuthorRole, Event, Message, MessageScope, Order, Project
from tests.ordering.oms_world import build_world

PUBLIC, INTERNAL, DIRECT = MessageScope.PUBLIC, MessageScope.INTERNAL, MessageScope.USER_DIRECT
USER, PROVIDER, MEDIATOR = AuthorRole.USER, AuthorRole.PROVIDER, AuthorRole.MEDIATOR


@pytest.fixture
def world(make):
    return build_world(make)


def _ids(session, model, condition) -> list[int]:
    return list(session.scalars(select(model.id).where(condition).order_by(model.id)))


# --- roles ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("caller", "omses", "operator"),
    [
        ("operator", ["default"], True),
        ("provider", ["provider_oms"], False),
        ("other", ["other_oms"], False),
        ("nobody", [], False),
    ],
)
def test_roles_of_a_user(session, world, caller, omses, operator):
    user = world.caller(caller).user

    assert access.omses_administered(session, user) == [world.oms(name) for name in omses]
    assert access.is_operator(session, user) is operator


def test_nobody_is_an_operator_without_a_default_oms(session, make):
    admin = make.user()
    make.oms("Lonely", administrators=[admin])

    assert access.is_operator(session, admin) is False


@pytest.mark.parametrize("oms_id", [999, None])
def test_an_unknown_oms_id_names_no_oms(session, world, oms_id):
    with pytest.raises(NotFound) as raised:
        access.require_oms(session, oms_id)

    assert raised.value.what == "OMS"


def test_only_its_administrators_pass_an_omss_check(session, world):
    access.check_administers(session, world.provider.user, world.provider_oms)

    with pytest.raises(Forbidden):
        access.check_administers(session, world.operator.user, world.provider_oms)


# --- §5.2 addressing -----------------------------------------------------------------


def test_the_default_oms_addresses_everything(session, world, make):
    make.message(world.provider_order, content="On the provider's order")

    assert _ids(session, Project, access.projects_addressable(world.default)) == [
        world.shared.id,
        world.default_only.id,
    ]
    assert len(_ids(session, Order, access.orders_addressable(world.default))) == 4
    assert len(_ids(session, Message, access.messages_addressable(world.default))) == 1
    assert len(_ids(session, Event, access.events_addressable(world.default))) == 7


def test_another_oms_addresses_only_projects_and_orders_of_its_offers(session, world):
    oms = world.provider_oms

    assert _ids(session, Project, access.projects_addressable(oms)) == [world.shared.id]
    assert _ids(session, Order, access.orders_addressable(oms)) == [world.provider_order.id]


def test_another_oms_addresses_messages_on_its_orders_and_their_projects(session, world, make):
    on_project = make.message(world.shared)
    on_its_order = make.message(world.provider_order)
    make.message(world.default_order)
    make.message(world.other_order)
    make.message(world.default_only)

    assert _ids(session, Message, access.messages_addressable(world.provider_oms)) == [
        on_project.id,
        on_its_order.id,
    ]


def test_another_oms_addresses_events_of_its_projects_orders_and_their_messages(
    session, world, make
):
    on_project = make.message(world.shared)
    on_its_order = make.message(world.provider_order)
    make.message(world.other_order)
    make.message(world.default_only)

    visible = session.scalars(
        select(Event).where(access.events_addressable(world.provider_oms)).order_by(Event.id)
    ).all()

    assert [(e.resource.value, e.order_id, e.message_id) for e in visible] == [
        ("project", None, None),
        ("project_item", world.provider_order.id, None),
        ("message", None, on_project.id),
        ("message", world.provider_order.id, on_its_order.id),
    ]


def test_addressing_follows_todays_primary_oms(session, world):
    offer = session.get(Offer, world.other_offer.id)
    offer.primary_oms_id = world.provider_oms.id
    session.commit()

    assert _ids(session, Order, access.orders_addressable(world.provider_oms)) == [
        world.provider_order.id,
        world.other_order.id,
    ]


# --- §5.3 reading (web UI) -----------------------------------------------------------


@pytest.mark.parametrize(
    ("caller", "readable"),
    [
        ("operator", ["default_order", "provider_order", "other_order", "default_only_order"]),
        ("provider", ["provider_order"]),
        ("other", ["other_order"]),
        ("nobody", []),
    ],
)
def test_orders_a_web_user_may_read(session, world, caller, readable):
    user = world.caller(caller).user
    query = (
        select(Order.id)
        .join(Offer, Offer.id == Order.offer_id)
        .where(access.orders_readable(session, user))
        .order_by(Order.id)
    )

    assert list(session.scalars(query)) == [getattr(world, name).id for name in readable]
    assert [
        name
        for name in ("default_order", "provider_order", "other_order", "default_only_order")
        if access.can_read_order(session, user, getattr(world, name))
    ] == readable


# --- §5.4 writing --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("caller", "order", "allowed"),
    [
        ("operator", "default_order", True),
        ("operator", "provider_order", False),
        ("provider", "provider_order", True),
        ("provider", "default_order", False),
        ("other", "provider_order", False),
        ("nobody", "default_order", False),
    ],
)
def test_only_the_orders_current_oms_may_update_it(session, world, caller, order, allowed):
    user, target = world.caller(caller).user, getattr(world, order)

    assert access.can_update_order(session, user, target) is allowed
    if not allowed:
        with pytest.raises(Forbidden):
            access.check_can_update_order(session, user, target)


# Project messages, on `shared` (orders of all three OMSes) and on `default_only`.
@pytest.mark.parametrize(
    ("caller", "project", "scope", "role", "allowed"),
    [
        ("provider", "shared", PUBLIC, PROVIDER, True),
        ("provider", "shared", INTERNAL, PROVIDER, True),
        ("provider", "shared", DIRECT, PROVIDER, False),
        ("provider", "shared", PUBLIC, MEDIATOR, False),
        ("provider", "default_only", PUBLIC, PROVIDER, False),
        ("operator", "shared", PUBLIC, MEDIATOR, True),
        ("operator", "shared", INTERNAL, MEDIATOR, True),
        ("operator", "shared", DIRECT, MEDIATOR, True),
        ("operator", "default_only", PUBLIC, PROVIDER, True),
        ("operator", "shared", DIRECT, PROVIDER, False),
        ("other", "shared", PUBLIC, PROVIDER, True),
        ("other", "default_only", INTERNAL, PROVIDER, False),
        ("nobody", "shared", PUBLIC, PROVIDER, False),
        ("nobody", "shared", PUBLIC, MEDIATOR, False),
        ("provider", "shared", PUBLIC, USER, False),
        ("operator", "shared", PUBLIC, USER, False),
    ],
)
def test_who_may_write_a_project_message(session, world, caller, project, scope, role, allowed):
    user, target = world.caller(caller).user, getattr(world, project)

    assert access.can_write_message(session, user, target, None, scope, role) is allowed


# Order messages.
@pytest.mark.parametrize(
    ("caller", "order", "scope", "role", "allowed"),
    [
        ("provider", "provider_order", PUBLIC, PROVIDER, True),
        ("provider", "provider_order", INTERNAL, PROVIDER, True),
        ("provider", "provider_order", DIRECT, PROVIDER, True),
        ("provider", "default_order", PUBLIC, PROVIDER, False),
        ("provider", "provider_order", PUBLIC, MEDIATOR, False),
        ("operator", "provider_order", PUBLIC, MEDIATOR, True),
        ("operator", "provider_order", INTERNAL, MEDIATOR, True),
        ("operator", "provider_order", DIRECT, MEDIATOR, False),
        ("operator", "provider_order", PUBLIC, PROVIDER, False),
        ("operator", "default_order", DIRECT, PROVIDER, True),
        ("other", "provider_order", PUBLIC, PROVIDER, False),
        ("nobody", "default_order", PUBLIC, MEDIATOR, False),
    ],
)
def test_who_may_write_an_order_message(session, world, caller, order, scope, role, allowed):
    user, target = world.caller(caller).user, getattr(world, order)

    assert access.can_write_message(session, user, target.project, target, scope, role) is allowed


@pytest.mark.parametrize("scope", [PUBLIC, INTERNAL, DIRECT])
def test_a_customer_writes_only_public_messages_on_their_own_projects(session, world, scope):
    owner = world.shared.owner

    assert access.can_write_message(session, owner, world.shared, None, scope, USER) is (
        scope == PUBLIC
    )
    stranger = world.nobody.user
    assert not access.can_write_message(session, stranger, world.shared, None, PUBLIC, USER)


def test_editing_a_message_follows_its_stored_scope_and_role(session, world, make):
    direct = make.message(world.provider_order, scope=DIRECT, role=PROVIDER, author=None)

    assert access.can_edit_message(session, world.provider.user, direct)
    assert not access.can_edit_message(session, world.operator.user, direct)
