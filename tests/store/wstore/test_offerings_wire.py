"""WStore offerings on the wire (store-wire.md §1.1, §3, §4, §7): texts and order of checks.

Every expected body here is written from the reference, not from Mercato's answers.
"""

import pytest
from sqlalchemy import func, select

from mercato.catalogue.models import Service
from mercato.store.marketplaces.models import Publication
from mercato.store.models import Asset, Review, StoreOffering
from tests.store.world import PNG, b64, bearer, stored_files

OFFERINGS = "/api/offering/offerings"
ONE = f"{OFFERINGS}/CoNWeT/Lights/1.0"
CREATED = {"message": "Created", "result": "correct"}
OK = {"message": "OK", "result": "correct"}
LIGHTS = "Lights 1.0"
NO_REPOSITORY = (
    "Publication error: It is not possible to publish an offering in a Markteplace if no "
    "Repositories has been registered"
)
PER_MONTH = {"label": "fee", "description": "Monthly fee", "value": "10", "unit": "per month"}
FUNCTION = {
    "label": "calls",
    "description": "By use",
    "text_function": "usage * price",
    "price_function": {
        "label": "calls",
        "variables": {
            "usage": {"label": "usage", "type": "usage"},
            "price": {"label": "price", "type": "constant", "value": 2},
        },
        "function": {"operation": "*", "arg1": "usage", "arg2": "price"},
    },
}
NO_PRICING = (
    "A price component is not defining a pricing, value and unit fields are required for "
    "basic components and text_function and price_function fields are required for price "
    "functions"
)


def error(message):
    return {"message": message, "result": "error"}


def plan(**changes):
    return {"title": "Basic", "description": "Pay monthly", "currency": "EUR", **changes}


def description(**changes):
    return {
        "abstract": "Smart lights",
        "description": "Lights that follow the city",
        "pricing": {"price_plans": []},
        **changes,
    }


def body(**changes):
    shown = {
        "name": "Lights",
        "version": "1.0",
        "image": {"name": "logo.png", "data": b64(PNG)},
        "offering_description": description(),
    }
    return {k: v for k, v in {**shown, **changes}.items() if v is not None}


@pytest.fixture
def provider(store, seller):
    provider = store.provider(seller)
    store.asset(provider, "Map Viewer")
    store.asset(provider, "Open data", is_open=True, link="https://data.example.org/set")
    old = store.asset(provider, "Old")
    old.is_deleted = True
    store.session.commit()
    return provider


def offering_rows(session):
    return session.scalar(select(func.count()).select_from(StoreOffering))


