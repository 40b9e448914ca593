"""Offering pages for providers: create in every way, edit, bind, publish, tag, delete."""

from sqlalchemy import select

from mercato.catalogue.models import Offer, OfferStatus, OrderType
from mercato.store.models import NotificationTarget, StoreOffering
from mercato.store.usdl import Legal, OfferingDescription, export_usdl
from tests.store.loopback import serving
from tests.store.world import PNG, buyer, seller, store, stored_files
from tests.web.pages import csrf_token, field_error, log_in

__all__ = ["buyer", "seller", "store"]

OFFERING = "/store/offerings/conwet/Smart%20City%20Lights/1.0"
NO_FILE = ("", b"", "application/octet-stream")
USDL = OfferingDescription(
    name="Smart City Lights",
    version="1.0",
    description="Street lights that dim when nobody is around",
    abstract="Smart lighting",
    legal=Legal(title="Terms of use", text="Use it kindly"),
)


def _form(**fields: str) -> dict[str, str]:
    return {
        "name": "Smart City Lights",
        "version": "1.0",
        "notification": "none",
        "source": "form",
        "description": "Street lights that dim",
        **fields,
    }


def _create(client, fields: dict[str, str], files: list | None = None):
    data = {"csrftoken": csrf_token(client, "/store/offerings/new"), **fields}
    sent = files or [("logo", NO_FILE)]
    return client.post("/store/offerings/new", data=data, files=sent, follow_redirects=False)


def _offering(session) -> StoreOffering:
    session.expire_all()
    return session.scalars(select(StoreOffering)).one()


def test_provider_creates_an_offering_with_every_step_of_the_simple_form(
    client, store, seller, settings
):
    provider = store.provider(seller)
    widget = store.asset(provider, is_open=True)
    log_in(client, seller.user)
    fields = _form(
        abstract="Smart lighting",
        notification="own",
        notification_url="https://conwet.example.org/notify",
        open="on",
        legal_title="Terms of use",
        legal_text="Use it kindly",
        assets=str(widget.id),
    )
    images = [
        ("logo", ("logo.png", PNG, "image/png")),
        ("screenshots", ("one.png", PNG, "image/png")),
        ("screenshots", ("two.png", PNG, "image/png")),
    ]

    response = _create(client, fields, images)

    assert (response.status_code, response.headers["location"]) == (303, OFFERING)
    offering = _offering(store.session)
    assert (offering.version, offering.abstract, offering.legal) == (
        "1.0",
        "Smart lighting",
        {"title": "Terms of use", "text": "Use it kindly"},
    )
    assert (offering.notification, offering.notification_url) == (
        NotificationTarget.OWN,
        "https://conwet.example.org/notify",
    )
    assert (offering.offer.status, offering.offer.order_type) == (
        OfferStatus.DRAFT,
        OrderType.OPEN_ACCESS,
    )
    assert offering.offer.description == "Street lights that dim"
    assert offering.assets == [widget]
    assert offering.owner == seller.user
    assert [key.rsplit("/", 1)[1] for key in offering.screenshot_keys] == ["one.png", "two.png"]
    assert stored_files(settings) == sorted(
        [widget.file_key, offering.image_key, *offering.screenshot_keys]
    )
    page = client.get(OFFERING).text
    assert "Offering “Smart City Lights” version 1.0 has been created." in page
    assert '<span class="badge store-state state-uploaded">uploaded</span>' in page


def test_provider_creates_an_offering_from_an_uploaded_usdl_document(client, store, seller):
    store.provider(seller)
    log_in(client, seller.user)
    document = export_usdl(USDL, "text/turtle")

    response = _create(
        client,
        _form(source="file", description=""),
        [("usdl_file", ("offering.ttl", document, "text/turtle"))],
    )

    assert response.status_code == 303
    offering = _offering(store.session)
    assert offering.offer.description == "Street lights that dim when nobody is around"
    assert (offering.abstract, offering.legal) == (
        "Smart lighting",
        {"title": "Terms of use", "text": "Use it kindly"},
    )
    assert "Use it kindly" in offering.usdl_text


def test_provider_creates_an_offering_from_a_usdl_url(client, store, seller, settings):
    settings.outgoing_allowed_networks = "127.0.0.0/8"
    store.provider(seller)
    log_in(client, seller.user)

    with serving() as server:
        document = export_usdl(USDL, "application/rdf+xml")
        server.answers["/lights.rdf"] = (200, "application/rdf+xml", document)
        url = f"{server.url}/lights.rdf"
        response = _create(client, _form(source="url", usdl_url=url))

    assert response.status_code == 303
    offering = _offering(store.session)
    assert (offering.offer.description, offering.description_url) == (
        "Street lights that dim when nobody is around",
        url,
    )


