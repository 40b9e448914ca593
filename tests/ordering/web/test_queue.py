import re

import pytest
from sqlalchemy import select

from mercato.ordering.models import (
    AuthorRole,
    Event,
    EventType,
    Message,
    MessageScope,
    Order,
    StatusType,
)
from tests.web.pages import field_error, log_in, submit

MEDIATOR = ["public:mediator", "internal:mediator"]
PROVIDER = ["public:provider", "internal:provider", "user_direct:provider"]
INTERNAL, USER_DIRECT = MessageScope.INTERNAL, MessageScope.USER_DIRECT


@pytest.fixture
def world(make):
    """An operator on the default OMS, a provider's OMS with its administrator, and orders."""
    operator = make.user("operator@example.org", first_name="Olivier", last_name="Dupont")
    desk_admin = make.user("desk@example.org", first_name="Tomas", last_name="Novak")
    customer = make.user("customer@example.org", first_name="Lukas", last_name="Weber")
    default = make.oms("Operations", is_default=True, administrators=[operator])
    desk = make.oms("Nordic Desk", administrators=[desk_admin])
    nordic = make.provider(name="Nordic Cloud")
    helix = make.provider(name="Helix Life")
    project = make.project(customer, name="Genomes")
    desk_order = make.order(
        make.offer(
            make.service(nordic, name="Cloud VMs"),
            name="Small VM",
            primary_oms_id=desk.id,
            internal=True,
        ),
        project,
    )
    default_order = make.order(
        make.offer(make.service(helix, name="Sequencing"), name="Run", internal=True), project
    )
    return {
        "operator": operator,
        "desk_admin": desk_admin,
        "customer": customer,
        "default": default,
        "desk": desk,
        "project": project,
        "desk_order": desk_order,
        "default_order": default_order,
    }


def _listed(page: str) -> list[str]:
    return re.findall(r'<td><a href="/queue/\d+">([^<]+)</a></td>', page)


def _events(session) -> list[tuple]:
    session.expire_all()
    return [
        (e.type, e.resource.value, e.order_id, e.changes)
        for e in session.scalars(select(Event).order_by(Event.id))
    ]


def test_operators_see_every_order_newest_first(client, world):
    log_in(client, world["operator"])

    page = client.get("/queue").text

    assert _listed(page) == ["Genomes #2", "Genomes #1"]
    assert '<p class="result-count">2 orders</p>' in page
    assert "<td>Nordic Desk</td>" in page
    assert "<td>Default OMS</td>" in page
    assert "<td>Lukas Weber</td>" in page


def test_providers_see_only_the_orders_their_oms_handles(client, world):
    log_in(client, world["desk_admin"])

    page = client.get("/queue").text

    assert _listed(page) == ["Genomes #1"]
    assert re.findall(
        r'<option value="(\d+)"', page.split('id="oms"')[1].split("</select>")[0]
    ) == [str(world["desk"].id)]


@pytest.mark.parametrize(
    ("query", "listed"),
    [
        ("status=ready", []),
        ("status=created", ["Genomes #2", "Genomes #1"]),
        ("provider=nordic-cloud", ["Genomes #1"]),
        ("provider=helix-life", ["Genomes #2"]),
        ("oms={desk}", ["Genomes #1"]),
        ("oms={default}", ["Genomes #2"]),
        ("provider=helix-life&oms={desk}", []),
    ],
)
def test_operators_filter_by_status_provider_and_oms(client, world, query, listed):
    log_in(client, world["operator"])

    page = client.get("/queue?" + query.format(desk=world["desk"].id, default=world["default"].id))

    assert _listed(page.text) == listed


def test_the_queue_is_paginated_keeping_the_filters(client, world, make, settings):
    offer = world["default_order"].offer
    for _ in range(settings.page_size):
        make.order(offer, world["project"])
    log_in(client, world["operator"])

    first = client.get("/queue?provider=helix-life").text
    second = client.get("/queue?provider=helix-life&page=2").text

    assert len(_listed(first)) == settings.page_size
    assert 'href="?provider=helix-life&amp;page=2"' in first
    assert _listed(second) == ["Genomes #2"]