# --- §3.3 create ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "status", "message"),
    [
        (
            {"name": None, "version": None, "offering_description": None, "image": None},
            400,
            "Missing required fields: name version offering_description image",
        ),
        ({"image": None}, 400, "Missing required fields: image"),
        (
            {"version": None, "offering_description": None, "image": None},
            400,
            "Missing required fields: version offering_description image",
        ),
        ({"version": "1.01"}, 400, "Invalid version format"),
        ({"version": "1.0a1"}, 400, "Invalid version format"),
        ({"version": 1}, 400, "Invalid version format"),
        ({"version": "x", "name": "a/b"}, 400, "Invalid version format"),
        ({"name": "Smart/City"}, 400, "Invalid name format"),
        ({"name": "Lichtstraße"}, 400, "Invalid name format"),
        (
            {"applications": [{"name": "Broker", "url": "https://a.example.org"}]},
            400,
            "Missing a required field in application definition",
        ),
        (
            {"notification_url": "default"},
            400,
            "There is not a default notification URL defined for the organization CoNWeT. "
            "To configure a default notification URL provide it in the settings menu",
        ),
        (
            {"notification_url": "ftp://files.example.org"},
            400,
            "Invalid notification URL format: It doesn't seem to be an URL",
        ),
        (
            {"notification_url": "https://shop.technology/n"},
            400,
            "Invalid notification URL format: It doesn't seem to be an URL",
        ),
        ({"image": "logo.png"}, 400, "Invalid image type"),
        ({"image": {"name": "logo.png"}}, 400, "Missing required field in image"),
        ({"related_images": [{"data": b64(PNG)}]}, 400, "Missing required field in image"),
        ({"image": {"name": "logo.png", "data": "abc"}}, 400, "Incorrect padding"),
        ({"image": {"name": "logo.png", "data": "a"}}, 400, "Incorrect padding"),
        (
            {"image": {"name": "../logo.png", "data": b64(PNG)}},
            400,
            "Invalid file name format: Unsupported character",
        ),
        (
            {"offering_description": {"description": "d", "pricing": {"price_plans": []}}},
            400,
            "Invalid offering info: Missing a required field",
        ),
        (
            {"offering_description": description(description="")},
            400,
            "Invalid offering info: Description field cannot be empty",
        ),
        (
            {"offering_description": description(legal={"title": "Terms"})},
            400,
            "Invalid offering info: Title and text fields are required if providing legal info",
        ),
        (
            {"offering_description": description(legal={"title": "", "text": "Use well"})},
            400,
            "Invalid offering info: Title and text fields cannot be empty in legal info",
        ),
        (
            {"offering_description": description(pricing={})},
            400,
            "Invalid pricing info: Missing price_plans field",
        ),
        ({"resources": [{"name": "Nope", "version": "1.0"}]}, 400, "Resource not found: Nope 1.0"),
        (
            {"resources": [{"name": "Map Viewer", "version": "0.9"}]},
            400,
            "Resource not found: Map Viewer 0.9",
        ),
        (
            {"resources": [{"name": "Old", "version": "1.0"}]},
            400,
            "Invalid resource, the resource Old 1.0 is deleted",
        ),
        ({"resources": [{"name": "Map Viewer"}]}, 400, "version"),
        (
            {"open": True, "resources": [{"name": "Map Viewer", "version": "1.0"}]},
            400,
            "It is not allowed to include not open resources in an open offering",
        ),
        (
            {
                "open": True,
                "offering_description": description(
                    pricing={"price_plans": [plan(price_components=[PER_MONTH])]}
                ),
            },
            400,
            "Invalid pricing info: Open offerings cannot define price plans",
        ),
    ],
)
def test_create_refusals(client, provider, seller, session, settings, changes, status, message):
    files_before = stored_files(settings)

    response = client.post(OFFERINGS, json=body(**changes), headers=bearer(seller))

    assert (response.status_code, response.json()) == (status, error(message))
    assert offering_rows(session) == 0
    assert session.scalar(select(func.count()).select_from(Service)) == 0
    assert stored_files(settings) == files_before


def test_create_needs_the_provider_role_before_the_body_is_read(client, provider, buyer):
    response = client.post(
        OFFERINGS, content=b"{a:1}", headers={**bearer(buyer), "Content-Type": "application/json"}
    )

    assert (response.status_code, response.json()) == (403, error("Forbidden"))


def test_create_accepts_what_wstore_accepts(client, provider, seller, session):
    response = client.post(
        OFFERINGS,
        json=body(
            open=True,
            resources=[{"name": "Open data", "version": "1.0"}],
            notification_url="http://localhost:8080/notify",
            related_images=[{"name": "shot 1.png", "data": b64(PNG)}],
            # An empty abstract is fine; it only has to be present.
            offering_description=description(abstract=""),
        ),
        headers=bearer(seller),
    )

    assert (response.status_code, response.json()) == (201, CREATED)
    shown = client.get(ONE, headers=bearer(seller)).json()
    assert (shown["open"], shown["related_images"]) == (
        True,
        ["/media/CoNWeT__Lights__1.0/shot 1.png"],
    )
    # An open offering shows its resources' links to anyone.
    assert shown["resources"][0]["link"] == "https://data.example.org/set"


