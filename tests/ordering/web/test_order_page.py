"""An order's page as its customer sees it: values, status history, secrets, conversation."""

import re

import pytest
from sqlalchemy import select

from mercato.ordering.models import (
    AuthorRole,
    Event,
    EventResource,
    EventType,
    Message,
    MessageScope,
    StatusType,
)
from mercato.ordering.orders import update_order
from tests.factories import ALL_PARAMETERS
from tests.web.pages import field_error, log_in, submit


@pytest.fixture
def customer(client, make):
    user = make.user()
    log_in(client, user)
    return user


@pytest.fixture
def order(make, customer):
    service = make.service(name="Cloud", provider=make.provider(name="Cyfronet"))
    offer = make.offer(service, name="Standard VM", internal=True, parameters=ALL_PARAMETERS)
    return make.order(offer, make.project(customer, name="Climate study"))


def _url(order) -> str:
    return f"/projects/{order.project_id}/orders/{order.iid}"


def _messages(page: str) -> list[str]:
    return re.findall(r'<div class="message-content"><p>([^<]*)</p>', page)


def test_order_page_shows_the_offer_and_the_chosen_values(client, order):
    page = client.get(_url(order)).text

    assert "<h1>Standard VM</h1>" in page
    assert '<a href="/services/cloud">Cloud</a> · Cyfronet' in page
    rows = re.findall(r"<dt>([^<]+)</dt>\s*<dd>([^<]*)</dd>", page)
    assert rows[:7] == [
        ("Storage", "100 GB"),
        ("Project code", "ABC-1"),
        ("CPU cores", "1 CPUs"),
        ("Regions", "eu-west"),
        ("Start", "2026-12-01"),
        ("Memory", "64 GB"),
        ("Hours", "1"),
    ]


def test_order_page_shows_the_status_and_its_whole_history(client, make, session, order):
    operator = make.user()
    update_order(session, order, author=operator, status=(StatusType.IN_PROGRESS, "Being set up"))
    update_order(session, order, author=operator, status=(StatusType.READY, "Delivered"))
    session.commit()

    page = client.get(_url(order)).text

    status = re.search(r'<div class="order-status-box">(.*?)</div>', page, re.S)[1]
    assert [text.strip() for text in re.findall(r">([^<>]+)<", status) if text.strip()] == [
        "Status",
        "Ready",
        "Delivered",
    ]
    history = re.findall(
        r'<span class="badge order-status status-([a-z-]+)">([^<]+)</span></td>\s*<td>([^<]*)</td>',
        page,
    )
    assert history == [
        ("created", "Created", "created"),
        ("in-progress", "In progress", "Being set up"),
        ("ready", "Ready", "Delivered"),
    ]


def test_the_owner_sees_the_secrets_the_provider_gave(client, make, session, order):
    update_order(session, order, author=make.user(), user_secrets={"password": "s3cret"})
    session.commit()

    page = client.get(_url(order)).text

    assert "<div><dt>password</dt><dd><code>s3cret</code></dd></div>" in page


def test_an_order_without_secrets_says_so(client, order):
    page = client.get(_url(order)).text

    assert "None yet. The provider puts credentials and delivery details here." in page


def test_a_sensitive_value_is_not_shown_again(client, make, customer):
    parameter = {**ALL_PARAMETERS[1], "sensitive": True}
    order = make.order(make.offer(internal=True, parameters=[parameter]), make.project(customer))

    page = client.get(_url(order)).text

    assert "ABC-1" not in page
    assert '<span class="muted">hidden (sensitive)</span>' in page


def test_a_requested_voucher_is_shown(client, make, customer):
    offer = make.offer(internal=True)
    order = make.order(offer, make.project(customer), request_voucher=True, voucher_id="V-42")

    page = client.get(_url(order)).text

    assert '<p class="voucher">Voucher requested: V-42.</p>' in page


@pytest.mark.parametrize(
    ("scope", "role", "shown"),
    [
        (MessageScope.PUBLIC, AuthorRole.USER, True),
        (MessageScope.PUBLIC, AuthorRole.PROVIDER, True),
        (MessageScope.PUBLIC, AuthorRole.MEDIATOR, True),
        (MessageScope.USER_DIRECT, AuthorRole.PROVIDER, True),
        (MessageScope.INTERNAL, AuthorRole.PROVIDER, False),
        (MessageScope.INTERNAL, AuthorRole.MEDIATOR, False),
    ],
)
def test_order_conversation_shows_all_but_internal_messages(
    client, make, order, scope, role, shown
):
    make.message(order, scope=scope, role=role, author=make.user(), content="The words")

    page = client.get(_url(order)).text

    assert _messages(page) == (["The words"] if shown else [])


def test_a_private_message_is_marked_as_private_to_the_customer(client, make, session, order):
    update_order(session, order, author=make.user(), user_secrets={"voucher_id": "V-7"})
    session.commit()

    page = client.get(_url(order)).text

    assert _messages(page) == ["Voucher has been granted to you, ID: V-7"]
    assert '<span class="badge private">Private to you</span>' in page


def test_order_conversation_leaves_out_the_projects_own_messages(client, make, order):
    make.message(order.project, content="About the project")
    make.message(order, content="About the order")

    page = client.get(_url(order)).text

    assert _messages(page) == ["About the order"]


def test_customer_writes_a_public_message_on_their_order(client, session, customer, order):
    events_before = session.query(Event).count()

    response = submit(client, _url(order), _url(order) + "/messages", {"message": "When?"})

    assert response.status_code == 303
    assert response.headers["location"] == _url(order) + "#conversation"
    [message] = session.scalars(select(Message)).all()
    assert (
        message.project_id,
        message.order_id,
        message.scope,
        message.author_role,
        message.author_id,
        message.content,
    ) == (order.project_id, order.id, MessageScope.PUBLIC, AuthorRole.USER, customer.id, "When?")
    events = session.scalars(select(Event).order_by(Event.id).offset(events_before)).all()
    assert [(e.type, e.resource, e.order_id, e.message_id) for e in events] == [
        (EventType.CREATE, EventResource.MESSAGE, order.id, message.id)
    ]
    assert _messages(client.get(_url(order)).text) == ["When?"]


def test_a_too_long_message_is_refused_next_to_its_input(client, session, order):
    response = submit(client, _url(order), _url(order) + "/messages", {"message": "x" * 10_001})

    assert response.status_code == 400
    assert field_error(response.text, "message") == "is too long (10000 characters at most)"
    assert session.scalars(select(Message)).all() == []


@pytest.mark.parametrize("path", ["/projects/{p}/orders/{i}", "/projects/{p}/orders/99"])
def test_orders_of_other_customers_or_unknown_do_not_exist(client, make, customer, path):
    others = make.order(make.offer(internal=True), make.project(make.user()))
    mine = make.project(customer)
    project_id = others.project_id if "{i}" in path else mine.id

    response = client.get(path.format(p=project_id, i=others.iid))

    assert response.status_code == 404


def test_another_customer_cannot_write_on_an_order(client, make, session):
    order = make.order(make.offer(internal=True), make.project(make.user()))
    log_in(client, make.user())

    response = submit(client, "/projects", _url(order) + "/messages", {"message": "Sneaky"})

    assert response.status_code == 404
    assert session.scalars(select(Message)).all() == []
