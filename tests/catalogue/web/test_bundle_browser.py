"""The bundle journey in headless Chromium against a live server: a data administrator
creates a bundle, a customer orders it."""

import pytest
from sqlalchemy import select

from mercato.catalogue.bundles import REQUIRED_VOCABULARIES
from mercato.catalogue.rules import named_rows
from mercato.ordering.models import Order
from tests.factories import TERMS
from tests.web.pages import log_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_a_bundle_is_made_in_the_form_then_ordered_as_one_choice(page, make, session):
    admin = make.user("anna@example.org")
    make.user("carl@example.org")
    compute = make.service(make.provider(admin, name="Cyfronet"), name="Cloud Platform")
    make.offer(compute, name="Standard VM", internal=True)
    make.offer(make.service(name="Object Storage"), name="Bucket", internal=True)
    for name, model in REQUIRED_VOCABULARIES.items():
        named_rows(session, model, [TERMS[name]])
    session.commit()

    log_in_browser(page, "anna@example.org")
    page.goto("/services/cloud-platform/offers")
    page.get_by_role("link", name="Add new bundle").click()
    page.fill("#name", "Compute kit")
    page.fill("#description", "A VM and a bucket")
    page.select_option("#main_offer", label="Standard VM")
    page.get_by_label("Object Storage · Bucket").check()
    for term in TERMS.values():
        page.get_by_label(term, exact=True).check()
    page.fill("#helpdesk_url", "https://help.example.org")
    page.get_by_role("button", name="Publish bundle").click()

    card = page.locator("article.bundle", has_text="Compute kit")
    assert card.locator(".badge.status-published").inner_text() == "PUBLISHED"

    log_in_browser(page, "carl@example.org")
    page.goto("/services/cloud-platform")
    page.get_by_role("link", name="Order the bundle: Compute kit").click()
    page.fill("#project_name", "Thesis")
    page.get_by_role("button", name="Order the bundle").click()

    assert "2 orders placed" in page.locator(".flash").inner_text()
    ordered = session.scalars(select(Order.offer_id).order_by(Order.iid)).all()
    assert len(ordered) == 2