def test_a_hostile_usdl_document_is_refused_next_to_its_input(client, store, seller, settings):
    store.provider(seller)
    log_in(client, seller.user)
    hostile = (
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">&x;</rdf:RDF>'
    )

    response = _create(
        client,
        _form(source="file"),
        [
            ("logo", ("logo.png", PNG, "image/png")),
            ("usdl_file", ("offering.rdf", hostile, "application/rdf+xml")),
        ],
    )

    assert response.status_code == 400
    assert "DOCTYPE" in field_error(response.text, "usdl_file")
    assert store.session.scalars(select(StoreOffering)).all() == []
    assert stored_files(settings) == []


def test_a_refused_offering_keeps_what_was_typed_and_stores_nothing(
    client, store, seller, settings
):
    provider = store.provider(seller)
    closed = store.asset(provider)
    log_in(client, seller.user)

    response = _create(
        client,
        _form(open="on", assets=str(closed.id), abstract="Kept"),
        [("logo", ("logo.png", PNG, "image/png"))],
    )

    assert response.status_code == 400
    assert field_error(response.text, "assets") == (
        "an open offering takes only open resources: 'Map Viewer'"
    )
    assert 'name="abstract" value="Kept"' in response.text
    assert store.session.scalars(select(Offer)).all() == []
    assert stored_files(settings) == [closed.file_key]


def test_an_offering_version_must_be_higher_than_the_existing_ones(client, store, seller):
    provider = store.provider(seller)
    store.offering(provider, seller, version="2.0")
    log_in(client, seller.user)

    response = _create(client, _form(version="1.5"))

    assert response.status_code == 400
    assert field_error(response.text, "version") == (
        "A bigger version of the current offering exists"
    )


def test_editing_an_uploaded_offering_replaces_its_description_and_logo(
    client, store, seller, settings
):
    provider = store.provider(seller)
    store.offering(provider, seller)
    log_in(client, seller.user)

    response = client.post(
        f"{OFFERING}/edit",
        data={
            "csrftoken": csrf_token(client, f"{OFFERING}/edit"),
            "source": "form",
            "description": "Brighter",
            "abstract": "Lights",
        },
        files=[("logo", ("new.png", PNG, "image/png"))],
        follow_redirects=False,
    )

    assert response.status_code == 303
    offering = _offering(store.session)
    assert (offering.offer.description, offering.abstract, offering.legal) == (
        "Brighter",
        "Lights",
        None,
    )
    assert stored_files(settings) == [offering.image_key]


def test_a_published_offering_cannot_be_edited(client, store, seller):
    provider = store.provider(seller)
    store.offering(provider, seller, bound=[store.asset(provider)], publish=True)
    log_in(client, seller.user)

    response = client.post(
        f"{OFFERING}/edit",
        data={"csrftoken": csrf_token(client, f"{OFFERING}/edit"), "source": "form"},
        files=[("logo", NO_FILE)],
    )

    assert response.status_code == 400
    assert "a published offering cannot be changed; create a higher version" in response.text
    assert _offering(store.session).offer.description == "Smart City Lights offering"


def test_binding_sets_the_whole_set_of_assets(client, store, seller):
    provider = store.provider(seller)
    kept, dropped, added = (store.asset(provider, name) for name in ("Kept", "Dropped", "Added"))
    store.offering(provider, seller, bound=[kept, dropped])
    log_in(client, seller.user)

    form = client.get(f"{OFFERING}/bind").text
    response = client.post(
        f"{OFFERING}/bind",
        data={
            "csrftoken": csrf_token(client, f"{OFFERING}/bind"),
            "assets": [str(kept.id), str(added.id)],
        },
        follow_redirects=False,
    )

    assert f'name="assets" value="{dropped.id}" checked' in form
    assert response.status_code == 303
    # In binding order, as WStore lists them: the one kept, then the one added.
    assert [a.name for a in _offering(store.session).assets] == ["Kept", "Added"]