def test_an_unknown_status_filter_is_refused(client, world):
    log_in(client, world["operator"])

    assert client.get("/queue?status=lost").status_code == 400


def test_operator_changes_the_status_with_history_and_event(client, session, world):
    order = world["default_order"]
    log_in(client, world["operator"])

    response = submit(
        client,
        f"/queue/{order.id}",
        f"/queue/{order.id}/status",
        {"status": "in_progress", "status_value": "Being set up"},
    )

    assert (response.status_code, response.headers["location"]) == (303, f"/queue/{order.id}")
    session.expire_all()
    stored = session.get(Order, order.id)
    assert (stored.status_type, stored.status_value) == (StatusType.IN_PROGRESS, "Being set up")
    assert [(h.status_type, h.status_value, h.author_id) for h in stored.history] == [
        (StatusType.CREATED, "created", world["customer"].id),
        (StatusType.IN_PROGRESS, "Being set up", world["operator"].id),
    ]
    assert _events(session)[-1] == (
        EventType.UPDATE,
        "project_item",
        order.id,
        [
            {"field": "status.value", "before": "created", "after": "Being set up"},
            {"field": "status.type", "before": "created", "after": "in_progress"},
        ],
    )
    page = client.get(f"/queue/{order.id}").text
    assert "Status set to “Being set up”." in page


def test_an_empty_status_text_takes_the_statuss_name(client, session, world):
    order = world["default_order"]
    log_in(client, world["operator"])

    submit(client, f"/queue/{order.id}", f"/queue/{order.id}/status", {"status": "ready"})

    session.expire_all()
    assert session.get(Order, order.id).status_value == "ready"


def test_created_cannot_be_chosen_again(client, session, world):
    order = world["default_order"]
    log_in(client, world["operator"])
    page = client.get(f"/queue/{order.id}").text
    assert '<option value="created"' not in page

    response = submit(
        client, f"/queue/{order.id}", f"/queue/{order.id}/status", {"status": "created"}
    )

    assert response.status_code == 400
    assert field_error(response.text, "status") == "cannot go back to created"
    assert len(_events(session)) == 3  # the project and the two orders


def test_the_default_oms_cannot_change_an_order_of_another_oms(client, session, world):
    order = world["desk_order"]
    log_in(client, world["operator"])

    page = client.get(f"/queue/{order.id}").text
    response = submit(
        client, f"/queue/{order.id}", f"/queue/{order.id}/status", {"status": "ready"}
    )

    assert "Another OMS handles this order" in page
    assert response.status_code == 403
    session.expire_all()
    assert session.get(Order, order.id).status_type == StatusType.CREATED


def test_provider_sets_a_secret_shown_to_them_only_by_name(client, session, world):
    order = world["desk_order"]
    log_in(client, world["desk_admin"])

    response = submit(
        client,
        f"/queue/{order.id}",
        f"/queue/{order.id}/secrets",
        {"secret_key": "password", "secret_value": "hunter2"},
    )

    assert response.status_code == 303
    session.expire_all()
    assert session.get(Order, order.id).user_secrets == {"password": "hunter2"}
    assert _events(session)[-1] == (
        EventType.UPDATE,
        "project_item",
        order.id,
        [{"field": "user_secrets", "before": "<OBFUSCATED>", "after": "<OBFUSCATED>"}],
    )
    page = client.get(f"/queue/{order.id}").text
    assert "<dt>password</dt>" in page
    assert "hunter2" not in page


@pytest.mark.parametrize(
    ("who", "order", "audiences"),
    [
        ("operator", "default_order", [*MEDIATOR, *PROVIDER]),
        ("operator", "desk_order", MEDIATOR),
        ("desk_admin", "desk_order", PROVIDER),
    ],
)
def test_the_message_form_offers_what_the_write_rules_allow(client, world, who, order, audiences):
    log_in(client, world[who])

    page = client.get(f"/queue/{world[order].id}").text

    select = page.split('id="audience"')[1].split("</select>")[0]
    assert re.findall(r'<option value="([^"]+)"', select) == audiences


