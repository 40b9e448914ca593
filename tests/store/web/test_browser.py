"""The store's whole journey in headless Chromium against a live server: a provider uploads
an asset, creates and publishes an offering with it; a customer finds it by keyword and by
tag, acquires it as open, downloads the asset and reviews it."""

import pytest
from sqlalchemy import select

from mercato.catalogue.models import OfferStatus
from mercato.ordering.models import Order
from mercato.store.models import Asset, Review, StoreOffering
from tests.store.world import PNG, WIDGET
from tests.web.pages import log_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _provider_option(page, name: str) -> None:
    page.goto("/store/my-offerings")
    page.get_by_text("Provider options").click()
    page.get_by_role("link", name=name).click()


def _manage(page, action: str) -> None:
    page.get_by_text("Manage the offering").click()
    page.get_by_role("link", name=action).click()


def _upload_asset(page) -> None:
    _provider_option(page, "Register asset")
    page.get_by_label("Name").fill("Map Viewer")
    page.get_by_label("Version").fill("1.0")
    page.get_by_label("Description").fill("A widget that shows city maps")
    page.get_by_label("MIME type").fill("application/zip")
    page.set_input_files(
        "#file", files=[{"name": "widget.zip", "mimeType": "application/zip", "buffer": WIDGET}]
    )
    page.get_by_label("Open asset").check()
    page.get_by_role("button", name="Register asset").click()
    assert page.locator("h1").inner_text() == "Map Viewer v1.0"


def _create_offering(page) -> None:
    _provider_option(page, "Create offering")
    page.get_by_label("Name").fill("Smart City Lights")
    page.get_by_label("Version").fill("1.0")
    page.set_input_files(
        "#logo", files=[{"name": "logo.png", "mimeType": "image/png", "buffer": PNG}]
    )
    page.get_by_label("Open offering").check()
    page.get_by_label("Abstract").fill("Street lights that dim when nobody is around")
    page.get_by_label("Description", exact=True).fill("Saves energy in every street of the city.")
    page.get_by_label("Map Viewer").check()
    page.get_by_role("button", name="Create offering").click()
    assert page.locator("h1").inner_text() == "Smart City Lights v1.0"


def _tag_and_publish(page) -> None:
    _manage(page, "Update tags")
    page.get_by_label("Tags").fill("lighting, energy")
    page.get_by_role("button", name="Save tags").click()
    _manage(page, "Publish")
    page.get_by_role("button", name="Publish offering").click()
    assert page.locator(".flash").inner_text() == (
        "Offering “Smart City Lights” version 1.0 is published."
    )


def _find(page) -> None:
    page.goto("/store")
    page.get_by_label("Keywords").fill("dim")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Smart City Lights").first.click()
    assert page.locator("h1").inner_text() == "Smart City Lights v1.0"
    page.get_by_role("link", name="energy").click()
    page.get_by_role("link", name="Smart City Lights").first.click()


def _acquire_and_download(page) -> bytes:
    page.get_by_role("link", name="Acquire").click()
    page.get_by_label("New project", exact=True).check()
    page.get_by_label("New project name").fill("City pilots")
    page.get_by_role("button", name="Add to project").click()
    page.goto("/store/my-offerings?tab=acquired")
    page.get_by_role("link", name="Smart City Lights").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download Map Viewer").click()
    with open(download.value.path(), "rb") as handle:
        return handle.read()


def _review(page) -> None:
    page.get_by_label("4 stars").check()
    page.get_by_label("Title").fill("Bright idea")
    page.get_by_label("Comment").fill("Our street saves a third of its energy.")
    page.get_by_role("button", name="Publish review").click()


def test_provider_publishes_an_asset_and_a_customer_finds_acquires_downloads_and_reviews_it(
    page, make, session
):
    provider_user = make.user("ana@conwet.example", first_name="Ana", last_name="Ruiz")
    make.provider(provider_user, name="CoNWeT")
    customer = make.user("carl@example.org", first_name="Carl", last_name="Berg")

    log_in_browser(page, "ana@conwet.example")
    _upload_asset(page)
    _create_offering(page)
    _tag_and_publish(page)

    log_in_browser(page, "carl@example.org")
    _find(page)
    downloaded = _acquire_and_download(page)
    _review(page)

    assert downloaded == WIDGET
    review_card = page.locator("article.review").inner_text()
    assert "Bright idea" in review_card
    assert "Our street saves a third of its energy." in review_card
    session.expire_all()
    offering = session.scalars(select(StoreOffering)).one()
    assert (offering.offer.status, offering.is_open, offering.offer.tags) == (
        OfferStatus.PUBLISHED,
        True,
        ["lighting", "energy"],
    )
    assert [asset.name for asset in offering.assets] == ["Map Viewer"]
    assert offering.rating == 4.0
    [order] = session.scalars(select(Order)).all()
    assert (order.offer_id, order.project.owner_id) == (offering.offer_id, customer.id)
    [review] = session.scalars(select(Review)).all()
    assert (review.user_id, review.rating, review.title) == (customer.id, 4, "Bright idea")
    assert session.scalars(select(Asset.is_open)).all() == [True]