def test_duplicate_is_409_and_leaves_the_original(client, provider, seller, session, settings):
    client.post(OFFERINGS, json=body(), headers=bearer(seller))
    files = stored_files(settings)

    again = client.post(OFFERINGS, json=body(), headers=bearer(seller))
    lower = client.post(OFFERINGS, json=body(version="0.9"), headers=bearer(seller))

    assert (again.status_code, again.json()) == (
        409,
        error("The offering Lights version 1.0 already exists"),
    )
    assert (lower.status_code, lower.json()) == (
        400,
        error("A bigger version of the current offering exists"),
    )
    assert (offering_rows(session), stored_files(settings)) == (1, files)


# --- §4 price plans ------------------------------------------------------------------------


def _with(*plans):
    return {"offering_description": description(pricing={"price_plans": list(plans)})}


def _function(**changes):
    return {**FUNCTION, "price_function": {**FUNCTION["price_function"], **changes}}


def _expression(**changes):
    return _function(function={**FUNCTION["price_function"]["function"], **changes})


def _variables(**variables):
    return _function(variables=variables)


@pytest.mark.parametrize(
    ("pricing", "message"),
    [
        (
            {"offering_description": description(pricing={"price_plans": "basic"})},
            "Invalid pricing info: price_plans field must be a list",
        ),
        (_with({"description": "d"}), "Invalid pricing info: Missing title field in price plan"),
        (_with({"title": "t"}), "Invalid pricing info: Missing description field in price plan"),
        (
            _with(plan(label="a"), plan()),
            "Invalid pricing info: label field is required in a price plan when more than one "
            "is provided",
        ),
        (
            _with(plan(label="a"), plan(label="a")),
            "Invalid pricing info: label fields in price plans must be unique",
        ),
        (
            _with(plan(label="Update")),
            "Invalid pricing info: It is not possible to define an updating price plan without "
            "previous versions of the offering",
        ),
        (
            _with(plan(price_components=[{"description": "d", "value": 1, "unit": "issue"}])),
            "Invalid pricing info: Missing title field in price component",
        ),
        (
            _with(plan(price_components=[{"label": "l", "value": 1, "unit": "issue"}])),
            "Invalid pricing info: Missing description field in price component",
        ),
        (
            _with(plan(price_components=[{**PER_MONTH, "unit": "per day"}])),
            "Invalid pricing info: A price component contains an unsupported unit: per day",
        ),
        (
            _with(plan(deductions=[PER_MONTH])),
            "Invalid pricing info: Deductions only can define pay per use components",
        ),
        (
            _with(plan(price_components=[{**PER_MONTH, "value": "ten"}])),
            "Invalid pricing info: The value of price components must be a number, found: ten",
        ),
        (
            _with(plan(price_components=[{"label": "l", "description": "d", "value": 1}])),
            f"Invalid pricing info: {NO_PRICING}",
        ),
        (
            _with(plan(price_components=[{**FUNCTION, "value": 1, "unit": "issue"}])),
            "Invalid pricing info: Only a pricing method (basic component or price function) "
            "is allowed in a price component",
        ),
        (
            _with({"title": "t", "description": "d", "price_components": [PER_MONTH]}),
            "Invalid pricing info: Missing currency field",
        ),
        (
            _with(plan(currency="USD", price_components=[PER_MONTH])),
            "Invalid pricing info: The currency USD is not supported",
        ),
        (
            _with(plan(price_components=[{**FUNCTION, "price_function": {"variables": {}}}])),
            'Invalid pricing info: Missing required field "label" in price function',
        ),
        (
            _with(plan(price_components=[{**FUNCTION, "price_function": {"label": "f"}}])),
            'Invalid pricing info: Missing required field "variables" in price function',
        ),
        (
            _with(plan(price_components=[_variables(usage={"type": "usage"})])),
            'Invalid pricing info: Missing required field "label" in price function variable',
        ),
        (
            _with(plan(price_components=[_variables(usage={"label": "usage"})])),
            'Invalid pricing info: Missing required field "type" in price function variable',
        ),
        (
            _with(plan(price_components=[_variables(usage={"label": "u", "type": "fixed"})])),
            "Invalid pricing info: Invalid variable type fixed in price funtion variable, "
            "allowed are: usage, constant",
        ),
        (
            _with(plan(price_components=[_variables(usage={"label": "u", "type": "constant"})])),
            'Invalid pricing info: Missing required field "value" in price function constant',
        ),
        (
            _with(
                plan(
                    price_components=[
                        _variables(usage={"label": "u", "type": "constant", "value": "x"})
                    ]
                )
            ),
            "Invalid pricing info: value field in price function variables must be a number, "
            "found: x",
        ),
        (
            _with(
                plan(
                    price_components=[
                        {
                            **FUNCTION,
                            "price_function": {"label": "f", "variables": {}},
                        }
                    ]
                )
            ),
            "Invalid pricing info: Missing required field function in price function",
        ),
        (
            _with(plan(price_components=[_function(function={"arg1": "usage"})])),
            "Invalid pricing info: Missing required field operation in price function",
        ),
        (
            _with(plan(price_components=[_expression(operation="^")])),
            "Invalid pricing info: Operation ^ is not supported",
        ),
        (
            _with(plan(price_components=[_function(function={"operation": "+"})])),
            "Invalid pricing info: Missing required field arg1 in price function",
        ),
        (
            _with(plan(price_components=[_expression(arg1="speed")])),
            "Invalid pricing info: Variable speed not declared",
        ),
        (
            _with(plan(price_components=[_expression(arg2=3)])),
            "Invalid pricing info: Variable 3 not declared",
        ),
        (
            _with(plan(price_components=[_function(function={"operation": "*", "arg1": "usage"})])),
            "Invalid pricing info: Missing required field arg2 in price function",
        ),
        (
            _with(
                plan(
                    price_components=[
                        _expression(arg1={"operation": "+", "arg1": "usage", "arg2": "nope"})
                    ]
                )
            ),
            "Invalid pricing info: Variable nope not declared",
        ),
    ],
)
def test_price_plan_refusals(client, provider, seller, session, pricing, message):
    response = client.post(OFFERINGS, json=body(**pricing), headers=bearer(seller))

    assert (response.status_code, response.json()) == (400, error(message))
    assert offering_rows(session) == 0


