"""/docs in headless Chromium: Swagger UI renders Mercato's document (OpenAPI 3.1) and,
from its selector, the EOSC documents, their schema files fetched over HTTP."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _operation(page, method: str, path: str):
    return page.locator(f".opblock-{method.lower()}", has=page.get_by_text(path, exact=True))


def test_docs_render_mercatos_document_with_every_api(page, tmp_path):
    page.goto("/docs")

    events = _operation(page, "get", "/api/v1/oms/{oms_id}/events")
    events.wait_for()
    assert page.locator(".info .title").inner_text().startswith("Mercato")
    assert _operation(page, "get", "/api/offering/offerings").count() == 1
    assert page.get_by_text("Unable to render this definition").count() == 0
    page.screenshot(path=tmp_path / "docs.png", full_page=False)


def test_docs_render_the_eosc_ordering_document_and_its_schema_files(page, tmp_path):
    page.goto("/docs")
    page.locator(".topbar select").select_option(label="EOSC Ordering API")

    write = _operation(page, "post", "/api/v1/oms/{oms_id}/messages")
    write.locator(".opblock-summary").click()

    # The request body's example comes from message/message_write.json, fetched by
    # Swagger UI through the document's relative `$ref`.
    example = write.locator(".body-param__example, .microlight").first
    example.wait_for()
    assert '"project_id"' in example.inner_text()
    assert page.locator(".info .title").inner_text().startswith("Mercato: EOSC Ordering API")
    assert page.get_by_text("Could not resolve reference").count() == 0
    page.screenshot(path=tmp_path / "eosc-ordering.png", full_page=False)
