"""The Offering API details of reference §8: PUT, order of checks, OMS params, order types.

Expected bodies are the reference's, copied here as literals.
"""

import pytest
from sqlalchemy import select

from mercato.catalogue.models import Offer, OfferStatus, OmsType, OrderType, ServiceStatus

FORBIDDEN = {"error": "You are not authorized to perform this action."}
DISALLOWED = {"error": "The property '#/' of type object matched the disallowed schema"}
NOT_BLANK = "must be blank if primary OMS' custom params are blank"


@pytest.fixture
def admin(make):
    return make.token_user()


@pytest.fixture
def service(make, admin):
    return make.service(make.provider(admin.user), name="Cloud Compute")


def _url(service, iid=1):
    return f"/api/v1/resources/{service.slug}/offers/{iid}"


def _write(client, method, url, body, headers):
    return client.request(method, url, json=body, headers=headers)


# --- §8.2: PUT is routed exactly like PATCH -----------------------------------------


@pytest.mark.parametrize("method", ["PATCH", "PUT"])
def test_put_and_patch_change_an_offer_alike(client, make, admin, service, session, method):
    offer = make.offer(service, name="Old")

    response = _write(client, method, _url(service), {"name": "New"}, admin.headers)

    assert response.status_code == 200
    assert response.json() == {
        "id": 1,
        "name": "New",
        "description": "An offer for tests",
        "parameters": [],
        "order_type": "order_required",
        "order_url": "",
        "internal": False,
    }
    session.refresh(offer)
    assert offer.name == "New"


@pytest.mark.parametrize("method", ["PATCH", "PUT"])
@pytest.mark.parametrize(
    ("case", "status", "body"),
    [
        ("missing offer", 404, {"error": "Offer not found"}),
        ("stranger", 403, FORBIDDEN),
        ("bad body", 400, DISALLOWED),
    ],
)
def test_put_and_patch_answer_errors_alike(
    client, make, admin, service, method, case, status, body
):
    make.offer(service)
    headers = make.token_user().headers if case == "stranger" else admin.headers
    iid = 9 if case == "missing offer" else 1

    response = _write(client, method, _url(service, iid), {"status": "draft"}, headers)

    assert (response.status_code, response.json()) == (status, body)


@pytest.mark.parametrize("method", ["POST", "HEAD", "OPTIONS"])
def test_other_methods_on_an_offer_are_not_routed(client, make, admin, service, method):
    make.offer(service)

    response = client.request(method, _url(service), headers=admin.headers)

    assert response.status_code in (404, 405)


# --- §8.5: order of checks on the offer endpoints -------------------------------------


@pytest.mark.parametrize("method", ["PATCH", "PUT"])
def test_update_by_a_stranger_is_403_before_the_body_is_looked_at(
    client, make, service, session, method
):
    offer = make.offer(service, name="Kept")
    stranger = make.token_user()

    response = _write(client, method, _url(service), {"status": "draft"}, stranger.headers)

    assert (response.status_code, response.json()) == (403, FORBIDDEN)
    session.refresh(offer)
    assert offer.name == "Kept"


def test_update_of_a_draft_offer_with_status_is_403_not_the_schema_400(
    client, make, admin, service
):
    make.offer(service, status=OfferStatus.DRAFT)

    response = client.patch(_url(service), json={"status": "draft"}, headers=admin.headers)

    assert (response.status_code, response.json()) == (403, FORBIDDEN)


def test_update_of_an_offer_of_a_deleted_service_is_403(client, make, admin):
    gone = make.service(make.provider(admin.user), status=ServiceStatus.DELETED)
    make.offer(gone)

    response = client.patch(_url(gone), json={"internal": "x"}, headers=admin.headers)

    assert (response.status_code, response.json()) == (403, FORBIDDEN)


def test_update_of_a_missing_offer_is_404_before_the_permission(client, make, service):
    stranger = make.token_user()

    response = client.patch(_url(service, 3), json={}, headers=stranger.headers)

    assert (response.status_code, response.json()) == (404, {"error": "Offer not found"})


def test_update_by_the_owner_checks_the_body_after_the_permission(client, make, admin, service):
    make.offer(service)

    response = client.patch(_url(service), json=[], headers=admin.headers)

    assert response.status_code == 400
    assert response.json() == {
        "error": "The property '#/' of type array did not match the following type: object"
    }


def test_create_by_a_stranger_with_a_bad_body_is_the_schema_400(client, make, service):
    stranger = make.token_user()
    body = {"name": "N", "description": "d", "order_type": "sometimes"}

    response = client.post(
        f"/api/v1/resources/{service.slug}/offers", json=body, headers=stranger.headers
    )

    assert response.status_code == 400
    assert response.json() == {
        "error": "The property '#/order_type' value \"sometimes\" did not match one of the "
        "following values: open_access, fully_open_access, order_required, other"
    }


