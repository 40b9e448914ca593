"""Bundles in the EOSC Offering API (reference §8.7): read-only `bundled_offers`, the
`main_bundles` refusal and unbundling on DELETE. Expected bodies are the reference's."""

import pytest
from sqlalchemy import select

from mercato.catalogue import rules
from mercato.catalogue.models import Bundle, BundleStatus, Offer, OfferStatus, OrderType

MAIN_BUNDLES = {"error": "Bundled offers must be an array of strings"}
FORBIDDEN = {"error": "You are not authorized to perform this action."}
STRING_ITEM = {
    "error": "The property '#/bundled_offers/0' of type string did not match any of the required "
    "schemas"
}


@pytest.fixture
def admin(make):
    return make.token_user()


@pytest.fixture
def main(make, admin, default_oms):
    service = make.service(make.provider(admin.user), name="Compute A")
    return make.offer(service, name="Main", internal=True, offer_category="service_category-other")


@pytest.fixture
def default_oms(make):
    return make.oms("SOMBO", is_default=True)


@pytest.fixture
def storage(make):
    service = make.service(name="Storage B")
    make.offer(service)
    return make.offer(service, name="Disk")


def _offer_path(offer: Offer) -> str:
    return f"/api/v1/resources/{offer.service.slug}/offers/{offer.iid}"


def test_a_main_offer_lists_every_bundle_it_fronts_with_all_their_offers(
    client, make, session, admin, main, storage, default_oms
):
    other = make.offer(main.service, name="Other")
    first = make.bundle(main, [other, storage])
    second = make.bundle(main, [storage], status=BundleStatus.DRAFT)
    rules.update_offer(session, storage, {}, OfferStatus.DRAFT)
    session.commit()

    response = client.get(_offer_path(main), headers=admin.headers)

    assert response.status_code == 200
    assert response.json() == {
        "id": 1,
        "name": "Main",
        "description": "An offer for tests",
        "parameters": [],
        "order_type": "order_required",
        "order_url": "",
        "offer_category": "service_category-other",
        "internal": True,
        "primary_oms_id": default_oms.id,
        "bundled_offers": [
            {str(first.id): ["compute-a/2", "storage-b/2"]},
            {str(second.id): ["storage-b/2"]},
        ],
    }


def test_bundled_offers_and_offers_without_bundles_carry_no_bundled_offers(
    client, make, session, admin, main
):
    inside = make.offer(main.service, name="Inside")
    make.bundle(main, [inside])

    listed = client.get(f"/api/v1/resources/{main.service.slug}/offers", headers=admin.headers)

    assert [("bundled_offers" in offer, offer["id"]) for offer in listed.json()["offers"]] == [
        (True, 1),
        (False, 2),
    ]
    bundle_id = session.scalar(select(Bundle.id))
    assert listed.json()["offers"][0]["bundled_offers"] == [{str(bundle_id): ["compute-a/2"]}]


def test_patch_with_string_bundled_offers_is_the_schema_error(client, admin, main):
    response = client.patch(
        _offer_path(main), json={"bundled_offers": ["svc/1"]}, headers=admin.headers
    )

    assert (response.status_code, response.json()) == (400, STRING_ITEM)


def test_patch_with_string_bundled_offers_is_refused(client, session, admin, main):
    response = client.patch(
        _offer_path(main), json={"bundled_offers": ["svc/1"], "name": "X"}, headers=admin.headers
    )

    assert response.status_code == 400
    session.refresh(main)
    assert main.name == "Main"


def test_bundled_offers_of_objects_pass_and_are_ignored(client, session, admin, main):
    response = client.patch(
        _offer_path(main),
        json={"name": "Renamed", "bundled_offers": [{"12": ["compute-a/1"]}]},
        headers=admin.headers,
    )

    assert response.status_code == 200
    assert response.json()["name"] == "Renamed"
    assert "bundled_offers" not in response.json()
    assert session.scalar(select(Bundle.id)) is None


@pytest.mark.parametrize("value", [{"1": ["compute-a/1"]}, ["compute-a/1"], "x", 0, False])
def test_any_non_null_main_bundles_is_refused_on_post_and_patch(
    client, session, admin, main, value
):
    created = client.post(
        f"/api/v1/resources/{main.service.slug}/offers",
        json={
            "name": "N",
            "description": "d",
            "order_type": "order_required",
            "main_bundles": value,
        },
        headers=admin.headers,
    )
    changed = client.patch(
        _offer_path(main), json={"name": "X", "main_bundles": value}, headers=admin.headers
    )

    assert (created.status_code, created.json()) == (400, MAIN_BUNDLES)
    assert (changed.status_code, changed.json()) == (400, MAIN_BUNDLES)
    assert session.scalars(select(Offer.name)).all() == ["Main"]


def test_null_main_bundles_is_accepted(client, admin, main):
    response = client.post(
        f"/api/v1/resources/{main.service.slug}/offers",
        json={
            "name": "N",
            "description": "d",
            "order_type": "order_required",
            "main_bundles": None,
        },
        headers=admin.headers,
    )

    assert response.status_code == 201


def test_main_bundles_is_checked_before_authorisation_on_post_and_after_on_patch(
    client, make, main
):
    stranger = make.token_user()

    created = client.post(
        f"/api/v1/resources/{main.service.slug}/offers",
        json={"name": "N", "description": "d", "order_type": "order_required", "main_bundles": {}},
        headers=stranger.headers,
    )
    changed = client.patch(_offer_path(main), json={"main_bundles": {}}, headers=stranger.headers)

    assert (created.status_code, created.json()) == (400, MAIN_BUNDLES)
    assert (changed.status_code, changed.json()) == (403, FORBIDDEN)


def test_main_bundles_comes_after_the_schema(client, admin, main):
    response = client.post(
        f"/api/v1/resources/{main.service.slug}/offers",
        json={"name": "N", "description": "d", "order_type": "sometimes", "main_bundles": {}},
        headers=admin.headers,
    )

    assert response.status_code == 400
    assert response.json() != MAIN_BUNDLES


def test_deleting_a_main_offer_answers_200_and_never_destroys_it(
    client, make, session, admin, main, storage
):
    bundle = make.bundle(main, [storage])

    response = client.delete(_offer_path(main), headers=admin.headers)

    assert (response.status_code, response.content) == (200, b"")
    session.refresh(bundle)
    session.refresh(main)
    assert (bundle.status, main.status) == (BundleStatus.UNPUBLISHED, OfferStatus.DELETED)


def test_deleting_a_bundled_offer_removes_it_from_the_bundle_and_drafts_it(
    client, make, session, main
):
    owner = make.token_user()
    service = make.service(make.provider(owner.user), order_type=OrderType.ORDER_REQUIRED)
    make.offer(service)
    inside = make.offer(service)
    bundle = make.bundle(main, [inside])

    response = client.delete(_offer_path(inside), headers=owner.headers)

    assert (response.status_code, response.content) == (200, b"")
    session.refresh(bundle)
    assert (bundle.status, bundle.offers) == (BundleStatus.DRAFT, [])
    assert session.scalars(select(Offer.iid).where(Offer.service_id == service.id)).all() == [1]


@pytest.mark.parametrize("value", [["svc/1"], [{"1": []}], "x"])
def test_the_older_bundled_connected_offers_key_is_ignored_as_any_unknown_key(
    client, session, admin, main, value
):
    response = client.patch(
        _offer_path(main),
        json={"name": "Renamed", "bundled_connected_offers": value},
        headers=admin.headers,
    )

    assert response.status_code == 200
    assert "bundled_connected_offers" not in response.json()
    assert session.scalar(select(Bundle.id)) is None
