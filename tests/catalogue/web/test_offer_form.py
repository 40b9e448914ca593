import re

import pytest
from sqlalchemy import select

from mercato.catalogue.models import Offer, OfferCategory, OfferStatus, OrderType
from tests.factories import ALL_PARAMETERS
from tests.web.pages import field_error, input_value, log_in, submit

NEW = "/services/cloud/offers/new"

SEVEN_TYPES_TYPED = {
    "parameters-0-id": "0",
    "parameters-0-type": "attribute",
    "parameters-0-label": "Storage",
    "parameters-0-description": "Disk per VM",
    "parameters-0-value": "100",
    "parameters-0-value_type": "integer",
    "parameters-0-unit": "GB",
    "parameters-1-id": "1",
    "parameters-1-type": "input",
    "parameters-1-label": "Project code",
    "parameters-1-description": "",
    "parameters-1-value_type": "string",
    "parameters-1-unit": "",
    "parameters-1-sensitive": "on",
    "parameters-2-id": "2",
    "parameters-2-type": "select",
    "parameters-2-label": "CPU cores",
    "parameters-2-description": "Cores per VM",
    "parameters-2-values": "1\r\n2\r\n4",
    "parameters-2-value_type": "integer",
    "parameters-2-mode": "buttons",
    "parameters-2-unit": "CPUs",
    "parameters-3-id": "3",
    "parameters-3-type": "multiselect",
    "parameters-3-label": "Regions",
    "parameters-3-description": "",
    "parameters-3-values": "eu-west\r\neu-central\r\n",
    "parameters-3-value_type": "string",
    "parameters-3-min_items": "1",
    "parameters-3-max_items": "",
    "parameters-3-unit": "",
    "parameters-4-id": "4",
    "parameters-4-type": "date",
    "parameters-4-label": "Start",
    "parameters-4-description": "First day of use",
    "parameters-5-id": "5",
    "parameters-5-type": "range",
    "parameters-5-label": "Memory",
    "parameters-5-description": "",
    "parameters-5-minimum": "1",
    "parameters-5-maximum": "64",
    "parameters-5-exclusive_minimum": "on",
    "parameters-5-unit": "GB",
    "parameters-6-id": "6",
    "parameters-6-type": "quantity_price",
    "parameters-6-label": "Hours",
    "parameters-6-description": "",
    "parameters-6-start_price": "10",
    "parameters-6-step_price": "2",
    "parameters-6-max": "",
    "parameters-6-currency": "EUR",
}

# What the form above stores: the factories' parameters, with the choices typed here.
SEVEN_TYPES_STORED = [
    ALL_PARAMETERS[0],
    {**ALL_PARAMETERS[1], "sensitive": True},
    *ALL_PARAMETERS[2:5],
    {
        **ALL_PARAMETERS[5],
        "config": {
            **ALL_PARAMETERS[5]["config"],
            "exclusiveMinimum": True,
            "exclusiveMaximum": False,
        },
    },
    {**ALL_PARAMETERS[6], "config": {**ALL_PARAMETERS[6]["config"], "max": None}},
]


@pytest.fixture
def service(make, client):
    """A service whose data administrator is logged in."""
    admin = make.user()
    log_in(client, admin)
    return make.service(make.provider(admin), name="Cloud")


def _offer(**fields: str) -> dict[str, str]:
    return {"name": "Standard", "description": "A VM", "order_type": "order_required", **fields}


def _offers(session) -> list[Offer]:
    session.expire_all()
    return list(session.scalars(select(Offer).order_by(Offer.id)))


def _cards(page: str) -> list[tuple[str, str, str]]:
    """(id, type, label) of each parameter card, in order."""
    ids = re.findall(r'name="parameters-(\d+)-id" value="([^"]*)"', page)
    return [
        (
            parameter_id,
            re.search(rf'name="parameters-{position}-type" value="([^"]*)"', page)[1],
            input_value(page, f"parameters-{position}-label"),
        )
        for position, parameter_id in ids
    ]


# --- the builder: every action re-renders the form and saves nothing -------------------


def test_new_offer_form_starts_with_the_services_order_type(client, service):
    page = client.get(NEW)

    assert page.status_code == 200
    assert '<option value="order_required" selected>Order required</option>' in page.text
    assert _cards(page.text) == []