@pytest.mark.parametrize(
    "plans",
    [
        [plan(price_components=[PER_MONTH])],
        [plan(currency="eur", price_components=[{**PER_MONTH, "unit": "Per Month"}])],
        [plan(label="a", price_components=[FUNCTION]), plan(label="b")],
        [plan(deductions=[{"label": "d", "description": "d", "value": 1, "unit": "invocation"}])],
        [{"title": "Free", "description": "No charge"}],
    ],
)
def test_accepted_price_plans_show_in_the_usdl(client, provider, seller, plans):
    created = client.post(
        OFFERINGS,
        json=body(offering_description=description(pricing={"price_plans": plans})),
        headers=bearer(seller),
    )

    usdl = client.get(f"{ONE}/usdl", headers=bearer(seller))

    assert (created.status_code, usdl.status_code) == (201, 200)
    shown = client.get(ONE, headers=bearer(seller)).json()
    assert shown["offering_description"]["pricing"] == {"price_plans": plans}


def test_update_label_needs_an_earlier_version(client, provider, seller):
    client.post(OFFERINGS, json=body(), headers=bearer(seller))

    response = client.post(
        OFFERINGS,
        json=body(version="2.0", **_with(plan(label="update", price_components=[PER_MONTH]))),
        headers=bearer(seller),
    )

    assert (response.status_code, response.json()) == (201, CREATED)


# --- §3.4-§3.8 one offering ------------------------------------------------------------------


@pytest.fixture
def uploaded(client, provider, seller):
    assert client.post(OFFERINGS, json=body(), headers=bearer(seller)).status_code == 201


