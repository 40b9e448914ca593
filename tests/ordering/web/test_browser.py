"""An order's whole journey, in headless Chromium against a live server: a customer
orders an offer with parameters, the operations team handles it, both talk."""

import pytest
from sqlalchemy import select

from mercato.ordering.models import Event, Order, StatusType
from tests.factories import ALL_PARAMETERS
from tests.web.pages import log_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _fill_parameters(page) -> None:
    page.get_by_label("Project code").fill("PRJ-7")
    page.get_by_label("4 CPUs").check()
    page.get_by_label("eu-central").check()
    page.get_by_label("Start").fill("2027-01-15")
    page.get_by_label("Memory").fill("32")
    page.get_by_label("Hours").fill("12")


def test_customer_orders_operator_answers_and_customer_sees_both(page, make, session):
    operator = make.user("olivier@example.org", first_name="Olivier", last_name="Dupont")
    make.oms("Operations", is_default=True, administrators=[operator])
    service = make.service(make.provider(name="Nordic Cloud"), name="Virtual Machines")
    make.offer(service, name="Standard VM", internal=True, parameters=ALL_PARAMETERS)
    make.user("lukas@example.org", first_name="Lukas", last_name="Weber")

    log_in_browser(page, "lukas@example.org")
    page.goto("/services/virtual-machines")
    page.locator("article.offer", has_text="Standard VM").get_by_role("link", name="Order").click()
    _fill_parameters(page)
    page.get_by_label("New project name").fill("Climate runs")
    page.locator(".form-actions").get_by_role("button", name="Order").click()
    assert page.locator("h1").inner_text() == "Standard VM"
    assert page.locator(".order-status").first.inner_text().upper() == "CREATED"

    log_in_browser(page, "olivier@example.org")
    page.goto("/queue")
    page.get_by_role("link", name="Climate runs #1").click()
    page.get_by_label("New status").select_option("in_progress")
    page.get_by_label("Status text").fill("VM being provisioned")
    page.get_by_role("button", name="Change status").click()
    page.get_by_label("Your message").fill("Your VM will be ready tomorrow.")
    page.get_by_role("button", name="Send message").click()

    log_in_browser(page, "lukas@example.org")
    page.goto("/projects")
    page.get_by_role("link", name="Climate runs").click()
    page.get_by_role("link", name="Standard VM").click()
    shown = page.locator("main").inner_text()
    assert "VM being provisioned" in shown
    assert "Your VM will be ready tomorrow." in shown
    assert "PRJ-7" in shown

    [order] = session.scalars(select(Order)).all()
    assert (order.status_type, order.status_value) == (
        StatusType.IN_PROGRESS,
        "VM being provisioned",
    )
    assert {p["id"]: p["value"] for p in order.offer_properties if p["type"] != "attribute"} == {
        "1": "PRJ-7",
        "2": 4,
        "3": ["eu-central"],
        "4": "2027-01-15",
        "5": 32,
        "6": 12,
    }
    kinds = [
        (e.type.value, e.resource.value) for e in session.scalars(select(Event).order_by(Event.id))
    ]
    assert kinds == [
        ("create", "project"),
        ("create", "project_item"),
        ("update", "project_item"),
        ("create", "message"),
    ]
