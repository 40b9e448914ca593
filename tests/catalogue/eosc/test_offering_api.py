"""The EOSC Offering API, checked against the real Marketplace's contract (reference §6)."""

import pytest
from sqlalchemy import func, select

from mercato.catalogue.models import Offer, OfferStatus, OmsType, OrderType, ServiceStatus
from tests.eosc_reference import assert_offering_response
from tests.factories import ALL_PARAMETERS

UNAUTHENTICATED = {"error": "You need to sign in or sign up before continuing."}
FORBIDDEN = {"error": "You are not authorized to perform this action."}
OFFERS = "/api/v1/resources/{resource_id}/offers"
OFFER = "/api/v1/resources/{resource_id}/offers/{id}"


@pytest.fixture
def admin(make):
    return make.token_user(first_name="Dana", last_name="Admin")


@pytest.fixture
def service(make, admin):
    return make.service(make.provider(admin.user), name="Cloud Compute", pid="21.T1/cc")


@pytest.fixture
def default_oms(make):
    return make.oms("SOMBO", is_default=True)


def offer_count(session):
    return session.scalar(select(func.count(Offer.id)))


# --- resources ---------------------------------------------------------------------


def test_resources_lists_services_of_the_callers_providers_by_id(client, make, admin):
    provider = make.provider(admin.user)
    first = make.service(provider, name="Alpha")
    make.service(make.provider(), name="Not mine")
    second = make.service(provider, name="Beta")
    make.service(provider, name="Gone", status=ServiceStatus.DELETED)

    response = client.get("/api/v1/resources", headers=admin.headers)

    assert response.status_code == 200
    assert [r["id"] for r in response.json()["resources"]] == [first.slug, second.slug]
    assert_offering_response(response, "/api/v1/resources")


def test_resource_shows_available_omses_in_marketplace_order(client, make, admin, service):
    provider_oms = make.oms(
        "Provider OMS", type=OmsType.PROVIDER_GROUP, providers=[service.provider]
    )
    global_oms = make.oms(
        "Global OMS",
        custom_params={
            "order_target": {"mandatory": False},
            "region": {"mandatory": True, "default": "eu"},
        },
    )
    dedicated = make.oms("Dedicated", type=OmsType.RESOURCE_DEDICATED, service=service)
    default = make.oms("SOMBO", is_default=True)
    make.oms("Other provider's", type=OmsType.PROVIDER_GROUP, providers=[make.provider()])

    response = client.get(f"/api/v1/resources/{service.slug}", headers=admin.headers)

    assert response.status_code == 200
    assert response.json() == {
        "id": "cloud-compute",
        "eid": "21.T1/cc",
        "name": "Cloud Compute",
        "description": "A service for tests",
        "status": "published",
        "available_omses": [
            {"id": default.id, "name": "SOMBO", "type": "global"},
            {"id": dedicated.id, "name": "Dedicated", "type": "resource_dedicated"},
            {
                "id": global_oms.id,
                "name": "Global OMS",
                "type": "global",
                "custom_params": {
                    "order_target": {"mandatory": False},
                    "region": {"mandatory": True},
                },
            },
            {"id": provider_oms.id, "name": "Provider OMS", "type": "provider_group"},
        ],
    }
    assert_offering_response(response, "/api/v1/resources/{id}")


@pytest.mark.parametrize("reference", ["slug", "id", "pid"])
def test_resource_is_found_by_slug_numeric_id_or_pid(client, admin, service, reference):
    key = {"slug": service.slug, "id": str(service.id), "pid": service.pid}[reference]

    response = client.get(f"/api/v1/resources/{key}/", headers=admin.headers)

    assert response.status_code == 200
    assert response.json()["id"] == "cloud-compute"


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/resources",
        "/api/v1/resources/x",
        "/api/v1/resources/x/offers",
        "/api/v1/resources/x/offers/1",
    ],
)
@pytest.mark.parametrize("token", [None, "not-a-token"])
def test_unknown_or_missing_token_is_401_before_anything_else(client, path, token):
    headers = {"X-User-Token": token} if token else {}

    response = client.get(path, headers=headers)

    assert response.status_code == 401
    assert response.json() == UNAUTHENTICATED


