"""The delivery log page: who sees it, what it shows, pages, and Redeliver."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from mercato.ordering.events import NEW_DELIVERIES
from mercato.ordering.models import Delivery, DeliveryAttempt, DeliveryStatus
from tests.web.pages import csrf_token, log_in, submit

AT = datetime(2026, 3, 1, 12, 0, 5, tzinfo=UTC)


@pytest.fixture
def logged(make, session):
    """An OMS with a failed delivery whose attempt is logged, and its administrator."""
    administrator = make.user()
    oms = make.oms(
        is_default=True, administrators=[administrator], trigger_url="http://93.184.216.34/hook"
    )
    make.project()
    delivery = session.scalars(select(Delivery)).one()
    delivery.status, delivery.attempts = DeliveryStatus.FAILED, 1
    delivery.attempt_log.append(
        DeliveryAttempt(
            started_at=AT,
            url=oms.trigger_url,
            method="post",
            status_code=404,
            duration_ms=12,
            error="",
        )
    )
    session.commit()
    session.info.pop(NEW_DELIVERIES, None)
    return oms, delivery, administrator


def test_oms_administrator_sees_each_delivery_with_its_attempts(client, logged):
    oms, delivery, administrator = logged
    log_in(client, administrator)

    page = client.get(f"/omses/{oms.id}/deliveries")

    assert page.status_code == 200
    assert f"Delivery {delivery.id}" in page.text
    assert '<span class="badge delivery-failed">failed</span>' in page.text
    assert "<td>2026-03-01 12:00:05 UTC</td>" in page.text
    assert "<td>404</td>" in page.text
    assert "<td>12 ms</td>" in page.text
    assert f'action="/omses/{oms.id}/deliveries/{delivery.id}/redeliver"' in page.text


@pytest.mark.parametrize(("who", "status"), [("admin", 200), ("other", 403), ("oms_admin", 200)])
def test_only_the_omss_administrators_and_site_admins_see_its_deliveries(
    client, make, logged, who, status
):
    oms, _, administrator = logged
    users = {"admin": make.user(is_admin=True), "other": make.user(), "oms_admin": administrator}
    log_in(client, users[who])
    assert client.get(f"/omses/{oms.id}/deliveries").status_code == status


def test_delivery_log_needs_a_login(client, logged):
    oms, _, _ = logged
    response = client.get(f"/omses/{oms.id}/deliveries", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


def test_redeliver_makes_the_delivery_pending_again(client, session, logged):
    oms, delivery, administrator = logged
    log_in(client, administrator)
    page = f"/omses/{oms.id}/deliveries"
    queued_before = client.app.state.queue.huey.pending_count()

    response = submit(client, page, f"{page}/{delivery.id}/redeliver")

    assert (response.status_code, response.headers["location"]) == (303, page)
    session.refresh(delivery)
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 0)
    assert client.app.state.queue.huey.pending_count() == queued_before + 1
    assert f"Delivery {delivery.id} will be sent again." in client.get(page).text


def test_redeliver_is_refused_to_others_and_without_a_csrf_token(client, make, session, logged):
    oms, delivery, administrator = logged
    action = f"/omses/{oms.id}/deliveries/{delivery.id}/redeliver"
    log_in(client, make.user())
    token = csrf_token(client, "/login")
    assert client.post(action, data={"csrftoken": token}).status_code == 403
    log_in(client, administrator)
    assert client.post(action, data={}).status_code == 403
    session.refresh(delivery)
    assert delivery.status == DeliveryStatus.FAILED


def test_redeliver_of_another_omss_delivery_is_not_found(client, make, logged):
    _, delivery, _ = logged
    other_admin = make.user()
    other = make.oms(administrators=[other_admin])
    log_in(client, other_admin)
    page = f"/omses/{other.id}/deliveries"
    assert submit(client, page, f"{page}/{delivery.id}/redeliver").status_code == 404


def test_delivery_log_is_paginated_newest_first(client, make, session, logged):
    oms, first, administrator = logged
    for _ in range(20):
        make.project()
    log_in(client, administrator)
    newest = session.scalars(select(Delivery.id).order_by(Delivery.id.desc())).first()

    page_one = client.get(f"/omses/{oms.id}/deliveries").text
    page_two = client.get(f"/omses/{oms.id}/deliveries?page=2").text

    assert f"Delivery {newest}<" in page_one.replace(" <span", "<")
    assert f"Delivery {first.id} " not in page_one
    assert f"Delivery {first.id} " in page_two
    assert "21 deliveries" in page_one