@pytest.mark.parametrize(
    ("method", "path", "json", "who", "status", "message"),
    [
        ("GET", f"{OFFERINGS}/CoNWeT/Nope/1.0", None, "seller", 404, "Offering not found"),
        ("PUT", f"{OFFERINGS}/CoNWeT/Nope/1.0", {}, "seller", 404, "Offering not found"),
        ("PUT", ONE, {}, "buyer", 403, "You are not allowed to edit the current offering"),
        (
            "PUT",
            ONE,
            {"image": {"name": "a.png"}},
            "seller",
            400,
            "Missing required field in image",
        ),
        (
            "PUT",
            ONE,
            {"image": {"name": "a.png", "data": "abcde"}},
            "seller",
            400,
            "Incorrect padding",
        ),
        (
            "PUT",
            ONE,
            {"offering_description": description(description="")},
            "seller",
            400,
            "Invalid offering info: Description field cannot be empty",
        ),
        (
            "PUT",
            ONE,
            {"offering_description": description(pricing={"price_plans": [plan(label="update")]})},
            "seller",
            200,
            "OK",
        ),
        ("PUT", ONE, {"name": "Other", "open": True}, "seller", 200, "OK"),
        ("DELETE", f"{OFFERINGS}/CoNWeT/Nope/1.0", None, "seller", 404, "Offering not found"),
        ("DELETE", ONE, None, "buyer", 403, "Forbidden"),
        ("POST", f"{ONE}/bind", [], "buyer", 403, "Forbidden"),
        ("POST", f"{ONE}/bind", {"names": []}, "seller", 400, "Invalid JSON content"),
        (
            "POST",
            f"{ONE}/bind",
            [{"name": "Nope", "version": "1.0"}],
            "seller",
            400,
            "Resource not found: Nope 1.0",
        ),
        (
            "POST",
            f"{ONE}/bind",
            [{"name": "Old", "version": "1.0"}],
            "seller",
            400,
            "Invalid resource, the resource Old 1.0 is deleted",
        ),
        ("POST", f"{ONE}/bind", [{"name": "Map Viewer", "version": "1.0"}], "seller", 200, "OK"),
        ("POST", f"{ONE}/publish", {}, "buyer", 403, "Forbidden"),
        (
            "POST",
            f"{ONE}/publish",
            {},
            "seller",
            400,
            "Publication error: missing required field, marketplaces",
        ),
        (
            "POST",
            f"{ONE}/publish",
            {"marketplaces": ["FIWARE Lab"]},
            "seller",
            400,
            NO_REPOSITORY,
        ),
        ("POST", f"{ONE}/publish", {"marketplaces": []}, "seller", 200, "OK"),
    ],
)
def test_one_offering_answers(
    client, uploaded, seller, buyer, method, path, json, who, status, message
):
    caller = {"seller": seller, "buyer": buyer}[who]

    response = client.request(method, path, json=json, headers=bearer(caller))

    result = "error" if status >= 400 else "correct"
    assert (response.status_code, response.json()) == (
        status,
        {"message": message, "result": result},
    )


def test_single_get_content_type_and_dates(client, uploaded, seller, buyer, session):
    response = client.get(ONE, headers=bearer(buyer))

    offering = session.scalar(select(StoreOffering))
    shown = response.json()
    assert response.headers["content-type"] == "application/json; charset=UTF-8"
    assert (shown["publication_date"], shown["creation_date"]) == (
        "None",
        str(offering.offer.created_at.replace(tzinfo=None)),
    )
    assert sorted(shown) == sorted(
        [
            "name",
            "owner_organization",
            "owner_admin_user_id",
            "version",
            "state",
            "description_url",
            "rating",
            "comments",
            "tags",
            "image_url",
            "related_images",
            "creation_date",
            "publication_date",
            "open",
            "offering_description",
            "resources",
            "applications",
        ]
    )


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        (OFFERINGS, "application/JSON; charset=UTF-8"),
        (f"{OFFERINGS}?action=count", "application/JSON; charset=UTF-8"),
        (f"{OFFERINGS}/latest", "application/json"),
        (f"{OFFERINGS}/toprated", "application/json;charset=UTF-8"),
    ],
)
def test_list_content_types(client, seller, path, content_type):
    response = client.get(path, headers=bearer(seller))

    assert (response.status_code, response.headers["content-type"]) == (200, content_type)