def test_revoked_token_is_refused(client, make, session):
    from mercato.accounts.rules import revoke_all_tokens

    caller = make.token_user()
    revoke_all_tokens(session, caller.user)
    session.commit()

    response = client.get("/api/v1/resources", headers=caller.headers)

    assert response.status_code == 401


def test_missing_resource_is_404(client, admin):
    response = client.get("/api/v1/resources/definitely-doesnt-exist", headers=admin.headers)

    assert response.status_code == 404
    assert response.json() == {"error": "Resource not found"}


def test_resource_of_another_provider_is_403(client, make, service):
    stranger = make.token_user()

    response = client.get(f"/api/v1/resources/{service.slug}", headers=stranger.headers)

    assert response.status_code == 403
    assert response.json() == FORBIDDEN


def test_deleted_resource_is_403(client, make, admin):
    gone = make.service(make.provider(admin.user), status=ServiceStatus.DELETED)

    response = client.get(f"/api/v1/resources/{gone.slug}", headers=admin.headers)

    assert response.status_code == 403


# --- listing and reading offers ------------------------------------------------------


def test_offers_lists_published_offers_by_iid(client, make, admin, service, default_oms):
    first = make.offer(service, name="Small", parameters=ALL_PARAMETERS, internal=True)
    make.offer(service, name="Draft", status=OfferStatus.DRAFT)
    third = make.offer(service, name="Open", order_type=OrderType.OPEN_ACCESS)

    response = client.get(f"/api/v1/resources/{service.slug}/offers/", headers=admin.headers)

    assert response.status_code == 200
    assert response.json() == {
        "offers": [
            {
                "id": first.iid,
                "name": "Small",
                "description": "An offer for tests",
                "parameters": ALL_PARAMETERS,
                "order_type": "order_required",
                "order_url": "",
                "internal": True,
                "primary_oms_id": default_oms.id,
            },
            {
                "id": third.iid,
                "name": "Open",
                "description": "An offer for tests",
                "parameters": [],
                "order_type": "open_access",
                "order_url": "",
            },
        ]
    }
    assert [first.iid, third.iid] == [1, 3]
    assert_offering_response(response, OFFERS)


def test_offers_of_a_resource_the_caller_does_not_manage_is_an_empty_list(client, make, service):
    make.offer(service)
    stranger = make.token_user()

    response = client.get(f"/api/v1/resources/{service.slug}/offers", headers=stranger.headers)

    assert response.status_code == 200
    assert response.json() == {"offers": []}


def test_offer_is_read_by_iid(client, make, admin, service):
    make.offer(service)
    offer = make.offer(
        service,
        name="Second",
        order_type=OrderType.OTHER,
        order_url="https://example.org/order",
        offer_category="service_category-compute",
    )

    response = client.get(f"/api/v1/resources/{service.slug}/offers/2", headers=admin.headers)

    assert response.status_code == 200
    assert response.json() == {
        "id": offer.iid,
        "name": "Second",
        "description": "An offer for tests",
        "parameters": [],
        "order_type": "other",
        "order_url": "https://example.org/order",
        "offer_category": "service_category-compute",
    }
    assert_offering_response(response, OFFER)


@pytest.mark.parametrize("iid", ["2", "doesnt-exist", "-1"])
def test_missing_offer_is_404(client, make, admin, service, iid):
    make.offer(service)

    response = client.get(f"/api/v1/resources/{service.slug}/offers/{iid}", headers=admin.headers)

    assert response.status_code == 404
    assert response.json() == {"error": "Offer not found"}


def test_draft_offer_is_403(client, make, admin, service):
    make.offer(service, status=OfferStatus.DRAFT)

    response = client.get(f"/api/v1/resources/{service.slug}/offers/1", headers=admin.headers)

    assert response.status_code == 403
    assert response.json() == FORBIDDEN


def test_offer_of_another_provider_is_403(client, make, service):
    make.offer(service)
    stranger = make.token_user()

    response = client.get(f"/api/v1/resources/{service.slug}/offers/1", headers=stranger.headers)

    assert response.status_code == 403


# --- creating offers -----------------------------------------------------------------


