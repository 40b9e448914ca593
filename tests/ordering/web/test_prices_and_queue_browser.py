"""In headless Chromium: the order form's project choice and quantity total, a data
administrator's read-only order view, and asking before a token is regenerated.

Set MERCATO_SCREENSHOTS to a folder to keep a full-page screenshot of each page."""

import os
from pathlib import Path

import pytest
from sqlalchemy import select

from mercato.accounts import rules as accounts
from mercato.ordering.models import Order, Project
from tests.factories import ALL_PARAMETERS
from tests.web.pages import log_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _shot(page, name: str) -> None:
    folder = os.environ.get("MERCATO_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def _fill_parameters(page, hours: str) -> None:
    page.get_by_label("Project code").fill("PRJ-7")
    page.get_by_label("4 CPUs").check()
    page.get_by_label("eu-central").check()
    page.get_by_label("Start").fill("2027-01-15")
    page.get_by_label("Memory").fill("32")
    page.get_by_label("Hours").fill(hours)


def test_ordering_into_a_new_project_with_the_total_updated(page, make, session):
    make.oms("Operations", is_default=True)
    service = make.service(make.provider(name="Nordic Cloud"), name="Virtual Machines")
    make.offer(service, name="Standard VM", internal=True, parameters=ALL_PARAMETERS)
    customer = make.user("lukas@example.org", first_name="Lukas", last_name="Weber")
    make.project(customer, name="Genomes")

    log_in_browser(page, "lukas@example.org")
    page.goto("/services/virtual-machines")
    page.locator("article.offer", has_text="Standard VM").get_by_role("link", name="Order").click()
    _fill_parameters(page, "12")
    page.get_by_label("New project name").fill("Climate runs")
    page.get_by_role("button", name="Order").click()
    # A typed name with "Existing project" still chosen is refused, not dropped.
    assert "choose “New project” to create it" in page.locator("#project_name-error").inner_text()
    _shot(page, "order-form-ambiguous-project")
    page.get_by_label("New project", exact=True).check()
    page.get_by_role("button", name="Update the total").click()
    assert page.locator("#quantity-total").inner_text() == "32 EUR"
    _shot(page, "order-form-total")
    page.get_by_role("button", name="Order").click()

    assert page.locator("h1").inner_text() == "Standard VM"
    assert page.locator("#order-total").inner_text() == "32 EUR"
    _shot(page, "order-page")
    [order] = session.scalars(select(Order)).all()
    assert order.project.name == "Climate runs"
    assert sorted(session.scalars(select(Project.name))) == ["Climate runs", "Genomes"]
    page.get_by_role("link", name="Climate runs").first.click()
    assert page.locator("#project-total").inner_text() == "32 EUR"
    _shot(page, "project-page")


def test_a_data_administrator_follows_her_services_orders(page, make):
    make.oms("Operations", is_default=True)
    desk = make.oms("Nordic Desk")
    steward = make.user("sara@example.org", first_name="Sara", last_name="Steward")
    service = make.service(make.provider(steward, name="Polar Data"), name="Archive")
    offer = make.offer(
        service,
        name="Cold storage",
        internal=True,
        parameters=ALL_PARAMETERS,
        primary_oms_id=desk.id,
    )
    make.order(offer, make.project(make.user(), name="Ice cores"))

    log_in_browser(page, "sara@example.org")
    page.get_by_role("link", name="Orders").click()
    _shot(page, "queue-data-administrator")
    page.get_by_role("link", name="Ice cores #1").click()

    assert "Another OMS handles this order: “Nordic Desk”." in page.locator("main").inner_text()
    assert page.get_by_role("button", name="Change status").count() == 0
    _shot(page, "queue-order-read-only")
    log_in_browser(page, make.user("nobody@example.org").email)
    page.goto("/queue")
    assert "You are none of these" in page.locator("main").inner_text()
    _shot(page, "queue-refused")


def test_regenerating_a_token_asks_first(page, make, session):
    user = make.token_user("lukas@example.org")
    log_in_browser(page, "lukas@example.org")
    page.goto("/account")
    _shot(page, "account")

    page.get_by_role("link", name="Regenerate token").click()
    assert page.locator("h1").inner_text() == "Regenerate your API token?"
    _shot(page, "confirm-regenerate")
    page.get_by_role("link", name="Keep my tokens").click()
    session.expire_all()
    assert accounts.user_for_token(session, user.token) == user.user

    page.get_by_role("link", name="Regenerate token").click()
    page.get_by_role("button", name="Regenerate token").click()
    assert "Copy it now" in page.locator("main").inner_text()
    session.expire_all()
    assert accounts.user_for_token(session, user.token) is None

    page.get_by_role("link", name="Revoke token").click()
    _shot(page, "confirm-revoke")
    page.get_by_role("button", name="Revoke token").click()
    assert "has been revoked" in page.locator("body").inner_text()


def test_regenerating_an_oms_administrators_token_asks_first(page, make):
    make.user("ada@example.org", is_admin=True)
    desk = make.oms("Nordic Desk", administrators=[make.user("desk@example.org")])

    log_in_browser(page, "ada@example.org")
    page.goto(f"/omses/{desk.id}")
    page.get_by_role("link", name="Regenerate the token of desk@example.org").click()
    assert page.locator("h1").inner_text() == "Regenerate the API token of desk@example.org?"
    _shot(page, "confirm-oms-token")
    page.get_by_role("button", name="Regenerate token").click()
    assert "New token for desk@example.org" in page.locator("main").inner_text()
