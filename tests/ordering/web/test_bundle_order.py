"""Ordering a bundle: one order per offer (main offer first) in one transaction, each
with its event, exactly as ordering the offers one by one would make them."""

import pytest
from sqlalchemy import select

from mercato.catalogue import rules
from mercato.catalogue.models import BundleStatus, OfferStatus, OrderType
from mercato.errors import Invalid
from mercato.ordering.models import Event, EventResource, EventType, Order, Project, StatusType
from mercato.ordering.orders import OrderRequest, place_order
from tests.web.pages import field_error, log_in, submit

SELECT = {
    "id": "cores",
    "type": "select",
    "label": "CPU cores",
    "description": None,
    "config": {"values": [1, 2, 4], "mode": "buttons"},
    "value_type": "integer",
    "unit": None,
}
INPUT = {
    "id": "code",
    "type": "input",
    "label": "Project code",
    "description": None,
    "unit": None,
    "value_type": "string",
    "sensitive": False,
}
FORM = "/services/compute/bundles/1/order"


@pytest.fixture
def customer(client, make):
    user = make.user()
    log_in(client, user)
    return user


@pytest.fixture
def bundle(make):
    compute = make.service(name="Compute")
    main = make.offer(compute, name="VM", internal=True, parameters=[SELECT])
    disk = make.offer(make.service(name="Storage"), name="Disk", internal=True, parameters=[INPUT])
    docs = make.offer(
        make.service(name="Docs", order_type=OrderType.OPEN_ACCESS),
        name="Manual",
        order_type=OrderType.OPEN_ACCESS,
    )
    return make.bundle(main, [disk, docs], name="Research kit")


def _orders(session) -> list[tuple]:
    rows = session.scalars(select(Order).order_by(Order.id))
    return [
        (
            o.iid,
            o.offer.name,
            o.order_type,
            o.status_type,
            [p.get("value") for p in o.offer_properties],
        )
        for o in rows
    ]


def test_ordering_a_bundle_places_one_order_per_offer_with_its_event(
    client, make, session, customer, bundle
):
    project = make.project(customer, name="Climate study")

    response = submit(
        client,
        FORM,
        FORM,
        {"project": str(project.id), "offer-0-value-0": "4", "offer-1-value-0": "ABC-1"},
    )

    assert response.status_code == 303
    assert response.headers["location"] == f"/projects/{project.id}"
    assert _orders(session) == [
        (1, "VM", "order_required", StatusType.CREATED, [4]),
        (2, "Disk", "order_required", StatusType.CREATED, ["ABC-1"]),
        (3, "Manual", "open_access", StatusType.READY, []),
    ]
    events = session.scalars(select(Event).order_by(Event.id)).all()
    orders = session.scalars(select(Order.id).order_by(Order.id)).all()
    assert [(e.type, e.resource, e.project_id, e.order_id) for e in events[-3:]] == [
        (EventType.CREATE, EventResource.PROJECT_ITEM, project.id, order_id) for order_id in orders
    ]
    page = client.get(response.headers["location"]).text
    expected = "Bundle “Research kit” has been ordered in project “Climate study”: 3 orders placed."
    assert expected in page


def test_the_bundle_form_asks_for_every_offers_parameters(client, customer, bundle):
    page = client.get(FORM)

    assert page.status_code == 200
    assert '<h2 id="offer-0-title">Main offer: VM</h2>' in page.text
    assert 'name="offer-0-value-0"' in page.text
    assert 'name="offer-1-value-0"' in page.text
    assert "Nothing to choose for this offer." in page.text


def test_a_problem_in_any_offer_orders_nothing(client, make, session, customer, bundle):
    project = make.project(customer)

    page = submit(
        client, FORM, FORM, {"project": "new", "project_name": "Fresh", "offer-0-value-0": "3"}
    )

    assert page.status_code == 400
    assert field_error(page.text, "offer-0-value-0") is not None
    assert field_error(page.text, "offer-1-value-0") == "can't be blank"
    assert session.scalars(select(Order)).all() == []
    assert session.scalars(select(Project.id)).all() == [project.id]