def test_create_offer_with_all_parameter_types(client, admin, service, session, default_oms):
    payload = {
        "name": "New offer",
        "description": "sample description",
        "order_type": "order_required",
        "internal": True,
        "parameters": ALL_PARAMETERS,
        "offer_category": "service_category-storage",
    }

    response = client.post(
        f"/api/v1/resources/{service.slug}/offers", json=payload, headers=admin.headers
    )

    assert response.status_code == 201
    assert response.json() == {
        "id": 1,
        "name": "New offer",
        "description": "sample description",
        "parameters": ALL_PARAMETERS,
        "order_type": "order_required",
        "order_url": "",
        "offer_category": "service_category-storage",
        "internal": True,
        "primary_oms_id": default_oms.id,
    }
    assert_offering_response(response, OFFERS, "post")
    stored = session.scalar(select(Offer))
    assert (stored.status, stored.primary_oms_id, stored.parameters) == (
        OfferStatus.PUBLISHED,
        None,
        ALL_PARAMETERS,
    )


def test_create_offer_fills_parameter_defaults(client, admin, service):
    payload = {
        "name": "N",
        "description": "D",
        "order_type": "order_required",
        "parameters": [
            {
                "id": "m",
                "type": "multiselect",
                "label": "Pick",
                "value_type": "string",
                "config": {"values": ["a", "b", "c"]},
            },
            {
                "id": "i",
                "type": "input",
                "label": "Name",
                "value_type": "string",
                "sensitive": True,
            },
        ],
    }

    response = client.post(
        f"/api/v1/resources/{service.slug}/offers", json=payload, headers=admin.headers
    )

    assert response.status_code == 201
    assert response.json()["parameters"] == [
        {
            "id": "m",
            "type": "multiselect",
            "label": "Pick",
            "description": None,
            "value_type": "string",
            "unit": None,
            "config": {"values": ["a", "b", "c"], "minItems": 1, "maxItems": 3},
        },
        # `sensitive` cannot be set through the API.
        {
            "id": "i",
            "type": "input",
            "label": "Name",
            "description": None,
            "value_type": "string",
            "unit": None,
            "sensitive": False,
        },
    ]


def test_offers_get_the_next_iid_of_their_service(client, make, admin, service):
    make.offer(service)
    make.offer(make.service(service.provider))
    body = {"name": "N", "description": "D", "order_type": "open_access"}

    response = client.post(
        f"/api/v1/resources/{service.slug}/offers", json=body, headers=admin.headers
    )

    assert response.json()["id"] == 2


@pytest.mark.parametrize(
    ("order_type", "internal"),
    [("open_access", True), ("order_required", False)],
)
def test_create_ignores_oms_settings_that_the_order_type_makes_meaningless(
    client, make, admin, session, order_type, internal
):
    service = make.service(make.provider(admin.user), order_type=OrderType(order_type))
    oms = make.oms(custom_params={"a": {"mandatory": False}})
    payload = {
        "name": "N",
        "description": "D",
        "order_type": order_type,
        "internal": internal,
        "primary_oms_id": oms.id,
        "oms_params": {"a": "b"},
    }

    response = client.post(
        f"/api/v1/resources/{service.slug}/offers", json=payload, headers=admin.headers
    )

    assert response.status_code == 201
    assert "primary_oms_id" not in response.json()
    stored = session.scalar(select(Offer))
    assert (stored.internal, stored.primary_oms_id, stored.oms_params) == (False, None, {})


def test_create_internal_offer_with_oms_params(client, make, admin, service, session):
    oms = make.oms(custom_params={"a": {"mandatory": True, "default": "qwe"}})
    payload = {
        "name": "N",
        "description": "D",
        "order_type": "order_required",
        "internal": True,
        "primary_oms_id": oms.id,
        "oms_params": {"a": "asd"},
    }

    response = client.post(
        f"/api/v1/resources/{service.slug}/offers", json=payload, headers=admin.headers
    )

    assert response.status_code == 201
    assert response.json()["primary_oms_id"] == oms.id
    assert response.json()["oms_params"] == {"a": "asd"}


def _offer(**extra):
    return {"name": "N", "description": "d", "order_type": "other", **extra}


ANY_OF_THE_REQUIRED = "did not match any of the required schemas"

