"""Publishing puts the offering's USDL in the default repository (§11) and announces it on
marketplaces, undoing the publish when one of them fails."""

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from mercato.catalogue.models import OfferStatus, ServiceStatus
from mercato.store.marketplaces.models import Marketplace, Publication, Repository
from mercato.store.models import StoreOffering
from mercato.store.usdl import OfferingDescription, UsdlFormat, parse_usdl
from tests.store.loopback import Server, serving
from tests.store.world import bearer

OFFERINGS = "/api/offering/offerings"
ONE = f"{OFFERINGS}/conwet/City%20Lights/1.0"
OFFERING = {
    "name": "City Lights",
    "version": "1.0",
    "offering_info": {"description": "Lights that dim", "pricing": {"price_model": "free"}},
}
DOCUMENT = "/v2/collec/offerings/conwet__City%20Lights__1.0"


@pytest.fixture
def server() -> Iterator[Server]:
    with serving() as running:
        yield running


@pytest.fixture
def uploaded(client, store, seller):
    store.provider(seller)
    assert client.post(OFFERINGS, json=OFFERING, headers=bearer(seller)).status_code == 201


def _repository(session, server: Server, api_version: int = 2) -> None:
    session.add(
        Repository(
            name="main",
            host=f"{server.url}/",
            api_version=api_version,
            offering_collection="offerings",
            resource_collection="resources",
            is_default=True,
        )
    )
    session.commit()


def _state(session) -> tuple[OfferStatus, ServiceStatus, str, bool]:
    session.expire_all()
    offering = session.scalars(select(StoreOffering)).one()
    published = offering.published_at is not None
    return offering.offer.status, offering.service.status, offering.description_url, published


@pytest.mark.parametrize(
    ("api_version", "path"),
    [(2, DOCUMENT), (1, "/v1/offerings/conwet__City%20Lights__1.0")],
)
def test_publishing_puts_the_usdl_in_the_default_repository(
    client, session, seller, uploaded, server, api_version, path
):
    _repository(session, server, api_version)
    server.answers[f"PUT {path}"] = (201, "text/plain", b"")

    response = client.post(f"{ONE}/publish", json={"marketplaces": []}, headers=bearer(seller))

    assert response.json() == {"message": "OK", "result": "correct"}
    [put] = server.received
    assert (put.method, put.path, put.content_type) == ("PUT", path, "application/rdf+xml")
    document = parse_usdl(put.body, UsdlFormat.RDF_XML)
    assert document == OfferingDescription(
        uri="http://127.0.0.1:8000/api/offering/offerings/conwet/City%20Lights/1.0",
        page="http://127.0.0.1:8000/store/offerings/conwet/City%20Lights/1.0",
        name="City Lights",
        version="1.0",
        description="Lights that dim",
        provider="CoNWeT",
        created=document.created,
        modified=document.modified,
    )
    assert _state(session) == (
        OfferStatus.PUBLISHED,
        ServiceStatus.PUBLISHED,
        f"{server.url}{path}",
        True,
    )


def test_without_a_repository_nothing_is_uploaded(client, session, seller, uploaded):
    response = client.post(f"{ONE}/publish", json={}, headers=bearer(seller))

    assert response.status_code == 200
    assert _state(session) == (OfferStatus.PUBLISHED, ServiceStatus.PUBLISHED, "", True)


def test_a_failing_repository_is_502_and_nothing_is_published(
    client, session, seller, uploaded, server
):
    _repository(session, server)
    server.answers[f"PUT {DOCUMENT}"] = (500, "text/plain", b"down")

    response = client.post(f"{ONE}/publish", json={}, headers=bearer(seller))

    assert (response.status_code, response.json()) == (
        502,
        {
            "message": f"The repository at {server.url}/ answered 500 to PUT "
            f"{server.url}{DOCUMENT}",
            "result": "error",
        },
    )
    assert _state(session) == (OfferStatus.DRAFT, ServiceStatus.DRAFT, "", False)


def test_a_failing_marketplace_undoes_the_committed_publish_and_the_upload(
    client, session, seller, uploaded, server
):
    _repository(session, server)
    server.answers[f"PUT {DOCUMENT}"] = (201, "text/plain", b"")
    for name in ("First", "Second"):
        session.add(
            Marketplace(
                name=name,
                host=f"{server.url}/{name}/",
                api_version=2,
                store_id="me",
                username="u",
                password="p",
            )
        )
    session.commit()
    server.answers["POST /First/api/v2/store/me/description"] = (
        201,
        {"Location": "/First/api/v2/store/me/description/city-lights"},
        b"",
    )
    server.answers["DELETE /First/api/v2/store/me/description/city-lights"] = (204, "x", b"")

    response = client.post(
        f"{ONE}/publish", json={"marketplaces": ["First", "Second"]}, headers=bearer(seller)
    )

    assert response.status_code == 502
    assert [(r.method, r.path) for r in server.received] == [
        ("PUT", DOCUMENT),
        ("POST", "/First/api/v2/store/me/description"),
        ("POST", "/Second/api/v2/store/me/description"),
        ("DELETE", "/First/api/v2/store/me/description/city-lights"),
    ]
    assert _state(session) == (OfferStatus.DRAFT, ServiceStatus.DRAFT, "", False)
    assert session.scalars(select(Publication)).all() == []