def test_adding_a_parameter_keeps_what_was_typed_and_saves_nothing(client, service, session):
    typed = _offer(
        **{
            "parameters-0-id": "0",
            "parameters-0-type": "select",
            "parameters-0-label": "CPU cores",
            "parameters-0-values": "1\r\n2",
            "parameters-0-value_type": "integer",
            "parameters-0-mode": "buttons",
        },
        action="add:range",
    )

    page = submit(client, NEW, NEW, typed)

    assert page.status_code == 200
    assert _cards(page.text) == [("0", "select", "CPU cores"), ("1", "range", "")]
    assert input_value(page.text, "name") == "Standard"
    assert ">1\r\n2</textarea>" in page.text
    assert '<option value="buttons" selected>buttons</option>' in page.text
    assert 'id="parameters-1-label" name="parameters-1-label" value="" required autofocus' in (
        page.text
    )
    assert _offers(session) == []


@pytest.mark.parametrize(
    ("kind", "inputs"),
    [
        ("attribute", ["label", "description", "value", "value_type", "unit"]),
        ("input", ["label", "description", "value_type", "unit", "sensitive"]),
        ("select", ["label", "description", "values", "value_type", "mode", "unit"]),
        (
            "multiselect",
            ["label", "description", "values", "value_type", "min_items", "max_items", "unit"],
        ),
        ("date", ["label", "description"]),
        (
            "range",
            [
                "label",
                "description",
                "minimum",
                "maximum",
                "exclusive_minimum",
                "exclusive_maximum",
                "unit",
            ],
        ),
        (
            "quantity_price",
            ["label", "description", "start_price", "step_price", "max", "currency"],
        ),
    ],
)
def test_each_parameter_type_gets_its_own_inputs(client, service, kind, inputs):
    page = submit(client, NEW, NEW, _offer(action=f"add:{kind}")).text

    shown = re.findall(r'id="parameters-0-([a-z_]+)" name="parameters-0-\1"', page)
    assert shown == inputs


def test_moving_a_parameter_swaps_it_with_its_neighbour(client, service, session):
    typed = _offer(
        **{
            "parameters-0-id": "0",
            "parameters-0-type": "date",
            "parameters-0-label": "Start",
            "parameters-1-id": "1",
            "parameters-1-type": "date",
            "parameters-1-label": "End",
        }
    )

    down = submit(client, NEW, NEW, {**typed, "action": "down:0"}).text
    up = submit(client, NEW, NEW, {**typed, "action": "up:1"}).text
    beyond = submit(client, NEW, NEW, {**typed, "action": "down:1"}).text

    assert _cards(down) == [("1", "date", "End"), ("0", "date", "Start")]
    assert _cards(up) == [("1", "date", "End"), ("0", "date", "Start")]
    assert _cards(beyond) == [("0", "date", "Start"), ("1", "date", "End")]
    assert _offers(session) == []


def test_removing_a_parameter_keeps_the_others_and_never_reuses_its_id(client, service, session):
    typed = _offer(
        **{
            f"parameters-{n}-{field}": value
            for n, label in enumerate(["A", "B", "C"])
            for field, value in (("id", str(n)), ("type", "date"), ("label", label))
        }
    )

    removed = submit(client, NEW, NEW, {**typed, "action": "remove:1"}).text

    assert _cards(removed) == [("0", "date", "A"), ("2", "date", "C")]
    assert _offers(session) == []


# --- saving ----------------------------------------------------------------------------


def test_create_offer_with_each_of_the_seven_parameter_types(client, service, session):
    response = submit(client, NEW, NEW, _offer(**SEVEN_TYPES_TYPED, action="publish"))

    assert response.status_code == 303
    assert response.headers["location"] == "/services/cloud/offers"
    [offer] = _offers(session)
    assert offer.parameters == SEVEN_TYPES_STORED
    assert (offer.name, offer.description, offer.status) == (
        "Standard",
        "A VM",
        OfferStatus.PUBLISHED,
    )
    assert "Offer “Standard” has been created." in client.get("/services/cloud/offers").text


def test_create_offer_with_every_offer_field(client, service, session, make):
    oms = make.oms("Jira", custom_params={"order_target": {"mandatory": False}})
    typed = _offer(
        tags="vm, gpu ,",
        bundle_exclusive="on",
        internal="on",
        primary_oms_id=str(oms.id),
        oms_params="order_target = team-a\r\n",
        order_url="https://example.org/order",
        offer_category="service_category-compute",
        action="publish",
    )

    assert submit(client, NEW, NEW, typed).status_code == 303

    [offer] = _offers(session)
    assert offer.tags == ["vm", "gpu"]
    assert offer.bundle_exclusive is True
    assert offer.order_type == OrderType.ORDER_REQUIRED
    assert offer.internal is True
    assert offer.primary_oms_id == oms.id
    assert offer.oms_params == {"order_target": "team-a"}
    assert offer.order_url == "https://example.org/order"
    assert offer.offer_category == OfferCategory.COMPUTE