def test_publishing_an_offering_makes_it_public(client, store, seller):
    provider = store.provider(seller)
    store.offering(provider, seller)
    log_in(client, seller.user)

    form = client.get(f"{OFFERING}/publish").text
    response = client.post(
        f"{OFFERING}/publish",
        data={"csrftoken": csrf_token(client, f"{OFFERING}/publish")},
        follow_redirects=False,
    )

    assert "No marketplaces are registered; an administrator registers them." in form
    assert response.status_code == 303
    offering = _offering(store.session)
    assert offering.offer.status == OfferStatus.PUBLISHED
    assert offering.published_at is not None


def test_publishing_to_an_unregistered_marketplace_changes_nothing(client, store, seller):
    provider = store.provider(seller)
    store.offering(provider, seller)
    log_in(client, seller.user)

    response = client.post(
        f"{OFFERING}/publish",
        data={"csrftoken": csrf_token(client, f"{OFFERING}/publish"), "marketplaces": "Nowhere"},
    )

    assert response.status_code == 400
    assert field_error(response.text, "marketplaces") == "not registered: Nowhere"
    assert _offering(store.session).offer.status == OfferStatus.DRAFT


def test_an_open_offering_without_assets_cannot_be_published(client, store, seller):
    store.offering(store.provider(seller), seller, is_open=True)
    log_in(client, seller.user)

    response = client.post(
        f"{OFFERING}/publish", data={"csrftoken": csrf_token(client, f"{OFFERING}/publish")}
    )

    assert response.status_code == 400
    assert "an open offering needs at least one resource" in response.text


def test_tags_page_suggests_tags_of_similar_offerings_and_saves_the_chosen_ones(
    client, store, seller
):
    provider = store.provider(seller)
    other = store.offering(provider, seller, "Street Maps")
    other.offer.tags = ["maps", "city", "lights"]
    store.session.commit()
    offering = store.offering(provider, seller)
    log_in(client, seller.user)

    form = client.get(f"{OFFERING}/tags").text
    response = client.post(
        f"{OFFERING}/tags",
        data={
            "csrftoken": csrf_token(client, f"{OFFERING}/tags"),
            "tags": "Lighting, energy",
            "suggested": ["city"],
            "action": "save",
        },
        follow_redirects=False,
    )

    assert '<input type="checkbox" name="suggested" value="city"> city' in form
    assert '<input type="checkbox" name="suggested" value="lights"> lights' in form
    assert response.status_code == 303
    store.session.refresh(offering.offer)
    assert offering.offer.tags == ["lighting", "energy", "city"]


def test_asking_for_suggestions_saves_nothing(client, store, seller):
    store.offering(store.provider(seller), seller)
    log_in(client, seller.user)

    response = client.post(
        f"{OFFERING}/tags",
        data={
            "csrftoken": csrf_token(client, f"{OFFERING}/tags"),
            "tags": "energy",
            "action": "suggest",
        },
    )

    assert response.status_code == 200
    assert 'name="tags" value="energy"' in response.text
    assert _offering(store.session).offer.tags == []


def test_deleting_an_uploaded_offering_removes_it(client, store, seller, settings):
    store.offering(store.provider(seller), seller)
    log_in(client, seller.user)

    confirm = client.get(f"{OFFERING}/delete").text
    response = client.post(
        f"{OFFERING}/delete",
        data={"csrftoken": csrf_token(client, f"{OFFERING}/delete")},
        follow_redirects=False,
    )

    assert "It has not been published, so it is removed for good with its images." in confirm
    assert (response.status_code, response.headers["location"]) == (303, "/store/my-offerings")
    assert store.session.scalars(select(StoreOffering)).all() == []


def test_deleting_a_published_offering_keeps_it_marked_deleted(client, store, seller):
    provider = store.provider(seller)
    store.offering(provider, seller, bound=[store.asset(provider)], publish=True)
    log_in(client, seller.user)

    confirm = client.get(f"{OFFERING}/delete").text
    response = client.post(
        f"{OFFERING}/delete",
        data={"csrftoken": csrf_token(client, f"{OFFERING}/delete")},
        follow_redirects=False,
    )

    assert "customers who acquired it keep it and its assets" in confirm
    assert response.status_code == 303
    assert _offering(store.session).offer.status == OfferStatus.DELETED


def test_managing_pages_are_forbidden_to_other_users(client, store, seller, buyer):
    store.offering(store.provider(seller), seller, bound=[], publish=False)
    log_in(client, buyer.user)

    for action in ("edit", "bind", "publish", "tags", "delete"):
        assert client.get(f"{OFFERING}/{action}").status_code == 403
    assert client.get("/store/offerings/new").status_code == 403