@pytest.mark.parametrize("change", ["bundle draft", "offer draft"])
def test_a_bundle_that_cannot_be_ordered_now_is_404(
    client, make, session, customer, bundle, change
):
    match change:
        case "bundle draft":
            bundle.status = BundleStatus.DRAFT
        case "offer draft":
            rules.update_offer(session, bundle.offers[0], {}, OfferStatus.DRAFT)
    session.commit()
    project = make.project(customer)

    assert client.get(FORM).status_code == 404
    response = submit(
        client,
        "/projects",
        FORM,
        {"project": str(project.id), "offer-0-value-0": "4", "offer-1-value-0": "x"},
    )
    assert response.status_code == 404
    assert session.scalars(select(Order)).all() == []
    assert "/bundles/1/order" not in client.get("/services/compute").text


def test_ordering_a_bundle_needs_a_login(client, bundle):
    response = client.get(FORM, follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")


ORDER_WEBSITE = "https://example.org/storage/disk/order"


def test_an_offer_ordered_on_the_providers_website_is_ordered_ready_in_the_bundle(
    client, make, session, customer, bundle
):
    # Upstream orders a bundle whatever its offers' order types; an offer that is
    # not orderable in the marketplace becomes an item that is ready at once.
    rules.update_offer(session, bundle.offers[0], {"internal": False, "order_url": ORDER_WEBSITE})
    session.commit()
    project = make.project(customer, name="Climate study")
    service_page = client.get("/services/compute").text
    form = client.get(FORM).text

    response = submit(
        client,
        FORM,
        FORM,
        {"project": str(project.id), "offer-0-value-0": "4", "offer-1-value-0": "ABC-1"},
    )

    hint = (
        "“Disk” is ordered on the provider's website: ordering the bundle adds it to your "
        "project, ready at once, with a link to that website."
    )
    assert hint in service_page
    assert f'its order page links to <a href="{ORDER_WEBSITE}" rel="noopener">' in form
    assert response.status_code == 303
    assert _orders(session) == [
        (1, "VM", "order_required", StatusType.CREATED, [4]),
        (2, "Disk", "order_required", StatusType.READY, ["ABC-1"]),
        (3, "Manual", "open_access", StatusType.READY, []),
    ]
    flashed = client.get(response.headers["location"]).text
    assert (
        "3 orders placed. Finish ordering “Disk” on the provider&#39;s website: see its order."
        in flashed
    )
    disk = client.get(f"/projects/{project.id}/orders/2").text
    assert (
        f'<a class="button" href="{ORDER_WEBSITE}" rel="noopener">Go to the order website</a>'
        in disk
    )
    assert "Go to the order website" not in client.get(f"/projects/{project.id}/orders/1").text


def test_an_offer_meant_only_for_bundles_is_not_offered_on_its_own(
    client, make, session, customer, bundle
):
    disk = bundle.offers[0]
    rules.update_offer(session, disk, {"bundle_exclusive": True})
    session.commit()
    project = make.project(customer)
    order_form = f"/services/{disk.service.slug}/offers/{disk.iid}/order"

    storage_page = client.get(f"/services/{disk.service.slug}").text
    page = client.get(order_form)
    posted = submit(client, FORM, order_form, {"project": str(project.id), "value-0": "x"})

    assert "<h3>Disk</h3>" not in storage_page
    assert order_form not in storage_page
    assert "This service has no published offers yet." in storage_page
    assert page.status_code == 404
    assert (
        '“Disk” of <a href="/services/storage">Storage</a> is only ordered as part of a bundle.'
        in page.text
    )
    assert '<a href="/services/compute#bundle-1">Research kit</a> · Compute' in page.text
    assert posted.status_code == 404
    assert session.scalars(select(Order)).all() == []


def test_an_offer_meant_only_for_bundles_is_refused_alone_but_ordered_in_its_bundle(
    client, make, session, customer, bundle
):
    disk = bundle.offers[0]
    rules.update_offer(session, disk, {"bundle_exclusive": True})
    session.commit()
    project = make.project(customer)

    with pytest.raises(Invalid) as refused:
        place_order(session, customer, project, disk, OrderRequest(values={"code": "A"}))
    session.rollback()
    response = submit(
        client,
        FORM,
        FORM,
        {"project": str(project.id), "offer-0-value-0": "4", "offer-1-value-0": "ABC-1"},
    )

    assert refused.value.errors == {"offer": ["is only ordered as part of a bundle"]}
    assert response.status_code == 303
    assert [row[1] for row in _orders(session)] == ["VM", "Disk", "Manual"]
