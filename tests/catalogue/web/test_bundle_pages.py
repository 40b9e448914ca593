"""Bundle pages: data administrators of the service's provider create, edit, publish,
unpublish, draft and delete bundles; the service page shows the published ones."""

import pytest
from sqlalchemy import select

from mercato.catalogue import bundles, rules
from mercato.catalogue.models import Bundle, BundleStatus, OfferStatus
from tests.factories import TERMS
from tests.web.pages import field_error, log_in, submit

NEW = "/services/cloud/bundles/new"
EDIT = "/services/cloud/bundles/1/edit"


@pytest.fixture
def admin(make):
    return make.user()


@pytest.fixture
def service(make, admin):
    return make.service(make.provider(admin), name="Cloud")


@pytest.fixture
def main(make, service):
    return make.offer(service, name="VM", internal=True)


@pytest.fixture
def storage(make):
    for name, model in bundles.REQUIRED_VOCABULARIES.items():
        rules.named_rows(make.session, model, [TERMS[name], "Other term"])
    make.session.commit()
    return make.offer(make.service(name="Storage"), name="Disk", internal=True)


def _bundle(main, storage, **fields: str) -> dict[str, object]:
    return {
        "name": "VM with disk",
        "description": "Both at once",
        "order_type": "order_required",
        "main_offer": str(main.id),
        "offers": [str(storage.id)],
        **{name: [term] for name, term in TERMS.items()},
        "helpdesk_url": "https://help.example.org",
        "action": "publish",
        **fields,
    }


def _bundles(session) -> list[Bundle]:
    session.expire_all()
    return list(session.scalars(select(Bundle).order_by(Bundle.id)))


def test_a_data_administrator_creates_a_published_bundle(client, session, admin, main, storage):
    log_in(client, admin)

    response = submit(client, NEW, NEW, _bundle(main, storage, contact_email="a@example.org"))

    assert response.status_code == 303
    assert response.headers["location"] == "/services/cloud/offers#bundles"
    [bundle] = _bundles(session)
    assert (bundle.iid, bundle.name, bundle.status, bundle.main_offer, bundle.offers) == (
        1,
        "VM with disk",
        BundleStatus.PUBLISHED,
        main,
        [storage],
    )
    assert bundle.contact_email == "a@example.org"
    chosen = {name: [term.name for term in getattr(bundle, name)] for name in TERMS}
    assert chosen == {
        "bundle_goals": ["Processing"],
        "capabilities_of_goals": ["Compute"],
        "target_users": ["Researchers"],
        "scientific_domains": ["Physics"],
        "marketplace_locations": ["Process and Analyse"],
    }
    listing = client.get("/services/cloud/offers").text
    assert "Bundle “VM with disk” has been published." in listing
    assert (
        '<a class="button secondary" href="/services/cloud/bundles/1/edit">Edit bundle</a>'
        in listing
    )


def test_a_refused_bundle_shows_every_problem_and_saves_nothing(
    client, session, admin, main, storage
):
    log_in(client, admin)
    typed = _bundle(main, storage, offers=[str(storage.id), str(main.id)], helpdesk_url="help")
    del typed["scientific_domains"]
    del typed["target_users"]

    page = submit(client, NEW, NEW, typed)

    assert page.status_code == 400
    assert field_error(page.text, "offers") == "cannot bundle main offer"
    assert field_error(page.text, "helpdesk_url") == "is not a valid URL"
    assert field_error(page.text, "scientific_domains") == "are required. Please add at least one"
    assert field_error(page.text, "target_users") == "are required. Please add at least one"
    assert "The bundle was not saved: please fix these 4 problems" in page.text
    assert '<input type="checkbox" name="bundle_goals" value="Processing" checked>' in page.text
    assert '<input type="checkbox" name="bundle_goals" value="Other term">' in page.text
    assert 'value="help"' in page.text
    assert _bundles(session) == []


def test_a_draft_main_offer_may_front_a_draft_but_not_a_published_bundle(
    client, session, make, admin, service, storage
):
    draft = make.offer(service, name="Next", status=OfferStatus.DRAFT)
    log_in(client, admin)

    refused = submit(client, NEW, NEW, _bundle(draft, storage))
    saved = submit(client, NEW, NEW, _bundle(draft, storage, action="draft"))

    assert field_error(refused.text, "main_offer") == "must be published"
    assert saved.status_code == 303
    assert [b.status for b in _bundles(session)] == [BundleStatus.DRAFT]


def test_editing_replaces_the_offers_and_keeps_the_iid(client, session, make, admin, main, storage):
    make.bundle(main, [storage])
    other = make.offer(make.service(name="Backup"), name="Tape")
    log_in(client, admin)

    form = client.get(EDIT).text
    response = submit(
        client, EDIT, EDIT, _bundle(main, storage, offers=[str(other.id)], name="New")
    )

    assert f'<input type="checkbox" name="offers" value="{storage.id}" checked>' in form
    assert response.status_code == 303
    [bundle] = _bundles(session)
    assert (bundle.iid, bundle.name, bundle.offers) == (1, "New", [other])


