"""Projects, orders and messages: each change writes its event and trigger deliveries."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from mercato.accounts.models import User
from mercato.catalogue.models import Offer, OrderType, ScientificDomain
from mercato.db import make_session_factory
from mercato.errors import Invalid
from mercato.ordering.messages import edit_message
from mercato.ordering.models import (
    AuthorRole,
    Delivery,
    Event,
    Message,
    MessageScope,
    Order,
    Project,
    StatusType,
)
from mercato.ordering.orders import OrderRequest, place_order, update_order
from mercato.ordering.projects import ProjectData, create_project


def _events(session) -> list[tuple]:
    session.expire_all()
    return [
        (e.type.value, e.resource.value, e.order_id, e.message_id, e.changes)
        for e in session.scalars(select(Event).order_by(Event.id))
    ]


def _deliveries(session) -> list[tuple[int, int]]:
    return [(d.event_id, d.oms_id) for d in session.scalars(select(Delivery).order_by(Delivery.id))]


def test_a_project_is_created_normalised_with_a_create_event(session, make):
    owner = make.user()
    session.add(ScientificDomain(slug="physics", name="Physics"))
    session.commit()

    project = create_project(
        session,
        owner,
        ProjectData(
            name="  Dark matter  ",
            customer_typology="research",
            organization="CERN",
            scientific_domains=["Physics"],
            country="pl",
            collaboration_countries=["Germany", "FRA"],
        ),
    )
    session.commit()

    assert (project.name, project.country, project.collaboration_countries) == (
        "Dark matter",
        "Poland",
        ["France", "Germany"],
    )
    assert _events(session) == [("create", "project", None, None, None)]


def test_a_project_reports_every_broken_attribute_at_once(session, make):
    with pytest.raises(Invalid) as raised:
        create_project(
            session,
            make.user(),
            ProjectData(
                name=" ",
                customer_typology="alien",
                department_webpage="ftp://x",
                scientific_domains=["Alchemy"],
                country="Atlantis",
            ),
        )

    assert raised.value.details == {
        "name": "can't be blank",
        "customer_typology": "must be one of: single_user, research, private_company, project",
        "department_webpage": "must be an http:// or https:// address",
        "country": "'Atlantis' is not a known country",
        "scientific_domains": "'Alchemy' is not a scientific domain",
    }


def test_open_access_offers_are_ready_at_once(make):
    offer = make.offer(order_type=OrderType.OPEN_ACCESS)

    order = make.order(offer)

    assert (order.iid, order.status_type, order.status_value) == (1, StatusType.READY, "ready")
    assert [(h.status_type, h.status_value) for h in order.history] == [(StatusType.READY, "ready")]


def test_internal_offers_become_created_orders_numbered_per_project(make, session):
    offer = make.offer(internal=True)
    project = make.project()

    first, second = make.order(offer, project), make.order(offer, project)

    assert [(o.iid, o.status_type) for o in (first, second)] == [
        (1, StatusType.CREATED),
        (2, StatusType.CREATED),
    ]
    assert [e[:3] for e in _events(session)] == [
        ("create", "project", None),
        ("create", "project_item", first.id),
        ("create", "project_item", second.id),
    ]


def test_concurrent_orders_into_one_project_take_distinct_iids(make, session, engine):
    offer = make.offer(internal=True)
    project = make.project()
    factory = make_session_factory(engine)

    def place(_: int) -> None:
        with factory() as other:
            customer, mine = (
                other.get_one(User, project.owner_id),
                other.get_one(Project, project.id),
            )
            for _ in range(5):
                place_order(other, customer, mine, other.get_one(Offer, offer.id), OrderRequest({}))
                other.commit()

    with ThreadPoolExecutor(4) as threads:
        list(threads.map(place, range(4)))

    iids = session.scalars(select(Order.iid).where(Order.project_id == project.id))
    assert sorted(iids) == list(range(1, 21))


def test_offers_ordered_on_the_providers_page_are_refused(make, session):
    offer = make.offer(order_url="https://provider.example/order")
    project = make.project()

    with pytest.raises(Invalid) as raised:
        place_order(session, project.owner, project, offer, OrderRequest(values={}))

    assert raised.value.errors == {"offer": ["is ordered on the provider's own page"]}


def test_status_change_records_history_and_only_the_changed_fields(make, session):
    order = make.order(make.offer(internal=True))
    operator = make.user()

    update_order(session, order, author=operator, status=(StatusType.IN_PROGRESS, "created"))
    session.commit()

    assert [(h.status_type, h.author_id) for h in order.history] == [
        (StatusType.CREATED, order.project.owner_id),
        (StatusType.IN_PROGRESS, operator.id),
    ]
    assert _events(session)[-1] == (
        "update",
        "project_item",
        order.id,
        None,
        [{"field": "status.type", "before": "created", "after": "in_progress"}],
    )


def test_an_order_cannot_go_back_to_created(make, session):
    order = make.order(make.offer(internal=True))

    with pytest.raises(Invalid) as raised:
        update_order(session, order, author=None, status=(StatusType.CREATED, "again"))

    assert raised.value.errors == {"status": ["cannot go back to created"]}


def test_secrets_merge_and_their_change_is_obfuscated(make, session):
    order = make.order(make.offer(internal=True))
    update_order(session, order, author=None, user_secrets={"login": "ann"})

    update_order(session, order, author=None, user_secrets={"password": "s3cret"})
    update_order(session, order, author=None, user_secrets={"password": "s3cret"})
    session.commit()

    assert order.user_secrets == {"login": "ann", "password": "s3cret"}
    updates = [e for e in _events(session) if e[0] == "update"]
    assert [e[4] for e in updates] == [
        [{"field": "user_secrets", "before": "<OBFUSCATED>", "after": "<OBFUSCATED>"}]
    ] * 2


def test_secrets_must_be_strings(make, session):
    order = make.order(make.offer(internal=True))

    with pytest.raises(Invalid) as raised:
        update_order(session, order, author=None, user_secrets={"port": 22})

    assert raised.value.errors == {"user_secrets": ["values must be strings"]}


def test_voucher_changes_tell_the_customer_privately(make, session):
    order = make.order(make.offer(internal=True))
    provider = make.user()

    for voucher in ("V-1", "V-2", ""):
        update_order(session, order, author=provider, user_secrets={"voucher_id": voucher})
    session.commit()

    messages = session.scalars(select(Message).order_by(Message.id)).all()
    assert [(m.content, m.scope, m.author_role, m.order_id) for m in messages] == [
        (
            "Voucher has been granted to you, ID: V-1",
            MessageScope.USER_DIRECT,
            AuthorRole.PROVIDER,
            order.id,
        ),
        (
            "Voucher ID has been updated: V-2",
            MessageScope.USER_DIRECT,
            AuthorRole.PROVIDER,
            order.id,
        ),
        ("Voucher has been revoked", MessageScope.USER_DIRECT, AuthorRole.PROVIDER, order.id),
    ]
    assert [e[:2] for e in _events(session)[-2:]] == [
        ("update", "project_item"),
        ("create", "message"),
    ]


def test_editing_a_private_message_hides_its_text_in_the_event(make, session):
    order = make.order(make.offer(internal=True))
    message = make.message(
        order, scope=MessageScope.USER_DIRECT, role=AuthorRole.PROVIDER, content="key: 1"
    )

    edit_message(session, message, "key: 2")
    session.commit()

    assert (message.content, message.is_edited) == ("key: 2", True)
    assert _events(session)[-1] == (
        "update",
        "message",
        order.id,
        message.id,
        [{"field": "content", "before": "<OBFUSCATED>", "after": "<OBFUSCATED>"}],
    )


def test_customers_write_only_public_messages(make, session):
    project = make.project()

    with pytest.raises(Invalid) as raised:
        make.message(project, scope=MessageScope.INTERNAL, role=AuthorRole.USER)

    assert raised.value.errors == {"scope": ["customers write public messages"]}


def test_events_ring_the_orders_oms_and_the_default_oms_when_they_have_triggers(make, session):
    default = make.oms("Operations", is_default=True)
    provider_oms = make.oms("Provider desk")
    silent = make.oms("No trigger")
    for oms in (default, provider_oms):
        oms.trigger_url = f"https://{oms.id}.example/trigger"
    session.commit()
    offer = make.offer(internal=True, primary_oms_id=provider_oms.id)
    make.offer(offer.service, internal=True, primary_oms_id=silent.id)
    project = make.project()

    order = make.order(offer, project)

    project_event, order_event = session.scalars(select(Event.id).order_by(Event.id)).all()
    assert _deliveries(session) == [
        (project_event, default.id),
        (order_event, default.id),
        (order_event, provider_oms.id),
    ]
    make.message(project)
    message_event = session.scalars(select(Event.id).order_by(Event.id.desc())).first()
    assert _deliveries(session)[-2:] == [
        (message_event, default.id),
        (message_event, provider_oms.id),
    ]
    assert order.iid == 1