# --- §3.8 publishing: the checks around the repository, in order ---------------------------


@pytest.mark.parametrize(
    ("setup", "offering", "marketplaces", "message"),
    [
        # 7 (state) comes before 9 (repository).
        (
            (),
            "published",
            ["Nope"],
            "Publication error: The offering Lights 1.0 cannot be published",
        ),
        # 8 (an open offering's asset) comes before 9.
        (
            (),
            "open",
            ["Nope"],
            "Publication error: Open offerings cannot be published if they do not contain "
            "at least a digital asset (resource or application)",
        ),
        # 9: marketplaces need a registered repository, even when the marketplace exists.
        ((), "uploaded", ["Nope"], NO_REPOSITORY),
        (("marketplace",), "uploaded", ["testbed"], NO_REPOSITORY),
        # 11: with a repository, each marketplace must be registered.
        (
            ("repository",),
            "uploaded",
            ["Nope"],
            "Publication error: The marketplace Nope does not exist",
        ),
        (
            ("repository", "marketplace"),
            "uploaded",
            ["testbed", "Nope"],
            "Publication error: The marketplace Nope does not exist",
        ),
    ],
)
def test_publish_checks_around_the_repository(
    client, store, provider, seller, session, setup, offering, marketplaces, message
):
    if "repository" in setup:
        store.repository("http://repository.example.org")
    if "marketplace" in setup:
        store.marketplace("testbed", "http://market.example.org")
    if offering == "open":
        store.offering(provider, seller, "Lights", is_open=True)
    else:
        store.offering(provider, seller, "Lights", publish=offering == "published")

    response = client.post(
        f"{ONE}/publish", json={"marketplaces": marketplaces}, headers=bearer(seller)
    )

    assert (response.status_code, response.json()) == (400, error(message))
    assert session.scalars(select(Publication)).all() == []


def test_publish_without_marketplaces_needs_no_repository(client, uploaded, seller, session):
    response = client.post(f"{ONE}/publish", json={"marketplaces": []}, headers=bearer(seller))

    assert (response.status_code, response.json()) == (200, OK)


# --- §1.1-§1.3 OfferingInfo: resources in binding order, bill, offering_description ---------


@pytest.mark.parametrize(
    ("created_with", "binds", "shown"),
    [
        (["Zeta", "Alpha"], [], ["Zeta", "Alpha"]),
        # Those kept stay in place, new ones follow in the order given.
        (["Zeta", "Alpha"], [["Mid", "Alpha", "Zeta"]], ["Zeta", "Alpha", "Mid"]),
        (["Zeta", "Alpha"], [["Alpha"], ["Zeta", "Alpha"]], ["Alpha", "Zeta"]),
        ([], [["Mid"], ["Alpha", "Mid"], ["Zeta", "Alpha", "Mid"]], ["Mid", "Alpha", "Zeta"]),
        (["Alpha"], [[]], []),
    ],
)
def test_resources_are_shown_in_binding_order(
    client, store, provider, seller, created_with, binds, shown
):
    for name in ("Zeta", "Mid", "Alpha"):
        store.asset(provider, name)
    refs = [{"name": name, "version": "1.0"} for name in created_with]
    client.post(OFFERINGS, json=body(resources=refs), headers=bearer(seller))
    for names in binds:
        refs = [{"name": name, "version": "1.0"} for name in names]
        assert client.post(f"{ONE}/bind", json=refs, headers=bearer(seller)).json() == OK

    offering = client.get(ONE, headers=bearer(seller)).json()
    listed = client.get(f"{OFFERINGS}?filter=provided&state=uploaded", headers=bearer(seller))

    assert [resource["name"] for resource in offering["resources"]] == shown
    assert [resource["name"] for resource in listed.json()[0]["resources"]] == shown


