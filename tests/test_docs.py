"""The API documents and their docs page, which must work without internet access."""

import re


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