# Reference §8.1: the json-schema gem's words, allOf passing the nested message on.
SCHEMA_ERRORS = {
    "order_type not in the enum": (
        {"name": "N", "description": "d", "order_type": "sometimes"},
        "The property '#/order_type' value \"sometimes\" did not match one of the following "
        "values: open_access, fully_open_access, order_required, other",
    ),
    "allOf before the top-level required": (
        {"order_type": "sometimes"},
        "The property '#/order_type' value \"sometimes\" did not match one of the following "
        "values: open_access, fully_open_access, order_required, other",
    ),
    "name missing": (
        {"description": "d", "order_type": "other"},
        "The property '#/' did not contain a required property of 'name'",
    ),
    "description missing": (
        {"name": "N", "order_type": "other"},
        "The property '#/' did not contain a required property of 'description'",
    ),
    "name not a string": (
        {"name": 5, "description": "d", "order_type": "other"},
        "The property '#/name' of type integer did not match the following type: string",
    ),
    "primary_oms_id a string": (
        _offer(primary_oms_id="7"),
        "The property '#/primary_oms_id' of type string did not match the following type: integer",
    ),
    "internal a string": (
        _offer(internal="true"),
        "The property '#/internal' of type string did not match the following type: boolean",
    ),
    "order_url a number (oneOf)": (
        _offer(order_url=5),
        f"The property '#/order_url' of type integer {ANY_OF_THE_REQUIRED}",
    ),
    "offer_category not in the enum": (
        _offer(offer_category="compute"),
        "The property '#/offer_category' value \"compute\" did not match one of the following "
        "values: service_category-compute, service_category-data_source, "
        "service_category-storage, service_category-training, service_category-other",
    ),
    "oms_params an array": (
        _offer(oms_params=["a"]),
        "The property '#/oms_params' of type array did not match the following type: object",
    ),
    "unknown parameter type": (
        _offer(
            parameters=[
                {"id": "0", "type": "slider", "label": "l", "value": "3", "value_type": "integer"}
            ]
        ),
        f"The property '#/parameters/0' of type object {ANY_OF_THE_REQUIRED}",
    ),
    "parameter missing a required key": (
        _offer(
            parameters=[{"id": "0", "type": "attribute", "label": "x", "value_type": "integer"}]
        ),
        f"The property '#/parameters/0' of type object {ANY_OF_THE_REQUIRED}",
    ),
    "select without values": (
        _offer(
            parameters=[
                ALL_PARAMETERS[0],
                {
                    "id": "2",
                    "type": "select",
                    "label": "x",
                    "value_type": "integer",
                    "config": {"values": [], "mode": "dropdown"},
                },
            ]
        ),
        f"The property '#/parameters/1' of type object {ANY_OF_THE_REQUIRED}",
    ),
    "parameter with a wrong value_type": (
        _offer(parameters=[{**ALL_PARAMETERS[4], "value_type": "integer"}]),
        f"The property '#/parameters/0' of type object {ANY_OF_THE_REQUIRED}",
    ),
    "parameter description not a string": (
        _offer(parameters=[{**ALL_PARAMETERS[1], "description": 5}]),
        f"The property '#/parameters/0' of type object {ANY_OF_THE_REQUIRED}",
    ),
    "duplicated parameters, even invalid ones": (
        _offer(parameters=[{"id": "0", "type": "slider"}, {"id": "0", "type": "slider"}]),
        "The property '#/parameters' contained duplicated array values",
    ),
    "parameters an object": (
        _offer(parameters={}),
        "The property '#/parameters' of type object did not match the following type: array",
    ),
    "status sent": (
        _offer(status="draft"),
        "The property '#/' of type object matched the disallowed schema",
    ),
    "properties before not": (
        _offer(status="draft", internal="x"),
        "The property '#/internal' of type string did not match the following type: boolean",
    ),
    "an array": (
        [],
        "The property '#/' of type array did not match the following type: object",
    ),
}


@pytest.mark.parametrize(("payload", "error"), SCHEMA_ERRORS.values(), ids=SCHEMA_ERRORS)
def test_create_rejects_bodies_breaking_the_schema(client, admin, service, session, payload, error):
    response = client.post(
        f"/api/v1/resources/{service.slug}/offers", json=payload, headers=admin.headers
    )

    assert response.status_code == 400
    assert response.json() == {"error": error}
    assert offer_count(session) == 0


