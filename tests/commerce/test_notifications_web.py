"""The purchase notification log page: who sees what, the attempts, and Redeliver."""

import pytest

from mercato.ordering.models import DeliveryStatus
from tests.commerce.selling import URL
from tests.web.pages import csrf_token, log_in, submit

PAGE = "/notifications"


def test_the_providers_data_administrator_sees_each_notification_and_attempt(
    client, seller, failed
):
    log_in(client, seller.user)

    page = client.get(PAGE)

    assert page.status_code == 200
    assert f"Notification {failed.id}" in page.text
    assert '<span class="badge delivery-failed">failed</span>' in page.text
    assert (
        "CoNWeT: Smart City Lights 1.0 bought by Globex, purchase <code>ref-1</code>" in page.text
    )
    assert "<td>2026-03-01 12:00:05 UTC</td>" in page.text
    assert f'<td><code>POST</code> <span class="url">{URL}</span></td>' in page.text
    assert "<td>404</td>" in page.text
    assert "<td>12 ms</td>" in page.text
    assert f'action="/notifications/{failed.id}/redeliver"' in page.text


@pytest.mark.parametrize(("who", "status", "shown"), [("admin", 200, True), ("other", 403, False)])
def test_site_admins_see_every_providers_notifications_others_none(
    client, make, failed, who, status, shown
):
    users = {"admin": make.user(is_admin=True), "other": make.user()}
    log_in(client, users[who])

    page = client.get(PAGE)

    assert page.status_code == status
    assert (f"Notification {failed.id}" in page.text) is shown


def test_another_providers_administrator_sees_none_of_them(client, make, failed):
    stranger = make.user()
    make.provider(stranger, name="Globex")
    log_in(client, stranger)

    page = client.get(PAGE)

    assert page.status_code == 200
    assert f"Notification {failed.id}" not in page.text
    assert "No notifications yet" in page.text
    token = csrf_token(client, PAGE)
    action = f"{PAGE}/{failed.id}/redeliver"
    assert client.post(action, data={"csrftoken": token}).status_code == 403


def test_redeliver_makes_the_notification_pending_and_queues_it(client, session, seller, failed):
    log_in(client, seller.user)
    queued_before = client.app.state.queue.huey.pending_count()

    response = submit(client, PAGE, f"{PAGE}/{failed.id}/redeliver")

    assert (response.status_code, response.headers["location"]) == (303, PAGE)
    session.refresh(failed)
    assert (failed.status, failed.attempts) == (DeliveryStatus.PENDING, 0)
    assert client.app.state.queue.huey.pending_count() == queued_before + 1
    page = client.get(PAGE).text
    assert f"Notification {failed.id} will be sent again." in page
    assert f'action="/notifications/{failed.id}/redeliver"' not in page


def test_redeliver_needs_the_csrf_token_and_an_existing_notification(
    client, session, seller, failed
):
    log_in(client, seller.user)
    assert client.post(f"{PAGE}/{failed.id}/redeliver", data={}).status_code == 403
    assert submit(client, PAGE, f"{PAGE}/{failed.id + 1}/redeliver").status_code == 404
    session.refresh(failed)
    assert failed.status == DeliveryStatus.FAILED


def test_the_log_needs_a_login(client, failed):
    response = client.get(PAGE, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")