@pytest.mark.parametrize("body", [{}, {"offer_category": "service_category-other"}, {"x": 1}])
def test_update_with_nothing_to_change_returns_the_unchanged_offer(
    client, make, admin, service, body
):
    make.offer(service, name="Same")

    response = client.patch(_url(service), json=body, headers=admin.headers)

    assert response.status_code == 200
    assert response.json()["name"] == "Same"


# --- §8.3: oms_params for an OMS without custom params --------------------------------


def test_update_to_an_oms_without_custom_params_drops_the_oms_params_sent(
    client, make, admin, service, session
):
    plain = make.oms("Plain")
    offer = make.offer(service, internal=True)
    body = {"primary_oms_id": plain.id, "oms_params": {"x": "y"}}

    response = client.patch(_url(service), json=body, headers=admin.headers)

    assert response.status_code == 200
    assert response.json() == {
        "id": 1,
        "name": offer.name,
        "description": "An offer for tests",
        "parameters": [],
        "order_type": "order_required",
        "order_url": "",
        "internal": True,
        "primary_oms_id": plain.id,
    }
    session.refresh(offer)
    assert (offer.primary_oms_id, offer.oms_params) == (plain.id, {})


def test_the_reset_also_happens_when_the_oms_already_was_the_primary_oms(
    client, make, admin, service, session
):
    plain = make.oms("Plain")
    offer = make.offer(service, internal=True, primary_oms_id=plain.id)
    body = {"primary_oms_id": plain.id, "oms_params": {"x": "y"}}

    response = client.patch(_url(service), json=body, headers=admin.headers)

    assert response.status_code == 200
    assert "oms_params" not in response.json()
    session.refresh(offer)
    assert offer.oms_params == {}


def test_oms_params_alone_for_an_oms_without_custom_params_are_a_400(
    client, make, admin, service, session
):
    make.oms("SOMBO", is_default=True)
    offer = make.offer(service, internal=True)

    response = client.patch(_url(service), json={"oms_params": {"x": "y"}}, headers=admin.headers)

    assert (response.status_code, response.json()) == (400, {"error": {"oms_params": [NOT_BLANK]}})
    session.refresh(offer)
    assert offer.oms_params == {}


def test_create_does_not_reset_oms_params(client, make, admin, service, session):
    plain = make.oms("Plain")
    body = {
        "name": "N",
        "description": "d",
        "order_type": "order_required",
        "internal": True,
        "primary_oms_id": plain.id,
        "oms_params": {"x": "y"},
    }

    response = client.post(
        f"/api/v1/resources/{service.slug}/offers", json=body, headers=admin.headers
    )

    assert (response.status_code, response.json()) == (400, {"error": {"oms_params": [NOT_BLANK]}})
    assert session.scalar(select(Offer)) is None


def test_update_to_an_oms_that_does_not_exist_is_a_400(client, make, admin, service):
    make.offer(service, internal=True)

    response = client.patch(_url(service), json={"primary_oms_id": 999}, headers=admin.headers)

    assert response.status_code == 400
    assert response.json() == {"error": {"primary_oms": ["doesn't exist"]}}


def test_blank_oms_params_values_are_dropped(client, make, admin, service, session):
    oms = make.oms(custom_params={"a": {"mandatory": False}, "b": {"mandatory": False}})
    offer = make.offer(service, internal=True, primary_oms_id=oms.id)

    body = {"oms_params": {"a": "", "b": "x"}}
    response = client.patch(_url(service), json=body, headers=admin.headers)

    assert response.status_code == 200
    assert response.json()["oms_params"] == {"b": "x"}
    session.refresh(offer)
    assert offer.oms_params == {"b": "x"}


# --- §8.6: primary-OMS error texts ----------------------------------------------------


def _internal(oms_id, **extra):
    return {
        "name": "N",
        "description": "d",
        "order_type": "order_required",
        "internal": True,
        "primary_oms_id": oms_id,
        **extra,
    }


def test_an_oms_not_available_to_the_service_has_the_upstream_text(client, make, admin, service):
    foreign = make.oms(type=OmsType.RESOURCE_DEDICATED, service=make.service())

    response = client.post(
        f"/api/v1/resources/{service.slug}/offers",
        json=_internal(foreign.id),
        headers=admin.headers,
    )

    assert response.status_code == 400
    assert response.json() == {
        "error": {"primary_oms": ["has to be available in the service scope"]}
    }


def test_a_missing_oms_checks_oms_params_against_the_default_oms(client, make, admin, service):
    make.oms("SOMBO", is_default=True)

    response = client.post(
        f"/api/v1/resources/{service.slug}/offers",
        json=_internal(9999, oms_params={"x": "y"}),
        headers=admin.headers,
    )

    assert response.status_code == 400
    assert response.json() == {
        "error": {"primary_oms": ["doesn't exist"], "oms_params": [NOT_BLANK]}
    }
    assert list(response.json()["error"]) == ["primary_oms", "oms_params"]