@pytest.mark.parametrize(
    ("who", "order", "audience", "scope", "role"),
    [
        ("operator", "default_order", "internal:mediator", INTERNAL, AuthorRole.MEDIATOR),
        ("operator", "desk_order", "public:mediator", MessageScope.PUBLIC, AuthorRole.MEDIATOR),
        ("desk_admin", "desk_order", "user_direct:provider", USER_DIRECT, AuthorRole.PROVIDER),
    ],
)
def test_staff_write_messages_with_their_role(
    client, session, world, who, order, audience, scope, role
):
    target = world[order]
    log_in(client, world[who])

    response = submit(
        client,
        f"/queue/{target.id}",
        f"/queue/{target.id}/messages",
        {"audience": audience, "message": "We are on it."},
    )

    assert response.headers["location"] == f"/queue/{target.id}#conversation"
    session.expire_all()
    [message] = session.scalars(select(Message)).all()
    assert (message.order_id, message.scope, message.author_role, message.author_id) == (
        target.id,
        scope,
        role,
        world[who].id,
    )
    assert _events(session)[-1] == (EventType.CREATE, "message", target.id, None)


@pytest.mark.parametrize(
    ("who", "order", "audience"),
    [
        ("operator", "desk_order", "user_direct:provider"),
        ("operator", "default_order", "user_direct:mediator"),
        ("desk_admin", "desk_order", "public:mediator"),
    ],
)
def test_writes_the_rules_forbid_are_refused(client, session, world, who, order, audience):
    target = world[order]
    log_in(client, world[who])

    response = submit(
        client,
        f"/queue/{target.id}",
        f"/queue/{target.id}/messages",
        {"audience": audience, "message": "Sneaky"},
    )

    assert response.status_code == 403
    assert session.scalars(select(Message)).all() == []


def test_a_blank_message_is_refused_with_the_draft_kept(client, session, world):
    order = world["default_order"]
    log_in(client, world["operator"])

    response = submit(
        client,
        f"/queue/{order.id}",
        f"/queue/{order.id}/messages",
        {"audience": "internal:mediator", "message": "  "},
    )

    assert response.status_code == 400
    assert field_error(response.text, "message") == "can't be blank"
    assert '<option value="internal:mediator" selected>' in response.text
    assert session.scalars(select(Message)).all() == []


def test_staff_see_the_whole_conversation_with_internal_messages(client, make, world):
    order = world["desk_order"]
    make.message(order, content="When will it be ready?")
    make.message(world["project"], content="About the whole project")
    make.message(
        order,
        scope=MessageScope.INTERNAL,
        role=AuthorRole.MEDIATOR,
        author=world["operator"],
        content="Check the quota first",
    )
    make.message(
        world["default_order"],
        scope=MessageScope.INTERNAL,
        role=AuthorRole.MEDIATOR,
        author=world["operator"],
        content="On another order",
    )
    log_in(client, world["desk_admin"])

    page = client.get(f"/queue/{order.id}").text

    contents = re.findall(r'<div class="message-content"><p>([^<]*)</p>', page)
    assert contents == [
        "When will it be ready?",
        "About the whole project",
        "Check the quota first",
    ]
    assert "Internal (staff only)" in page


def test_private_messages_are_read_only_by_who_may_write_them(client, make, world):
    order = world["desk_order"]
    make.message(
        order,
        scope=MessageScope.USER_DIRECT,
        role=AuthorRole.PROVIDER,
        author=world["desk_admin"],
        content="Your password is in the secrets",
    )
    log_in(client, world["operator"])

    page = client.get(f"/queue/{order.id}").text

    assert "Your password is in the secrets" not in page
    assert "Private message to the customer." in page


@pytest.mark.parametrize("who", ["customer", "stranger"])
def test_people_without_an_oms_have_no_queue(client, make, world, who):
    user = world["customer"] if who == "customer" else make.user()
    log_in(client, user)
    order = world["default_order"]

    assert client.get("/queue").status_code == 403
    assert client.get(f"/queue/{order.id}").status_code == 403
    assert "/queue" not in client.get("/").text