def test_draft_offer_is_saved_as_draft_and_not_shown_to_customers(client, service, session):
    response = submit(client, NEW, NEW, _offer(action="draft"))

    assert response.status_code == 303
    [offer] = _offers(session)
    assert offer.status == OfferStatus.DRAFT
    assert (
        "Offer “Standard” has been saved as a draft."
        in client.get(response.headers["location"]).text
    )
    assert "Standard" not in client.get("/services/cloud").text


def test_a_broken_parameter_is_shown_next_to_its_input_and_nothing_is_saved(
    client, service, session
):
    typed = _offer(
        **{
            "parameters-0-id": "0",
            "parameters-0-type": "quantity_price",
            "parameters-0-label": "Hours",
            "parameters-0-start_price": "10",
            "parameters-0-step_price": "2",
            "parameters-0-currency": "",
        },
        action="publish",
    )

    page = submit(client, NEW, NEW, typed)

    assert page.status_code == 400
    assert field_error(page.text, "parameters-0-currency") == "can't be blank"
    assert (
        '<a href="#parameters-0-currency">Parameter 1 (Hours) · Currency</a>: can&#39;t be blank'
        in (page.text)
    )
    assert input_value(page.text, "parameters-0-start_price") == "10"
    assert input_value(page.text, "name") == "Standard"
    assert _offers(session) == []


def test_a_blank_name_is_shown_next_to_the_name(client, service, session):
    page = submit(client, NEW, NEW, _offer(name=" ", action="publish"))

    assert page.status_code == 400
    assert field_error(page.text, "name") == "can't be blank"
    assert _offers(session) == []


def test_choices_that_are_not_whole_numbers_are_refused_for_integer_selects(
    client, service, session
):
    typed = _offer(
        **{
            "parameters-0-id": "0",
            "parameters-0-type": "select",
            "parameters-0-label": "Cores",
            "parameters-0-values": "1\r\ntwo",
            "parameters-0-value_type": "integer",
            "parameters-0-mode": "dropdown",
            "parameters-1-id": "1",
            "parameters-1-type": "range",
            "parameters-1-label": "Memory",
            "parameters-1-minimum": "8",
            "parameters-1-maximum": "4",
        },
        action="publish",
    )

    page = submit(client, NEW, NEW, typed)

    assert page.status_code == 400
    assert field_error(page.text, "parameters-0-values") == "“two” is not a whole number"
    assert "minimum must not be greater than maximum" in page.text
    assert _offers(session) == []


def test_only_managers_may_post_the_offer_form(client, make, session):
    make.service(make.provider(make.user()), name="Cloud")
    log_in(client, make.user())

    response = submit(client, "/account", NEW, _offer(action="publish"))

    assert response.status_code == 403
    assert _offers(session) == []


# --- editing and deleting --------------------------------------------------------------


def test_edit_form_shows_the_saved_offer(client, service, make):
    make.offer(service, name="Standard", parameters=ALL_PARAMETERS, tags=["vm", "gpu"])

    page = client.get("/services/cloud/offers/1/edit").text

    assert input_value(page, "name") == "Standard"
    assert input_value(page, "tags") == "vm, gpu"
    assert [card[2] for card in _cards(page)] == [p["label"] for p in ALL_PARAMETERS]
    assert ">1\n2\n4</textarea>" in page
    assert "Update offer" in page
    assert "Delete offer" in page


def test_update_offer_saves_the_changes_and_publishes(client, service, make, session):
    offer = make.offer(service, name="Old", status=OfferStatus.DRAFT)
    edit = f"/services/cloud/offers/{offer.iid}/edit"

    response = submit(client, edit, edit, _offer(name="New", **SEVEN_TYPES_TYPED, action="publish"))

    assert response.status_code == 303
    [saved] = _offers(session)
    assert (saved.name, saved.status) == ("New", OfferStatus.PUBLISHED)
    assert saved.parameters == SEVEN_TYPES_STORED


