import re

from mercato.catalogue import rules
from mercato.catalogue.models import OfferStatus, ServiceStatus
from tests.web.pages import log_in


def _offer_names(page: str) -> list[str]:
    return re.findall(r'<h2>([^<]+)</h2>\s*<span class="badges">', page)


def test_data_administrator_sees_the_manage_menu_on_the_service_page(client, make):
    admin = make.user()
    make.service(make.provider(admin), name="Cloud")
    log_in(client, admin)

    page = client.get("/services/cloud").text

    assert "Manage the service" in page
    assert '<a href="/services/cloud/offers">Set parameters and offers</a>' in page


def test_offers_page_lists_published_and_draft_offers_but_not_deleted_ones(client, make, session):
    admin = make.user()
    service = make.service(make.provider(admin), name="Cloud")
    make.offer(service, name="Standard")
    make.offer(service, name="Next", status=OfferStatus.DRAFT)
    gone = make.offer(service, name="Gone", internal=True)
    make.order(gone)
    rules.delete_offer(session, gone)
    session.commit()
    log_in(client, admin)

    page = client.get("/services/cloud/offers")

    assert page.status_code == 200
    assert _offer_names(page.text) == ["Standard", "Next"]
    assert '<span class="badge status-published">published</span>' in page.text
    assert '<span class="badge status-draft">draft</span>' in page.text
    assert '<a class="button secondary" href="/services/cloud/offers/2/edit">' in page.text
    assert '<a class="button" href="/services/cloud/offers/new">Add new offer</a>' in page.text


def test_offers_page_is_forbidden_to_other_users(client, make):
    make.service(make.provider(make.user()), name="Cloud")
    log_in(client, make.user())

    page = client.get("/services/cloud/offers")

    assert page.status_code == 403
    assert "You are not allowed to do this." in page.text
    assert "Manage the service" not in client.get("/services/cloud").text


def test_site_admins_manage_every_service(client, make):
    make.service(name="Cloud")
    log_in(client, make.user(is_admin=True))

    assert client.get("/services/cloud/offers").status_code == 200


def test_offers_page_sends_anonymous_users_to_login(client, make):
    make.service(name="Cloud")

    response = client.get("/services/cloud/offers", follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fservices%2Fcloud%2Foffers"


def test_my_services_lists_the_services_of_administered_providers(client, make):
    admin = make.user()
    provider = make.provider(admin)
    make.service(provider, name="Cloud")
    make.service(provider, name="Old", status=ServiceStatus.DELETED)
    make.service(name="Not mine")
    log_in(client, admin)

    page = client.get("/my-services").text

    assert re.findall(r'<td><a href="/services/[^"]+">([^<]+)</a></td>', page) == ["Cloud"]
    assert '<a href="/my-services" aria-current="page">My services</a>' in page


def test_my_services_is_not_in_the_top_bar_of_users_without_providers(client, make):
    log_in(client, make.user())

    assert "My services" not in client.get("/").text


def test_my_services_lists_every_service_for_site_admins(client, make):
    site_admin = make.user(is_admin=True)
    make.service(name="Cloud")
    make.service(name="Storage")
    make.service(name="Gone", status=ServiceStatus.DELETED)
    log_in(client, site_admin)

    page = client.get("/my-services").text

    assert re.findall(r'<td><a href="/services/[^"]+">([^<]+)</a></td>', page) == [
        "Cloud",
        "Storage",
    ]
    assert '<a href="/my-services" aria-current="page">My services</a>' in page