def test_a_provider_cannot_open_orders_of_other_omses(client, session, world):
    order = world["default_order"]
    log_in(client, world["desk_admin"])

    assert client.get(f"/queue/{order.id}").status_code == 404
    response = submit(client, "/queue", f"/queue/{order.id}/status", {"status": "ready"})
    assert response.status_code == 404
    session.expire_all()
    assert session.get(Order, order.id).status_type == StatusType.CREATED


def test_oms_administrators_get_the_orders_link(client, world):
    log_in(client, world["desk_admin"])

    page = client.get("/").text

    assert '<a href="/queue">Orders</a>' in page
    assert "/omses" not in page


def test_visitors_are_sent_to_log_in(client):
    response = client.get("/queue", follow_redirects=False)

    assert (response.status_code, response.headers["location"]) == (303, "/login?next=%2Fqueue")


def test_the_queue_reads_a_page_in_a_fixed_number_of_queries(client, make, world, count_queries):
    log_in(client, world["operator"])
    with count_queries() as few:
        client.get("/queue")
    other = make.project(make.user(), name="Other")
    for offer in (world["desk_order"].offer, world["default_order"].offer):
        make.order(offer, other)
        make.order(offer, other)

    with count_queries() as many:
        page = client.get("/queue").text

    assert len(_listed(page)) == 6
    assert many.count == few.count


@pytest.fixture
def steward_world(make, world):
    """A data administrator of a provider whose offer the Nordic Desk OMS handles."""
    steward = make.user("steward@example.org", first_name="Sara", last_name="Steward")
    provider = make.provider(steward, name="Polar Data")
    offer = make.offer(
        make.service(provider, name="Archive"),
        name="Cold storage",
        primary_oms_id=world["desk"].id,
        internal=True,
    )
    return {"steward": steward, "order": make.order(offer, make.project(make.user(), name="Ice"))}


def test_data_administrators_see_the_orders_of_their_services_read_only(
    client, session, world, steward_world
):
    order = steward_world["order"]
    log_in(client, steward_world["steward"])

    listing = client.get("/queue").text
    page = client.get(f"/queue/{order.id}").text
    response = submit(
        client, f"/queue/{order.id}", f"/queue/{order.id}/status", {"status": "ready"}
    )

    assert _listed(listing) == ["Ice #1"]
    assert '<a href="/queue">Orders</a>' in client.get("/").text
    assert (
        "Another OMS handles this order: “Nordic Desk”. You can follow it; its administrators"
        in page
    )
    assert 'action="/queue/' not in page
    assert response.status_code == 403
    session.expire_all()
    assert session.get(Order, order.id).status_type == StatusType.CREATED


def test_data_administrators_do_not_see_other_providers_orders(client, world, steward_world):
    log_in(client, steward_world["steward"])

    assert client.get(f"/queue/{world['desk_order'].id}").status_code == 404
    assert client.get(f"/queue/{world['default_order'].id}").status_code == 404


def test_site_admins_see_every_queue_read_only(client, make, world, steward_world):
    log_in(client, make.user(is_admin=True))

    listing = client.get("/queue").text
    page = client.get(f"/queue/{world['desk_order'].id}").text

    assert _listed(listing) == ["Ice #1", "Genomes #2", "Genomes #1"]
    assert "Every order, as a site administrator." in listing
    assert re.findall(r'<option value="\d+">([^<]+)</option>', listing.split('id="oms"')[1]) == [
        "Operations",
        "Nordic Desk",
    ]
    assert "Another OMS handles this order: “Nordic Desk”." in page


def test_a_refused_queue_says_who_may_see_it_and_why(client, world):
    log_in(client, world["customer"])

    page = client.get("/queue")

    assert page.status_code == 403
    assert (
        "The order queue is for the administrators of an OMS (the orders it handles), the data "
        "administrators of a provider (the orders of its services&#39; offers) and site "
        "administrators (every order). You are none of these"
    ) in page.text