def test_draft_offer_on_edit_takes_a_published_offer_back_to_draft(client, service, make, session):
    offer = make.offer(service, name="Standard")
    edit = f"/services/cloud/offers/{offer.iid}/edit"

    assert submit(client, edit, edit, _offer(action="draft")).status_code == 303

    [saved] = _offers(session)
    assert saved.status == OfferStatus.DRAFT


def test_new_parameters_on_edit_never_take_the_id_of_a_saved_one(client, service, make):
    offer = make.offer(service, parameters=ALL_PARAMETERS[:3])
    edit = f"/services/cloud/offers/{offer.iid}/edit"
    kept = {
        "parameters-0-id": "0",
        "parameters-0-type": "date",
        "parameters-0-label": "Start",
    }

    page = submit(client, edit, edit, _offer(**kept, action="add:date")).text

    assert _cards(page) == [("0", "date", "Start"), ("3", "date", "")]


def test_update_error_keeps_the_offer_as_it_was(client, service, make, session):
    offer = make.offer(service, name="Standard")
    edit = f"/services/cloud/offers/{offer.iid}/edit"

    page = submit(client, edit, edit, _offer(name="Renamed", description="", action="publish"))

    assert page.status_code == 400
    assert field_error(page.text, "description") == "can't be blank"
    assert input_value(page.text, "name") == "Renamed"
    [saved] = _offers(session)
    assert (saved.name, saved.description) == ("Standard", "An offer for tests")


def test_delete_asks_first_and_says_what_will_happen(client, service, make, session):
    offer = make.offer(service, name="Standard")
    with_orders = make.offer(service, name="Ordered", internal=True)
    make.order(with_orders)

    plain = client.get(f"/services/cloud/offers/{offer.iid}/delete")
    kept = client.get(f"/services/cloud/offers/{with_orders.iid}/delete")

    assert plain.status_code == 200
    assert "Delete offer “Standard”?" in plain.text
    assert "removed for good" in plain.text
    assert "kept for them and marked deleted" in kept.text
    assert len(_offers(session)) == 2


def test_delete_offer_without_orders_removes_it(client, service, make, session):
    offer = make.offer(service, name="Standard")
    confirm = f"/services/cloud/offers/{offer.iid}/delete"

    response = submit(client, confirm, confirm)

    assert response.status_code == 303
    assert response.headers["location"] == "/services/cloud/offers"
    assert _offers(session) == []
    assert "Offer “Standard” has been deleted." in client.get("/services/cloud/offers").text


def test_delete_offer_with_orders_marks_it_deleted(client, service, make, session):
    offer = make.offer(service, name="Standard", internal=True)
    make.order(offer)
    edit = f"/services/cloud/offers/{offer.iid}/edit"

    submit(
        client,
        f"/services/cloud/offers/{offer.iid}/delete",
        f"/services/cloud/offers/{offer.iid}/delete",
    )

    [saved] = _offers(session)
    assert saved.status == OfferStatus.DELETED
    assert client.get(edit).status_code == 404


def test_only_managers_may_delete_an_offer(client, make, session):
    offer = make.offer(make.service(name="Cloud"))
    log_in(client, make.user())

    response = submit(client, "/account", f"/services/cloud/offers/{offer.iid}/delete")

    assert response.status_code == 403
    assert len(_offers(session)) == 1


def _quantity_price(start: str, step: str) -> dict[str, str]:
    return _offer(
        **{
            "parameters-0-id": "0",
            "parameters-0-type": "quantity_price",
            "parameters-0-label": "Hours",
            "parameters-0-start_price": start,
            "parameters-0-step_price": step,
            "parameters-0-currency": "EUR",
        },
        action="publish",
    )


def test_quantity_prices_may_be_typed_with_decimals(client, service, session):
    response = submit(client, NEW, NEW, _quantity_price("10.00", "2,0"))

    assert response.status_code == 303
    [offer] = _offers(session)
    assert offer.parameters[0]["config"] == {
        "start_price": 10,
        "step_price": 2,
        "max": None,
        "currency": "EUR",
    }


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("2.50", "“2.50”: quantity prices are whole amounts of the currency"),
        ("ten", "“ten” is not an amount"),
    ],
)
def test_quantity_prices_with_cents_are_refused_not_rounded(
    client, service, session, typed, message
):
    page = submit(client, NEW, NEW, _quantity_price("10", typed))

    assert page.status_code == 400
    assert field_error(page.text, "parameters-0-step_price") == message
    assert _offers(session) == []
