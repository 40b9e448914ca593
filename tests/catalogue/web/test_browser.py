"""The offer journey of a data administrator, in headless Chromium against a live server."""

import pytest
from sqlalchemy import select

from mercato.catalogue.models import Offer, OfferStatus
from tests.web.pages import log_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.slow]


# What the data administrator types into each kind of parameter card.
PARAMETERS_TYPED = [
    ("Constant", {"label": "Storage", "value": "100", "unit": "GB"}, {"value_type": "integer"}),
    ("Input", {"label": "Project code"}, {}),
    ("Select", {"label": "CPU cores", "values": "1\n2\n4"}, {"value_type": "integer"}),
    ("Multiselect", {"label": "Regions", "values": "eu-west\neu-central"}, {}),
    ("Date", {"label": "Start", "description": "First day of use"}, {}),
    ("Range", {"label": "Memory", "minimum": "1", "maximum": "64", "unit": "GB"}, {}),
    (
        "Quantity price",
        {"label": "Hours", "start_price": "10", "step_price": "2", "currency": "EUR"},
        {},
    ),
]


def test_data_administrator_creates_a_draft_offer_then_publishes_it(page, make, session):
    admin = make.user("anna@example.org")
    make.service(make.provider(admin, name="Cyfronet"), name="Cloud Platform")

    log_in_browser(page, "anna@example.org")

    page.get_by_role("link", name="Cloud Platform").click()
    page.get_by_text("Manage the service").click()
    page.get_by_role("link", name="Set parameters and offers").click()
    page.get_by_role("link", name="Add new offer").click()

    page.fill("#name", "Standard VM")
    page.fill("#description", "A virtual machine")
    page.select_option("#order_type", "order_required")
    for position, (kind, texts, choices) in enumerate(PARAMETERS_TYPED):
        page.get_by_role("button", name=f"+ {kind}").click()
        for field, text in texts.items():
            page.fill(f"#parameters-{position}-{field}", text)
        for field, choice in choices.items():
            page.select_option(f"#parameters-{position}-{field}", choice)
    page.get_by_role("button", name="Draft offer").click()

    offer_card = page.locator("article.offer", has_text="Standard VM")
    assert offer_card.locator(".badge.status-draft").inner_text() == "DRAFT"

    offer_card.get_by_role("link", name="Edit parameters").click()
    assert page.input_value("#parameters-6-currency") == "EUR"
    page.get_by_role("button", name="Update offer").click()
    assert offer_card.locator(".badge.status-published").inner_text() == "PUBLISHED"

    page.goto("/services/cloud-platform")
    shown = page.locator("article.offer", has_text="Standard VM").inner_text()
    for line in (
        "Storage",
        "100 GB",
        "CPU cores",
        "choose 1 to 2",
        "a date, chosen when ordering",
        "1 \u2013 64 GB",
        "start 10 EUR, then 2 EUR per step",
    ):
        assert line in shown
    [offer] = session.scalars(select(Offer)).all()
    assert offer.status == OfferStatus.PUBLISHED
    assert [p["label"] for p in offer.parameters] == [t["label"] for _, t, _ in PARAMETERS_TYPED]
