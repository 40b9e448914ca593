"""The one search in headless Chromium: from the catalogue's keyword box and the top bar's
Search to the results, narrowed by a facet, without any script of ours."""

import pytest

from tests.store.web.test_one_search import World, world

pytestmark = [pytest.mark.browser, pytest.mark.slow]

__all__ = ["world"]


def _titles(page) -> list[str]:
    return page.locator(".search-entry h2").all_inner_texts()


def test_top_bar_search_with_a_facet(page, world: World, tmp_path) -> None:
    page.goto("/")
    page.get_by_label("Search services, offers and offerings").fill("aurora")
    page.get_by_role("button", name="Search", exact=True).first.click()
    assert page.locator("#results-title").inner_text() == "5 results for “aurora”"
    page.screenshot(path=tmp_path / "search-results.png", full_page=True)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Search").click()
    page.get_by_label("Keywords").fill("aurora")
    page.get_by_label("Sort by").select_option("name")
    page.get_by_role("button", name="Search", exact=True).click()
    assert _titles(page) == [
        "Aurora Cluster",
        "Aurora Maps v1.0",
        "Aurora Maps",
        "Borealis Archive",
        "GPU nodes",
    ]

    page.locator("#facet-category").get_by_label("Storage").check()
    page.get_by_role("button", name="Apply").click()

    assert _titles(page) == ["Borealis Archive"]
    assert page.locator("#facet-category").get_by_label("Storage").is_checked()
    assert page.locator("#facet-category .facet-count").all_inner_texts() == ["2", "1"]
    page.screenshot(path=tmp_path / "search-facet.png", full_page=True)

    page.goto("/search?q=gpu&category=storage")
    assert "Nothing matches “gpu” with these filters." in page.locator(".no-results").inner_text()
    page.screenshot(path=tmp_path / "search-nothing.png", full_page=True)
    page.goto("/")
    page.screenshot(path=tmp_path / "catalogue.png", full_page=False)