@pytest.mark.parametrize(
    ("is_open", "viewer", "bill"),
    [
        # Only a buyer (purchased or rated) of an offering that is not open gets `bill`;
        # Mercato issues no invoices, so it is empty.
        (False, "buyer", []),
        (False, "reviewer", []),
        (False, "seller", None),
        (False, "stranger", None),
        (True, "buyer", None),
        (True, "reviewer", None),
    ],
)
def test_bill_is_shown_to_buyers_of_offerings_that_are_not_open(
    client, store, provider, seller, buyer, make, session, is_open, viewer, bill
):
    open_data = session.scalar(select(Asset).where(Asset.name == "Open data"))
    offering = store.offering(
        provider, seller, "Lights", is_open=is_open, bound=[open_data], publish=True
    )
    users = {"seller": seller, "buyer": buyer, "stranger": make.token_user("x@example.org")}
    users["reviewer"] = make.token_user("reviewer@example.org")
    make.order(offering.offer, make.project(buyer.user))
    make.order(offering.offer, make.project(users["reviewer"].user))
    session.add(
        Review(offer_id=offering.offer_id, user=users["reviewer"].user, rating=4, title="t")
    )
    session.commit()

    shown = client.get(ONE, headers=bearer(users[viewer])).json()

    assert shown.get("bill") == bill
    assert shown["state"] == {"buyer": "purchased", "reviewer": "rated"}.get(viewer, "published")


def _description(client, seller):
    return client.get(ONE, headers=bearer(seller)).json()["offering_description"]


@pytest.mark.parametrize(
    ("update", "kept"),
    [
        # §1.2: a PUT with offering_description replaces it as a whole; base_id goes.
        ({"offering_description": description(abstract="New")}, {}),
        (
            {"offering_description": description(notes={"a": 1}, region="eu")},
            {"notes": {"a": 1}, "region": "eu"},
        ),
        # The client may send a base_id of its own; it is kept as any other key.
        ({"offering_description": description(base_id="mine")}, {"base_id": "mine"}),
        # A PUT without offering_description leaves it, base_id and unknown keys included.
        ({"image": {"name": "new.png", "data": b64(PNG)}}, None),
        ({}, None),
    ],
)
def test_offering_description_keeps_what_the_client_sent(
    client, provider, seller, session, update, kept
):
    created_with = description(notes={"a": 1}, color="red", modified="yesterday")
    client.post(OFFERINGS, json=body(offering_description=created_with), headers=bearer(seller))
    offering = session.scalar(select(StoreOffering))
    before = _description(client, seller)

    response = client.put(ONE, json=update, headers=bearer(seller))

    after = _description(client, seller)
    assert (response.status_code, response.json()) == (200, OK)
    # After create: all keys kept, modified set by the server, base_id the offering's id.
    assert before == {
        "abstract": "Smart lights",
        "description": "Lights that follow the city",
        "pricing": {"price_plans": []},
        "notes": {"a": 1},
        "color": "red",
        "modified": before["modified"],
        "base_id": str(offering.offer_id),
    }
    assert before["modified"] != "yesterday"
    if kept is None:
        assert after == {**before, "modified": after["modified"]}
        return
    sent = update["offering_description"]
    assert after == {
        "abstract": sent["abstract"],
        "description": sent["description"],
        "pricing": {"price_plans": []},
        "modified": after["modified"],
        **kept,
    }


# --- §7 USDL ---------------------------------------------------------------------------------


def test_usdl_of_an_unknown_offering_is_not_found(client):
    response = client.get(f"{OFFERINGS}/CoNWeT/Nope/1.0/usdl")

    assert (response.status_code, response.json()) == (404, error("Not found"))


def test_usdl_needs_no_authentication_once_published(client, uploaded, seller):
    before = client.get(f"{ONE}/usdl")
    client.post(f"{ONE}/publish", json={"marketplaces": []}, headers=bearer(seller))

    after = client.get(f"{ONE}/usdl")

    assert (before.status_code, before.json()) == (502, error("Bad Gateway"))
    assert (after.status_code, after.headers["content-type"]) == (200, "application/rdf+xml")
