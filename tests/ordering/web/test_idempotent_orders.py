"""Idempotency-Key on the order forms: a retried submission orders once and answers the same."""

import re
import uuid

import pytest
from sqlalchemy import func, select

from mercato.ordering.models import Event, EventResource, EventType, IdempotencyKey, Order
from tests.live import running_app
from tests.ordering.web.test_bundle_order import FORM as BUNDLE_FORM
from tests.ordering.web.test_bundle_order import bundle  # noqa: F401  (a fixture)
from tests.web.pages import csrf_token, log_in, post_together, submit

_KEY_FIELD = re.compile(r'<input type="hidden" name="idempotency_key" value="([^"]+)">')


@pytest.fixture
def customer(client, make):
    user = make.user()
    log_in(client, user)
    return user


@pytest.fixture
def offer(make):
    return make.offer(name="Standard VM", internal=True)


def _form_url(offer) -> str:
    return f"/services/{offer.service.slug}/offers/{offer.iid}/order"


def _orders(session) -> list[tuple[int, int]]:
    session.expire_all()
    return [(o.project_id, o.iid) for o in session.scalars(select(Order).order_by(Order.id))]


def _order_events(session) -> int:
    created = select(func.count(Event.id)).where(
        Event.type == EventType.CREATE, Event.resource == EventResource.PROJECT_ITEM
    )
    return session.scalar(created)


def test_each_showing_of_the_order_form_carries_a_new_key(client, customer, offer):
    keys = [_KEY_FIELD.findall(client.get(_form_url(offer)).text) for _ in range(2)]

    assert [len(found) for found in keys] == [1, 1]
    assert keys[0] != keys[1]
    assert all(uuid.UUID(found[0]) for found in keys)


def test_a_resubmitted_order_form_orders_once_and_answers_the_same(
    client, make, session, customer, offer
):
    project = make.project(customer, name="Climate study")
    fields = {"project": str(project.id), "idempotency_key": "form-key-1"}

    first = submit(client, _form_url(offer), _form_url(offer), fields)
    again = submit(client, _form_url(offer), _form_url(offer), fields)

    location = f"/projects/{project.id}/orders/1"
    assert [(r.status_code, r.headers["location"]) for r in (first, again)] == [
        (303, location),
        (303, location),
    ]
    assert _orders(session) == [(project.id, 1)]
    assert _order_events(session) == 1
    notice = "Your order of “Standard VM” has been placed in project “Climate study”."
    assert notice in client.get(location).text


def test_the_idempotency_key_header_is_honoured(client, make, session, customer, offer):
    project = make.project(customer)
    url = _form_url(offer)

    answers = [
        client.post(
            url,
            data={"csrftoken": csrf_token(client, url), "project": str(project.id)},
            headers={"Idempotency-Key": "header-key-1"},
            follow_redirects=False,
        )
        for _ in range(2)
    ]

    assert [a.status_code for a in answers] == [303, 303]
    assert _orders(session) == [(project.id, 1)]


def test_the_same_key_with_another_order_is_refused_naming_the_header(
    client, make, session, customer, offer
):
    first, second = make.project(customer), make.project(customer)
    submit(
        client,
        _form_url(offer),
        _form_url(offer),
        {"project": str(first.id), "idempotency_key": "k"},
    )

    refused = submit(
        client,
        _form_url(offer),
        _form_url(offer),
        {"project": str(second.id), "idempotency_key": "k"},
    )

    assert refused.status_code == 422
    assert "Idempotency-Key" in refused.text
    assert "was already used for a different request" in refused.text
    assert _orders(session) == [(first.id, 1)]


def test_a_refused_form_keeps_its_key_and_orders_once_when_fixed(
    client, make, session, customer, offer
):
    project = make.project(customer)
    url = _form_url(offer)

    refused = submit(client, url, url, {"project": "", "idempotency_key": "kept-key"})

    assert refused.status_code == 400
    assert _KEY_FIELD.findall(refused.text) == ["kept-key"]
    assert session.scalars(select(IdempotencyKey)).all() == []
    fixed = {"project": str(project.id), "idempotency_key": "kept-key"}
    answers = [submit(client, url, url, fixed) for _ in range(2)]
    assert [a.status_code for a in answers] == [303, 303]
    assert _orders(session) == [(project.id, 1)]


def test_a_submission_without_a_key_orders_every_time(client, make, session, customer, offer):
    project = make.project(customer)

    for _ in range(2):
        submit(client, _form_url(offer), _form_url(offer), {"project": str(project.id)})

    assert _orders(session) == [(project.id, 1), (project.id, 2)]


def test_a_resubmitted_bundle_form_orders_the_bundle_once(
    client,
    make,
    session,
    customer,
    bundle,  # noqa: F811
):
    project = make.project(customer)
    fields = {
        "project": str(project.id),
        "offer-0-value-0": "4",
        "offer-1-value-0": "ABC-1",
        "idempotency_key": "bundle-key",
    }

    answers = [submit(client, BUNDLE_FORM, BUNDLE_FORM, fields) for _ in range(2)]

    assert [(a.status_code, a.headers["location"]) for a in answers] == [
        (303, f"/projects/{project.id}"),
        (303, f"/projects/{project.id}"),
    ]
    assert _orders(session) == [(project.id, 1), (project.id, 2), (project.id, 3)]
    assert _order_events(session) == 3


# --- two identical submissions at once, against the real server ------------------------

ROUNDS = 4


def test_two_identical_concurrent_orders_place_one_order(make, session, database_url, tmp_path):
    customer = make.user()
    offer = make.offer(name="Standard VM", internal=True)
    project = make.project(customer)
    url = _form_url(offer)

    with running_app(database_url, tmp_path) as base:
        rounds = [
            post_together(
                base, customer, url, {"project": str(project.id), "idempotency_key": f"race-{n}"}
            )
            for n in range(ROUNDS)
        ]

    assert [[(a.status_code, a.headers["location"]) for a in answers] for answers in rounds] == [
        [(303, f"/projects/{project.id}/orders/{n}")] * 2 for n in range(1, ROUNDS + 1)
    ]
    assert _orders(session) == [(project.id, n) for n in range(1, ROUNDS + 1)]
    assert _order_events(session) == ROUNDS
    assert session.scalar(select(func.count(IdempotencyKey.id))) == ROUNDS