def test_create_rejects_a_body_that_is_not_json(client, admin, service):
    response = client.post(
        f"/api/v1/resources/{service.slug}/offers",
        content=b"{name",
        headers={**admin.headers, "Content-Type": "application/json"},
    )

    assert response.status_code == 400
    assert response.json() == {"error": "The request body is not valid JSON"}


def _internal(oms_id, **extra):
    return {
        "name": "N",
        "description": "D",
        "order_type": "order_required",
        "internal": True,
        "primary_oms_id": oms_id,
        **extra,
    }


@pytest.mark.parametrize(
    ("custom_params", "oms_params", "error"),
    [
        ({}, {"a": "b"}, "must be blank if primary OMS' custom params are blank"),
        ({"a": {"mandatory": True, "default": "x"}}, {}, "can't be blank"),
        ({"a": {"mandatory": False}}, {"b": "c"}, "additional unspecified keys added"),
        (
            {"a": {"mandatory": True, "default": "x"}, "b": {"mandatory": False}},
            {"b": "c"},
            "missing mandatory keys",
        ),
    ],
)
def test_create_checks_oms_params_against_the_oms(
    client, make, admin, service, session, custom_params, oms_params, error
):
    oms = make.oms(custom_params=custom_params)

    response = client.post(
        f"/api/v1/resources/{service.slug}/offers",
        json=_internal(oms.id, oms_params=oms_params),
        headers=admin.headers,
    )

    assert response.status_code == 400
    assert response.json() == {"error": {"oms_params": [error]}}
    assert offer_count(session) == 0


def test_create_with_unknown_primary_oms_fails_model_validation(client, admin, service):
    response = client.post(
        f"/api/v1/resources/{service.slug}/offers", json=_internal(9999), headers=admin.headers
    )

    assert response.status_code == 400
    assert response.json() == {"error": {"primary_oms": ["doesn't exist"]}}


def test_create_with_an_oms_not_available_to_the_service_fails(client, make, admin, service):
    foreign = make.oms(type=OmsType.PROVIDER_GROUP, providers=[make.provider()])

    response = client.post(
        f"/api/v1/resources/{service.slug}/offers",
        json=_internal(foreign.id),
        headers=admin.headers,
    )

    assert response.status_code == 400
    assert response.json() == {
        "error": {"primary_oms": ["has to be available in the service scope"]}
    }


def test_create_with_a_parameter_breaking_its_rules_fails_model_validation(
    client, admin, service, session
):
    payload = {
        "name": "N",
        "description": "D",
        "order_type": "order_required",
        "parameters": [
            {"id": "0", "type": "attribute", "label": "x", "value": "asd", "value_type": "integer"}
        ],
    }

    response = client.post(
        f"/api/v1/resources/{service.slug}/offers", json=payload, headers=admin.headers
    )

    assert response.status_code == 400
    assert response.json() == {"error": {"parameters": ["is invalid"]}}
    assert offer_count(session) == 0


def test_create_on_a_service_of_another_provider_is_403(client, make, service, session):
    stranger = make.token_user()
    body = {"name": "N", "description": "D", "order_type": "open_access"}

    response = client.post(
        f"/api/v1/resources/{service.slug}/offers", json=body, headers=stranger.headers
    )

    assert response.status_code == 403
    assert response.json() == FORBIDDEN
    assert offer_count(session) == 0


def test_create_checks_the_schema_before_authorisation(client, make, service):
    stranger = make.token_user()

    response = client.post(
        f"/api/v1/resources/{service.slug}/offers", json={}, headers=stranger.headers
    )

    assert response.status_code == 400
    assert response.json() == {
        "error": "The property '#/' did not contain a required property of 'name'"
    }


def test_create_checks_the_resource_before_the_schema(client, admin):
    response = client.post("/api/v1/resources/nope/offers", json={}, headers=admin.headers)

    assert response.status_code == 404
    assert response.json() == {"error": "Resource not found"}


def test_create_checks_authorisation_before_the_model(client, make, service):
    stranger = make.token_user()

    response = client.post(
        f"/api/v1/resources/{service.slug}/offers", json=_internal(9999), headers=stranger.headers
    )

    assert response.status_code == 403
    assert response.json() == FORBIDDEN


