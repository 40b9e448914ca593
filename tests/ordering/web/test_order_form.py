"""The order form: generated from the offer's parameters, validated, and what ordering does."""

import copy
import re

import pytest
from sqlalchemy import select

from mercato.catalogue.models import OfferStatus, OrderType, ServiceStatus
from mercato.ordering.models import (
    Event,
    EventResource,
    EventType,
    Order,
    Project,
    StatusType,
)
from tests.factories import ALL_PARAMETERS
from tests.web.pages import field_error, input_value, log_in, submit

FILLED = {
    "value-1": "ABC-1",
    "value-2": "2",
    "value-3": ["eu-west", "eu-central"],
    "value-4": "2026-12-01",
    "value-5": "16",
    "value-6": "3",
}


def _form_url(offer) -> str:
    return f"/services/{offer.service.slug}/offers/{offer.iid}/order"


def _events(session) -> list[tuple]:
    rows = session.scalars(select(Event).order_by(Event.id))
    return [(e.type, e.resource, e.project_id, e.order_id) for e in rows]


@pytest.fixture
def customer(client, make):
    user = make.user()
    log_in(client, user)
    return user


@pytest.fixture
def offer(make):
    return make.offer(name="Standard VM", internal=True, parameters=ALL_PARAMETERS)


def test_order_form_needs_a_login(client, offer):
    response = client.get(_form_url(offer), follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=%2Fservices%2F")


# The control each parameter type becomes, as the page shows it.
CONTROLS = [
    ("attribute", r'<p class="readonly-value" aria-labelledby="value-0-label">100 GB</p>'),
    ("input", r'<input type="text" id="value-1" name="value-1" value="" required>'),
    (
        "select (buttons)",
        r'<label class="option"><input type="radio" name="value-2" value="1"> <span>1 CPUs</span>'
        r'</label>\s*<label class="option"><input type="radio" name="value-2" value="2"> '
        r'<span>2 CPUs</span></label>\s*<label class="option"><input type="radio" '
        r'name="value-2" value="4"> <span>4 CPUs</span></label>',
    ),
    (
        "multiselect",
        r'<input type="checkbox" name="value-3" value="eu-west"> <span>eu-west</span></label>\s*'
        r'<label class="option"><input type="checkbox" name="value-3" value="eu-central"> '
        r"<span>eu-central</span>",
    ),
    ("date", r'<input type="date" id="value-4" name="value-4" value="" required'),
    (
        "range",
        r'<input type="number" id="value-5" name="value-5" value="" required step="1" '
        r'min="1" max="64"',
    ),
    (
        "quantity_price",
        r'<input type="number" id="value-6" name="value-6" value="1" required step="1" '
        r'min="1" max="100"[^>]*>\s*<p class="hint" id="value-6-hint">'
        r"price: start 10 EUR, then 2 EUR per step, up to 100</p>",
    ),
]


@pytest.mark.parametrize(("kind", "control"), CONTROLS, ids=[kind for kind, _ in CONTROLS])
def test_each_parameter_type_becomes_its_own_control(client, customer, offer, kind, control):
    page = client.get(_form_url(offer)).text

    assert re.search(control, page)


def test_attributes_are_shown_but_never_asked(client, customer, offer):
    page = client.get(_form_url(offer)).text

    assert 'name="value-0"' not in page


def test_a_dropdown_select_is_a_select_with_a_blank_choice(client, make, customer):
    parameter = copy.deepcopy(ALL_PARAMETERS[2])
    parameter["config"]["mode"] = "dropdown"
    offer = make.offer(internal=True, parameters=[parameter])

    page = client.get(_form_url(offer)).text

    select_ = re.search(
        r'<select id="value-0" name="value-0" required[^>]*>(.*?)</select>', page, re.S
    )
    assert re.findall(r'<option value="([^"]*)">([^<]+)</option>', select_[1]) == [
        ("", "— Choose —"),
        ("1", "1 CPUs"),
        ("2", "2 CPUs"),
        ("4", "4 CPUs"),
    ]


def test_exclusive_range_bounds_narrow_the_number_input(client, make, customer):
    parameter = copy.deepcopy(ALL_PARAMETERS[5])
    parameter["config"] |= {"exclusiveMinimum": True, "exclusiveMaximum": True}
    offer = make.offer(internal=True, parameters=[parameter])

    page = client.get(_form_url(offer)).text

    assert 'min="2" max="63"' in page


def test_a_sensitive_input_is_a_password_field(client, make, customer):
    parameter = {**ALL_PARAMETERS[1], "sensitive": True}
    offer = make.offer(internal=True, parameters=[parameter])

    page = client.get(_form_url(offer)).text

    assert '<input type="password" id="value-0" name="value-0" value="" required>' in page


def test_the_form_offers_the_customers_projects_newest_first_and_a_new_one(
    client, make, customer, offer
):
    make.project(customer, name="Older")
    newer = make.project(customer, name="Newer")
    make.project(make.user(), name="Someone else's")

    page = client.get(_form_url(offer)).text

    projects = re.search(r'<select id="project" name="project"[^>]*>(.*?)</select>', page, re.S)
    assert re.findall(r'<option value="([^"]*)"( selected)?>([^<]+)</option>', projects[1]) == [
        (str(newer.id), " selected", "Newer"),
        (str(newer.id - 1), "", "Older"),
    ]
    assert re.findall(
        r'<input type="radio" name="project_choice" value="(\w+)"[^>]*?( checked)?>', page
    ) == [
        ("existing", " checked"),
        ("new", ""),
    ]


def test_without_projects_only_a_new_one_is_offered(client, customer, offer):
    page = client.get(_form_url(offer)).text

    assert '<select id="project"' not in page
    assert (
        '<input type="radio" name="project_choice" value="new" id="project_choice-new" checked>'
        in page
    )
    assert "You have no project yet: name the one to create." in page


def test_a_new_project_name_is_never_dropped_into_an_existing_project(
    client, make, session, customer, offer
):
    project = make.project(customer, name="Climate study")
    fields = {"project_choice": "existing", "project": str(project.id), "project_name": "Fresh"}

    response = submit(client, _form_url(offer), _form_url(offer), {**fields, **FILLED})

    assert response.status_code == 400
    assert field_error(response.text, "project_name") == (
        "you chose an existing project and typed the new project name “Fresh”: "
        "choose “New project” to create it, or clear the name"
    )
    assert session.scalars(select(Order)).all() == []
    assert [p.name for p in session.scalars(select(Project))] == ["Climate study"]


def test_choosing_new_project_ignores_the_select(client, make, session, customer, offer):
    kept = make.project(customer, name="Climate study")
    fields = {"project_choice": "new", "project": str(kept.id), "project_name": "Fresh"}

    response = submit(client, _form_url(offer), _form_url(offer), {**fields, **FILLED})

    assert response.status_code == 303
    [order] = session.scalars(select(Order)).all()
    assert order.project.name == "Fresh"


def test_ordering_stores_the_values_as_offer_properties_and_writes_the_event(
    client, make, session, customer, offer
):
    project = make.project(customer, name="Climate study")

    response = submit(
        client, _form_url(offer), _form_url(offer), {"project": str(project.id), **FILLED}
    )

    assert response.status_code == 303
    assert response.headers["location"] == f"/projects/{project.id}/orders/1"
    [order] = session.scalars(select(Order)).all()
    assert (order.project_id, order.iid, order.offer_id, order.order_type) == (
        project.id,
        1,
        offer.id,
        "order_required",
    )
    assert (order.status_type, order.status_value) == (StatusType.CREATED, "created")
    assert [(c.status_type, c.status_value, c.author_id) for c in order.history] == [
        (StatusType.CREATED, "created", customer.id)
    ]
    assert [(p["id"], p["value"]) for p in order.offer_properties] == [
        ("0", "100"),
        ("1", "ABC-1"),
        ("2", 2),
        ("3", ["eu-west", "eu-central"]),
        ("4", "2026-12-01"),
        ("5", 16),
        ("6", 3),
    ]
    assert order.offer_properties[2] == {**ALL_PARAMETERS[2], "value": 2}
    assert (order.request_voucher, order.voucher_id) == (False, "")
    assert _events(session)[-1] == (
        EventType.CREATE,
        EventResource.PROJECT_ITEM,
        project.id,
        order.id,
    )
    page = client.get(response.headers["location"]).text
    assert "Your order of “Standard VM” has been placed in project “Climate study”." in page


def test_a_voucher_request_is_kept_on_the_order(client, make, session, customer, offer):
    project = make.project(customer)

    submit(
        client,
        _form_url(offer),
        _form_url(offer),
        {"project": str(project.id), **FILLED, "request_voucher": "on", "voucher_id": " V-42 "},
    )

    [order] = session.scalars(select(Order)).all()
    assert (order.request_voucher, order.voucher_id) == (True, "V-42")


def test_an_open_access_offer_is_ready_in_the_project_at_once(client, make, session, customer):
    offer = make.offer(name="Docs", order_type=OrderType.OPEN_ACCESS)
    project = make.project(customer, name="Climate study")

    page = client.get(_form_url(offer)).text
    response = submit(client, _form_url(offer), _form_url(offer), {"project": str(project.id)})

    assert "<h1>Add “Docs” to a project</h1>" in page
    assert 'id="voucher-title"' not in page
    [order] = session.scalars(select(Order)).all()
    assert (order.status_type, order.status_value, order.order_type) == (
        StatusType.READY,
        "ready",
        "open_access",
    )
    follow = client.get(response.headers["location"]).text
    assert "“Docs” has been added to project “Climate study”: it is ready to use." in follow


def test_ordering_into_a_new_project_creates_it_with_the_order(client, session, customer, offer):
    response = submit(
        client,
        _form_url(offer),
        _form_url(offer),
        {"project": "new", "project_name": "Fresh", **FILLED},
    )

    [project] = session.scalars(select(Project)).all()
    [order] = session.scalars(select(Order)).all()
    assert (project.name, project.owner_id, order.project_id) == ("Fresh", customer.id, project.id)
    assert response.headers["location"] == f"/projects/{project.id}/orders/1"
    assert _events(session) == [
        (EventType.CREATE, EventResource.PROJECT, project.id, None),
        (EventType.CREATE, EventResource.PROJECT_ITEM, project.id, order.id),
    ]


def test_every_problem_is_shown_next_to_its_input_and_nothing_is_written(
    client, session, customer, offer
):
    response = submit(
        client,
        _form_url(offer),
        _form_url(offer),
        {
            "project": "new",
            "project_name": "Fresh",
            "value-1": "ABC-1",
            "value-2": "3",
            "value-3": [],
            "value-4": "tomorrow",
            "value-5": "65",
            "value-6": "0",
        },
    )

    assert response.status_code == 400
    page = response.text
    assert {name: field_error(page, name) for name in ["value-0", *FILLED, "project"]} == {
        "value-0": None,
        "value-1": None,
        "value-2": "is not one of the offered choices",
        "value-3": "can't be blank",
        "value-4": "must be a date (YYYY-MM-DD)",
        "value-5": "must be between 1 and 64",
        "value-6": "must be at least 1 and at most 100",
        "project": None,
    }
    assert input_value(page, "value-1") == "ABC-1"
    assert input_value(page, "project_name") == "Fresh"
    assert session.scalars(select(Project)).all() == []
    assert session.scalars(select(Order)).all() == []
    assert _events(session) == []


def test_chosen_values_are_kept_when_the_form_comes_back(client, customer, offer):
    page = submit(
        client,
        _form_url(offer),
        _form_url(offer),
        {"project": "new", **FILLED, "value-2": "4", "value-3": "eu-central", "value-5": ""},
    ).text

    assert '<input type="radio" name="value-2" value="4" checked>' in page
    assert '<input type="checkbox" name="value-3" value="eu-central" checked>' in page
    assert '<input type="checkbox" name="value-3" value="eu-west">' in page
    assert 'name="project_choice" value="new" id="project_choice-new" checked>' in page


@pytest.mark.parametrize(
    ("choice", "name", "message"),
    [
        ({"project": "new", "project_name": " "}, "project_name", "can't be blank"),
        ({"project": ""}, "project", "choose one of your projects, or a new project"),
    ],
)
def test_a_project_must_be_chosen_or_named(client, session, customer, offer, choice, name, message):
    response = submit(client, _form_url(offer), _form_url(offer), {**choice, **FILLED})

    assert response.status_code == 400
    assert field_error(response.text, name) == message
    assert session.scalars(select(Order)).all() == []


def test_another_customers_project_cannot_be_ordered_into(client, make, session, customer, offer):
    project = make.project(make.user())

    response = submit(
        client, _form_url(offer), _form_url(offer), {"project": str(project.id), **FILLED}
    )

    assert response.status_code == 404
    assert session.scalars(select(Order)).all() == []


@pytest.mark.parametrize(
    ("order_url", "webpage"), [("https://order.example/vm", ""), ("", "https://cloud.example")]
)
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_an_offer_ordered_elsewhere_sends_the_customer_there_without_an_order(
    client, make, session, customer, order_url, webpage, method
):
    service = make.service(webpage=webpage)
    offer = make.offer(service, internal=False, order_url=order_url)

    if method == "GET":
        response = client.get(_form_url(offer), follow_redirects=False)
    else:
        response = submit(client, "/projects", _form_url(offer), {"project": "new"})

    assert response.status_code == 303
    assert response.headers["location"] == (order_url or webpage)
    assert session.scalars(select(Order)).all() == []
    assert session.scalars(select(Project)).all() == []


@pytest.mark.parametrize(
    ("offer_status", "service_status"),
    [
        (OfferStatus.DRAFT, ServiceStatus.PUBLISHED),
        (OfferStatus.PUBLISHED, ServiceStatus.DRAFT),
    ],
)
def test_unpublished_offers_cannot_be_ordered(client, make, customer, offer_status, service_status):
    service = make.service(status=service_status)
    offer = make.offer(service, status=offer_status, internal=True)

    response = client.get(_form_url(offer))

    assert response.status_code == 404
    assert "Offer not found" in response.text


# What each kind of offer shows on its service's page.
ENTRIES = [
    ({"internal": True}, "Order", "{form}"),
    ({"order_type": OrderType.OPEN_ACCESS}, "Add to project", "{form}"),
    ({"order_type": OrderType.FULLY_OPEN_ACCESS}, "Add to project", "{form}"),
    ({"order_type": OrderType.OTHER}, "Add to project", "{form}"),
    (
        {"internal": False, "order_url": "https://order.example/vm"},
        "Go to the order website",
        "https://order.example/vm",
    ),
]


@pytest.mark.parametrize(("fields", "label", "href"), ENTRIES)
def test_the_service_page_offers_an_entry_to_order_each_offer(client, make, fields, label, href):
    offer = make.offer(name="Small", **fields)

    page = client.get(f"/services/{offer.service.slug}").text

    [entry] = re.findall(
        r'<p class="offer-order"><a class="button" href="([^"]+)"[^>]*>([^<]+)</a>', page
    )
    assert entry == (href.format(form=_form_url(offer)), label)
    assert f'aria-label="{label}: Small"' in page


def test_an_offer_ordered_elsewhere_without_any_address_shows_no_entry(client, make):
    offer = make.offer(internal=False, order_url="")

    page = client.get(f"/services/{offer.service.slug}").text

    assert 'class="offer-order"' not in page