def test_primary_oms_of_an_offer_that_is_not_internal_is_dropped_silently(
    client, admin, service, session
):
    body = {**_internal(9999), "internal": False}

    response = client.post(
        f"/api/v1/resources/{service.slug}/offers", json=body, headers=admin.headers
    )

    assert response.status_code == 201
    assert session.scalar(select(Offer.primary_oms_id)) is None


# --- §8.4: an offer's order type is checked against its service's -------------------


def _create(client, admin, service, order_type):
    body = {"name": "N", "description": "d", "order_type": order_type}
    return client.post(f"/api/v1/resources/{service.slug}/offers", json=body, headers=admin.headers)


def test_the_first_offer_of_a_service_must_have_its_order_type(client, admin, service, session):
    response = _create(client, admin, service, "open_access")

    assert response.status_code == 400
    assert response.json() == {
        "error": {"order_type": ["must be the same as in the service: order_required"]}
    }
    assert session.scalar(select(Offer)) is None


def test_once_one_offer_matches_further_offers_may_differ(client, make, admin, service):
    make.offer(service, order_type=OrderType.ORDER_REQUIRED)

    response = _create(client, admin, service, "open_access")

    assert response.status_code == 201
    assert response.json()["order_type"] == "open_access"


def test_draft_and_deleted_offers_do_not_count_as_matching(client, make, admin, service):
    make.offer(service, status=OfferStatus.DRAFT)
    matching = make.offer(service, internal=True)
    make.order(matching)
    client.delete(_url(service, matching.iid), headers=admin.headers)

    response = _create(client, admin, service, "other")

    assert response.status_code == 400
    assert response.json() == {
        "error": {"order_type": ["must be the same as in the service: order_required"]}
    }


def test_changing_the_only_matching_offer_away_is_a_400(client, make, admin, service, session):
    offer = make.offer(service)
    make.offer(service, order_type=OrderType.OTHER)

    response = client.patch(_url(service), json={"order_type": "other"}, headers=admin.headers)

    assert response.status_code == 400
    assert response.json() == {
        "error": {"order_type": ["must be the same as in the service: order_required"]}
    }
    session.refresh(offer)
    assert offer.order_type == OrderType.ORDER_REQUIRED


def test_the_order_type_error_comes_last(client, admin, service):
    body = {
        "name": " ",
        "description": "d",
        "order_type": "other",
        "order_url": "example.org",
        "internal": True,
    }

    response = client.post(
        f"/api/v1/resources/{service.slug}/offers", json=body, headers=admin.headers
    )

    assert response.status_code == 400
    assert list(response.json()["error"]) == ["name", "order_url", "order_type"]
    assert response.json()["error"]["order_type"] == [
        "must be the same as in the service: order_required"
    ]


# --- §8.8: bundle-exclusive offers are listed ----------------------------------------


def test_bundle_exclusive_offers_are_listed_like_any_published_offer(client, make, admin, service):
    make.offer(service, name="Front")
    make.offer(service, name="For bundles only", bundle_exclusive=True)

    response = client.get(f"/api/v1/resources/{service.slug}/offers", headers=admin.headers)

    assert response.status_code == 200
    assert [offer["name"] for offer in response.json()["offers"]] == ["Front", "For bundles only"]
    assert "bundle_exclusive" not in response.json()["offers"][1]


def test_quantity_price_keeps_its_max(client, admin, service):
    # A deliberate deviation: upstream drops `max` on write (reference §8.8).
    price = {
        "id": "p",
        "type": "quantity_price",
        "label": "Nodes",
        "value_type": "integer",
        "config": {"start_price": 0, "step_price": 5, "max": 10, "currency": "EUR"},
    }
    body = {"name": "N", "description": "d", "order_type": "order_required", "parameters": [price]}

    response = client.post(
        f"/api/v1/resources/{service.slug}/offers", json=body, headers=admin.headers
    )

    assert response.status_code == 201
    assert response.json()["parameters"][0]["config"]["max"] == 10


# --- order_url: upstream's column is "" when unset, its rule is mp_url (§8.6, §8.7) ---


@pytest.mark.parametrize(
    ("written", "status", "shown"),
    [
        (None, 200, ""),
        ("https://order.example.org/vm", 200, "https://order.example.org/vm"),
        ("http://localhost:5000/projects/1", 400, {"order_url": ["is not a valid URL"]}),
        ("www.abcdef.com", 400, {"order_url": ["is not a valid URL"]}),
    ],
)
def test_order_url_reads_as_upstream_writes_it(
    client, make, admin, service, written, status, shown
):
    make.offer(service, order_url="https://before.example.org")

    response = _write(client, "PATCH", _url(service), {"order_url": written}, admin.headers)

    assert response.status_code == status
    body = response.json()
    assert (body["order_url"] if status == 200 else body["error"]) == shown