# --- updating offers -----------------------------------------------------------------


def test_update_changes_only_the_given_fields(client, make, admin, service, session):
    previous = make.oms("Previous")
    oms = make.oms("Next", custom_params={"a": {"mandatory": True, "default": "qwe"}})
    offer = make.offer(
        service,
        internal=True,
        primary_oms_id=previous.id,
        parameters=ALL_PARAMETERS[:2],
        order_url="https://example.org/o",
    )
    payload = {
        "name": "New offer",
        "description": "sample description",
        "primary_oms_id": oms.id,
        "oms_params": {"a": "b"},
    }

    response = client.patch(
        f"/api/v1/resources/{service.slug}/offers/{offer.iid}", json=payload, headers=admin.headers
    )

    assert response.status_code == 200
    assert response.json() == {
        "id": 1,
        "name": "New offer",
        "description": "sample description",
        "parameters": ALL_PARAMETERS[:2],
        "order_type": "order_required",
        "order_url": "https://example.org/o",
        "internal": True,
        "primary_oms_id": oms.id,
        "oms_params": {"a": "b"},
    }
    assert_offering_response(response, OFFER, "patch")
    session.refresh(offer)
    assert (offer.name, offer.primary_oms_id, offer.oms_params) == ("New offer", oms.id, {"a": "b"})


def test_update_with_empty_parameters_deletes_them(client, make, admin, service, session):
    offer = make.offer(service, parameters=ALL_PARAMETERS)

    response = client.patch(
        f"/api/v1/resources/{service.slug}/offers/1", json={"parameters": []}, headers=admin.headers
    )

    assert response.status_code == 200
    session.refresh(offer)
    assert offer.parameters == []


def test_update_to_an_oms_without_custom_params_resets_oms_params(
    client, make, admin, service, session
):
    with_params = make.oms("With", custom_params={"a": {"mandatory": False}})
    without = make.oms("Without")
    offer = make.offer(service, internal=True, primary_oms_id=with_params.id, oms_params={"a": "x"})

    response = client.patch(
        f"/api/v1/resources/{service.slug}/offers/1",
        json={"primary_oms_id": without.id},
        headers=admin.headers,
    )

    assert response.status_code == 200
    session.refresh(offer)
    assert (offer.primary_oms_id, offer.oms_params) == (without.id, {})


def test_update_to_not_internal_drops_the_oms(client, make, admin, service, session):
    oms = make.oms()
    offer = make.offer(service, internal=True, primary_oms_id=oms.id)

    response = client.patch(
        f"/api/v1/resources/{service.slug}/offers/1",
        json={"internal": False, "primary_oms_id": oms.id},
        headers=admin.headers,
    )

    assert response.status_code == 200
    assert "primary_oms_id" not in response.json()
    session.refresh(offer)
    assert (offer.internal, offer.primary_oms_id) == (False, None)


def test_update_with_status_is_refused_and_changes_nothing(client, make, admin, service, session):
    offer = make.offer(service, name="Kept")

    response = client.patch(
        f"/api/v1/resources/{service.slug}/offers/1",
        json={"name": "Changed", "status": "draft"},
        headers=admin.headers,
    )

    assert response.status_code == 400
    assert response.json() == {
        "error": "The property '#/' of type object matched the disallowed schema"
    }
    session.refresh(offer)
    assert (offer.name, offer.status) == ("Kept", OfferStatus.PUBLISHED)


def test_update_breaking_a_rule_changes_nothing(client, make, admin, service, session):
    offer = make.offer(service, name="Kept")

    response = client.patch(
        f"/api/v1/resources/{service.slug}/offers/1",
        json={"name": "Changed", "primary_oms_id": 777, "internal": True},
        headers=admin.headers,
    )

    assert response.status_code == 400
    assert response.json() == {"error": {"primary_oms": ["doesn't exist"]}}
    session.refresh(offer)
    assert offer.name == "Kept"


def test_update_by_a_stranger_is_403(client, make, service):
    make.offer(service)
    stranger = make.token_user()

    response = client.patch(
        f"/api/v1/resources/{service.slug}/offers/1", json={"name": "x"}, headers=stranger.headers
    )

    assert response.status_code == 403


