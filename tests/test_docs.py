"""The API documents and their docs page, which must work without internet access."""

import re

from fastapi import FastAPI, HTTPException
from fastapi.testclient import TestClient

from tests.documented_statuses import record_statuses, undocumented


def test_openapi_document_lists_the_offering_api(client):
    document = client.get("/openapi.json").json()

    assert document["info"]["title"] == "Mercato"
    assert set(document["paths"]) >= {
        "/api/v1/resources",
        "/api/v1/resources/{resource_id}",
        "/api/v1/resources/{resource_id}/offers",
        "/api/v1/resources/{resource_id}/offers/{offer_id}",
    }
    create = document["paths"]["/api/v1/resources/{resource_id}/offers"]["post"]
    body = create["requestBody"]["content"]["application/json"]["schema"]
    assert body["required"] == ["name", "description", "order_type"]


def test_docs_page_loads_its_assets_from_this_server_only(client):
    page = client.get("/docs")

    assets = re.findall(r"""(?:src|href)=["']([^"']+)["']""", page.text)
    assert page.status_code == 200
    assert assets and all(url.startswith("/") for url in assets), assets
    for url in assets:
        assert client.get(url).status_code == 200, url
    assert "url: '/openapi.json'" in page.text or '"url": "/openapi.json"' in page.text


def test_offering_document_is_served_where_eosc_clients_look_for_it(client):
    response = client.get("/api_docs/swagger/v1/offering_swagger.json")

    assert response.status_code == 200
    assert sorted(response.json()["paths"]) == [
        "/api/v1/resources",
        "/api/v1/resources/{id}",
        "/api/v1/resources/{resource_id}/offers",
        "/api/v1/resources/{resource_id}/offers/{id}",
    ]


def test_the_status_check_names_a_status_a_route_does_not_document():
    app = FastAPI()

    @app.get("/things/{thing_id}", responses={404: {"description": "No such thing"}})
    def thing(thing_id: int) -> dict[str, int]:
        if thing_id == 2:
            raise HTTPException(409, "Busy")
        if thing_id == 3:
            raise HTTPException(404, "No such thing")
        return {"id": thing_id}

    sent = record_statuses(app)
    with TestClient(app) as client:
        for thing_id in (1, 2, 3):
            client.get(f"/things/{thing_id}")

    assert undocumented(app, sent) == ["GET /things/{thing_id} sent 409"]


def test_no_operation_lists_a_422_the_app_never_sends(client):
    document = client.get("/openapi.json").json()

    listed = {
        status
        for item in document["paths"].values()
        for operation in item.values()
        for status in operation["responses"]
    }

    assert "422" not in listed
    assert "HTTPValidationError" not in document["components"]["schemas"]
