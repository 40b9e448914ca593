import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event

from mercato.app import create_app
from mercato.catalogue.models import OfferStatus, ServiceStatus
from tests.factories import ALL_PARAMETERS
from tests.web.pages import log_in


def _service_names(page: str) -> list[str]:
    return re.findall(r'<h2><a href="/services/[^"]+">([^<]+)</a></h2>', page)


@pytest.fixture
def small_pages(settings):
    """A client whose catalogue shows two services a page."""
    with TestClient(create_app(settings.model_copy(update={"page_size": 2}))) as client:
        yield client


def test_home_lists_published_services_with_provider_categories_and_offer_count(client, make):
    provider = make.provider(name="Cyfronet")
    service = make.service(provider, name="Cloud", tagline="VMs on demand", categories=["Compute"])
    make.offer(service)
    make.offer(service)
    make.offer(service, status=OfferStatus.DRAFT)
    make.service(provider, name="Hidden", status=ServiceStatus.DRAFT)

    page = client.get("/").text

    assert _service_names(page) == ["Cloud"]
    assert "VMs on demand" in page
    assert '<a href="/providers/cyfronet">Cyfronet</a>' in page
    assert '<li><a href="/?category=compute">Compute</a></li>' in page
    assert "2 offers" in page


def test_home_filters_by_category(client, make):
    make.service(name="Cloud", categories=["Compute"])
    make.service(name="Archive", categories=["Storage"])
    make.service(name="Grid", categories=["Compute", "Storage"])

    page = client.get("/?category=compute").text

    assert _service_names(page) == ["Cloud", "Grid"]
    assert '<option value="compute" selected>Compute</option>' in page


def test_home_filters_by_provider(client, make):
    egi = make.provider(name="EGI")
    make.service(egi, name="Notebooks")
    make.service(name="Cloud")

    page = client.get("/?provider=egi").text

    assert _service_names(page) == ["Notebooks"]


def test_home_filters_by_category_and_provider_together(client, make):
    egi = make.provider(name="EGI")
    make.service(egi, name="Notebooks", categories=["Training"])
    make.service(egi, name="Check-in", categories=["Security"])
    make.service(name="Courses", categories=["Training"])

    page = client.get("/?provider=egi&category=training").text

    assert _service_names(page) == ["Notebooks"]


def test_home_pages_through_services_by_name(small_pages, make):
    provider = make.provider()
    for name in ("Echo", "Alpha", "Delta", "Bravo", "Charlie"):
        make.service(provider, name=name)

    pages = [small_pages.get(f"/?page={number}").text for number in (1, 2, 3, 4)]

    assert [_service_names(page) for page in pages] == [
        ["Alpha", "Bravo"],
        ["Charlie", "Delta"],
        ["Echo"],
        [],
    ]
    assert '<a class="page" href="?page=2">2</a>' in pages[0]
    assert '<span class="page current" aria-current="page">2</span>' in pages[1]


def test_page_links_keep_the_filters(small_pages, make):
    for name in ("A", "B", "C"):
        make.service(name=name, categories=["Compute"])

    page = small_pages.get("/?category=compute").text

    assert '<a class="page" href="?category=compute&amp;page=2">2</a>' in page


def test_page_number_must_be_positive(client):
    assert client.get("/?page=0").status_code == 400


def test_home_lists_in_a_fixed_number_of_queries(client, make):
    def queries_for_home() -> int:
        statements = []

        def count(*args) -> None:
            statements.append(args[2])

        event.listen(Engine, "before_cursor_execute", count)
        try:
            assert client.get("/").status_code == 200
        finally:
            event.remove(Engine, "before_cursor_execute", count)
        return len(statements)

    make.offer(make.service(categories=["Compute"]))
    with_one = queries_for_home()
    for number in range(5):
        make.offer(make.service(categories=[f"Category {number}", "Compute"]))

    assert queries_for_home() == with_one


def test_providers_page_counts_published_services(client, make):
    egi = make.provider(name="EGI")
    make.service(egi)
    make.service(egi)
    make.service(egi, status=ServiceStatus.DRAFT)
    make.provider(name="Cyfronet")

    page = client.get("/providers").text

    assert re.findall(r'<a href="/providers/([^"]+)">', page) == ["cyfronet", "egi"]
    assert "0 services" in page
    assert "2 services" in page


def test_provider_page_lists_its_services(client, make):
    egi = make.provider(name="EGI")
    make.service(egi, name="Notebooks")
    make.service(name="Cloud")

    page = client.get("/providers/egi")

    assert page.status_code == 200
    assert "<h1>EGI" in page.text
    assert _service_names(page.text) == ["Notebooks"]


def test_unknown_provider_is_not_found(client):
    assert client.get("/providers/nobody").status_code == 404


def test_service_page_shows_its_details_and_only_published_offers(client, make):
    service = make.service(
        name="Cloud",
        description="Virtual machines.",
        categories=["Compute"],
        scientific_domains=["Physics"],
    )
    make.offer(service, name="Standard", parameters=ALL_PARAMETERS)
    make.offer(service, name="Secret draft", status=OfferStatus.DRAFT)

    page = client.get("/services/cloud").text

    assert "<h1>Cloud</h1>" in page
    assert "<p>Virtual machines.</p>" in page
    assert "<li>Physics</li>" in page
    assert '<a href="/?category=compute">Compute</a>' in page
    assert "Order required" in page
    assert "<h3>Standard</h3>" in page
    assert "Secret draft" not in page
    assert "Manage the service" not in page


@pytest.mark.parametrize(
    ("label", "shown"),
    [
        ("Storage", "100 GB"),
        ("Project code", "text, entered when ordering"),
        (
            "CPU cores",
            '<span class="choice">1</span><span class="choice">2</span>'
            '<span class="choice">4</span></span> CPUs',
        ),
        ("Regions", "choose 1 to 2"),
        ("Start", "a date, chosen when ordering"),
        ("Memory", "1 \u2013 64 GB"),
        ("Hours", "start 10 EUR, then 2 EUR per step, up to 100"),
    ],
)
def test_service_page_shows_each_parameter_type_readably(client, make, label, shown):
    make.offer(make.service(name="Cloud"), parameters=ALL_PARAMETERS)

    page = client.get("/services/cloud").text
    row = re.search(rf"<dt>{label} .*?</dd>", page, re.S)

    assert row, label
    assert shown in row[0]


def test_draft_service_is_hidden_from_the_public_but_not_from_its_managers(client, make):
    admin = make.user()
    make.service(make.provider(admin), name="Soon", status=ServiceStatus.DRAFT)

    assert client.get("/services/soon").status_code == 404
    log_in(client, admin)
    assert client.get("/services/soon").status_code == 200


def test_unknown_service_is_not_found(client):
    page = client.get("/services/nothing")

    assert page.status_code == 404
    assert "Service not found" in page.text