# --- deleting offers -----------------------------------------------------------------


def test_delete_removes_an_offer_without_orders(client, make, admin, service, session):
    make.offer(service)
    make.offer(service)

    response = client.delete(f"/api/v1/resources/{service.slug}/offers/1", headers=admin.headers)

    assert response.status_code == 200
    assert response.content == b""
    assert session.scalars(select(Offer.iid)).all() == [2]


def test_delete_keeps_an_offer_with_orders_as_deleted(client, make, admin, service, session):
    offer = make.offer(service, internal=True)
    make.order(offer)

    response = client.delete(f"/api/v1/resources/{service.slug}/offers/1", headers=admin.headers)

    assert response.status_code == 200
    session.refresh(offer)
    assert offer.status == OfferStatus.DELETED
    listed = client.get(f"/api/v1/resources/{service.slug}/offers", headers=admin.headers)
    assert listed.json() == {"offers": []}


def test_delete_resets_the_last_published_offer_to_the_service_order_type(
    client, make, admin, session
):
    service = make.service(make.provider(admin.user), order_type=OrderType.OPEN_ACCESS)
    make.offer(service, order_type=OrderType.OPEN_ACCESS)
    survivor = make.offer(service, order_type=OrderType.ORDER_REQUIRED)

    response = client.delete(f"/api/v1/resources/{service.slug}/offers/1", headers=admin.headers)

    assert response.status_code == 200
    session.refresh(survivor)
    assert survivor.order_type == OrderType.OPEN_ACCESS


def test_delete_by_a_stranger_is_403_and_keeps_the_offer(client, make, service, session):
    make.offer(service)
    stranger = make.token_user()

    response = client.delete(f"/api/v1/resources/{service.slug}/offers/1", headers=stranger.headers)

    assert response.status_code == 403
    assert offer_count(session) == 1


# --- query counts --------------------------------------------------------------------


def _listing_queries(client, count_queries, admin, path):
    client.get(path, headers=admin.headers)  # the token known, in both counts
    with count_queries() as queries:
        response = client.get(path, headers=admin.headers)
    assert response.status_code == 200
    return queries.count


def test_resource_list_runs_the_same_queries_for_one_or_many_services(
    client, make, admin, count_queries
):
    provider = make.provider(admin.user)
    make.oms("Default", is_default=True)
    make.oms("Group", type=OmsType.PROVIDER_GROUP, providers=[provider])
    make.service(provider)
    one = _listing_queries(client, count_queries, admin, "/api/v1/resources")

    for _ in range(5):
        make.service(provider)
    many = _listing_queries(client, count_queries, admin, "/api/v1/resources")

    assert many == one


def test_offer_list_runs_the_same_queries_for_one_or_many_offers(
    client, make, admin, service, count_queries
):
    default = make.oms("Default", is_default=True)
    other = make.oms("Other")
    # Falls back to the default OMS, whose one lookup the many below share.
    make.offer(service, internal=True)
    path = f"/api/v1/resources/{service.slug}/offers"
    one = _listing_queries(client, count_queries, admin, path)

    for oms in (default, other, other, None):
        make.offer(service, internal=True, primary_oms_id=oms.id if oms else None)
    many = _listing_queries(client, count_queries, admin, path)

    assert many == one


def test_every_broken_field_is_reported_at_once(client, admin, service, session):
    payload = {
        "name": " ",
        "description": "",
        "order_type": "order_required",
        "order_url": "example.org",
        "parameters": [
            {
                "id": "0",
                "type": "range",
                "label": "R",
                "value_type": "integer",
                "config": {"minimum": 3, "maximum": 1},
            }
        ],
    }

    response = client.post(
        f"/api/v1/resources/{service.slug}/offers", json=payload, headers=admin.headers
    )

    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "name": ["can't be blank"],
            "description": ["can't be blank"],
            "parameters": ["is invalid"],
            "order_url": ["is not a valid URL"],
        }
    }
    # Keys in the EOSC model's validation order (reference §8.6).
    assert list(response.json()["error"]) == ["name", "description", "parameters", "order_url"]
    assert offer_count(session) == 0