@pytest.mark.parametrize(
    ("status", "message"),
    [
        ("unpublished", "Bundle “B” has been unpublished."),
        ("draft", "Bundle “B” has been saved as a draft."),
    ],
)
def test_status_buttons_take_a_bundle_down(
    client, session, make, admin, main, storage, status, message
):
    make.bundle(main, [storage], name="B")
    log_in(client, admin)

    response = submit(
        client, "/services/cloud/offers", "/services/cloud/bundles/1/status", {"status": status}
    )

    assert response.status_code == 303
    assert [b.status.value for b in _bundles(session)] == [status]
    assert message in client.get("/services/cloud/offers").text


def test_publishing_a_bundle_whose_offer_went_away_is_refused(
    client, session, make, admin, main, storage
):
    make.bundle(main, [storage], name="B", status=BundleStatus.DRAFT)
    rules.update_offer(session, storage, {}, OfferStatus.DRAFT)
    session.commit()
    log_in(client, admin)

    submit(
        client,
        "/services/cloud/offers",
        "/services/cloud/bundles/1/status",
        {"status": "published"},
    )

    assert [b.status for b in _bundles(session)] == [BundleStatus.DRAFT]
    expected = (
        "Bundle “B” was not published: edit it first "
        "(Bundled offers: must have only published offers selected)."
    )
    assert expected in client.get("/services/cloud/offers").text


def test_deleting_a_bundle_keeps_its_offers(client, session, make, admin, main, storage):
    make.bundle(main, [storage], name="B")
    log_in(client, admin)

    confirm = client.get("/services/cloud/bundles/1/delete")
    response = submit(
        client, "/services/cloud/bundles/1/delete", "/services/cloud/bundles/1/delete"
    )

    assert "Delete bundle “B”?" in confirm.text
    assert response.status_code == 303
    assert _bundles(session) == []
    assert [o.name for o in rules.published_offers(session, storage.service)] == ["Disk"]


PAGES = [
    ("get", NEW),
    ("get", EDIT),
    ("get", "/services/cloud/bundles/1/delete"),
    ("post", NEW),
    ("post", EDIT),
    ("post", "/services/cloud/bundles/1/status"),
    ("post", "/services/cloud/bundles/1/delete"),
]


@pytest.mark.parametrize(("method", "path"), PAGES)
def test_bundle_pages_are_forbidden_to_others_and_change_nothing(
    client, session, make, main, storage, method, path
):
    make.bundle(main, [storage], name="B")
    stranger = make.user()
    log_in(client, stranger)

    if method == "get":
        response = client.get(path)
    else:
        response = submit(client, "/account", path, {"status": "draft", "name": "X"})

    assert response.status_code == 403
    assert [(b.name, b.status) for b in _bundles(session)] == [("B", BundleStatus.PUBLISHED)]


@pytest.mark.parametrize(
    "path", ["/services/nowhere/bundles/new", "/services/cloud/bundles/9/edit"]
)
def test_missing_services_and_bundles_are_404(client, admin, service, path):
    log_in(client, admin)

    assert client.get(path).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, service):
    response = client.get(NEW, follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fservices%2Fcloud%2Fbundles%2Fnew"


def test_the_service_page_shows_published_bundles_with_their_offers_and_services(
    client, make, main, storage
):
    make.bundle(main, [storage], name="VM with disk")
    make.bundle(main, [storage], name="Hidden", status=BundleStatus.DRAFT)

    page = client.get("/services/cloud").text

    assert "<h3>VM with disk</h3>" in page
    assert "Hidden" not in page
    assert '<li><strong>Main offer:</strong> <a href="/services/cloud">Cloud</a> · VM</li>' in page
    assert '<li><a href="/services/storage">Storage</a> · Disk</li>' in page
    assert '<a class="button" href="/services/cloud/bundles/1/order"' in page


def test_unpublished_offers_of_others_are_neither_shown_nor_taken(
    client, session, make, admin, main, storage
):
    hidden = make.offer(make.service(name="Secret"), name="Unreleased", status=OfferStatus.DRAFT)
    log_in(client, admin)

    page = submit(client, NEW, NEW, _bundle(main, storage, offers=[str(hidden.id)]))

    assert page.status_code == 400
    assert field_error(page.text, "offers") == "can't be blank"
    assert "Unreleased" not in page.text
    assert _bundles(session) == []


def test_the_edit_form_shows_a_bundled_offer_that_was_unpublished_since(
    client, session, make, admin, main, storage
):
    make.bundle(main, [storage])
    rules.update_offer(session, storage, {}, OfferStatus.DRAFT)
    session.commit()
    log_in(client, admin)

    page = submit(client, EDIT, EDIT, _bundle(main, storage))

    assert page.status_code == 400
    assert "Storage · Disk (draft)" in page.text
    assert field_error(page.text, "offers") == "must have only published offers selected"
