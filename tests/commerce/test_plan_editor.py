"""The provider's price-plan pages, as a browser without scripts sends them: a plan saved
from the form, each refusal under its input with nothing kept, rows added and removed by
re-rendering, the reserved plans ``update`` and ``developer``, and who may edit."""

import re

import pytest

from mercato.store.models import StoreOffering
from tests.commerce.purchase_world import MONTHLY
from tests.store.world import seller, store
from tests.web.pages import field_error, input_value, log_in, submit

__all__ = ["seller", "store"]

OFFERING = "/store/offerings/conwet/Smart%20City%20Lights/1.0"
PLANS = f"{OFFERING}/plans"
NEW = f"{PLANS}/new"


@pytest.fixture
def draft(store, seller) -> StoreOffering:
    """An uploaded (editable) offering of CoNWeT with no plans."""
    return store.offering(store.provider(seller), seller)


@pytest.fixture
def provider(client, seller, draft):
    log_in(client, seller.user)
    return seller


def _plan(**changes: str) -> dict[str, str]:
    fields = {
        "label": "monthly",
        "title": "Monthly",
        "description": "Setup and a monthly fee",
        "currency": "EUR",
        "components": "2",
        "deductions": "0",
        "component-0-label": "setup",
        "component-0-description": "Once",
        "component-0-unit": "single payment",
        "component-0-value": "5",
        "component-1-label": "fee",
        "component-1-description": "Each month",
        "component-1-unit": "per month",
        "component-1-value": "10",
        "action": "save",
    }
    return {**fields, **changes}


def _stored(session, draft) -> list:
    session.expire_all()
    return session.get_one(StoreOffering, draft.offer_id).price_plans


def test_a_plan_saved_from_the_form_is_the_plan_the_api_would_keep(
    client, provider, draft, session
):
    response = submit(client, NEW, NEW, _plan())

    assert response.status_code == 303
    assert response.headers["location"] == PLANS
    assert _stored(session, draft) == [MONTHLY]
    page = client.get(PLANS).text
    assert "Price plan “Monthly” has been saved." in page
    assert "15.00 EUR plus tax" in page


def test_the_offering_page_shows_the_saved_plan_and_links_to_the_editor(client, provider, draft):
    assert f'href="{PLANS}">Add price plans</a>' in client.get(OFFERING).text
    submit(client, NEW, NEW, _plan())

    page = client.get(OFFERING).text

    assert '<h3>Monthly <span class="meta">(monthly)</span></h3>' in page
    assert "10 EUR per month" in page
    assert f'href="{PLANS}">Edit the price plans</a>' in page


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"label": ""}, "label", "give the plan a label: buyers choose a plan by it"),
        ({"title": ""}, "title", "give the plan a title"),
        ({"currency": "XXX"}, "currency", "The currency XXX is not supported"),
        (
            {"component-1-unit": "per fortnight"},
            "component-1-unit",
            "A price component contains an unsupported unit: per fortnight",
        ),
        (
            {"component-0-value": "five"},
            "component-0-value",
            "The value of price components must be a number, found: five",
        ),
        ({"component-0-label": ""}, "component-0-label", "give the component a name"),
        (
            {"component-1-formula": "calls * 0.01", "component-1-variables": "calls"},
            "component-1-formula",
            "Only a pricing method (basic component or price function) is allowed in a "
            "price component",
        ),
        (
            {"component-1-unit": "", "component-1-value": "", "component-1-formula": "calls * 2"},
            "component-1-formula",
            "uses calls, which is not a declared variable",
        ),
        (
            {"label": "update"},
            "label",
            "It is not possible to define an updating price plan without previous versions "
            "of the offering",
        ),
        (
            {
                "deductions": "1",
                "deduction-0-label": "loyalty",
                "deduction-0-unit": "per month",
                "deduction-0-value": "1",
            },
            "deduction-0-unit",
            "Deductions only can define pay per use components",
        ),
    ],
)
def test_each_refusal_is_shown_under_its_input_and_nothing_is_kept(
    client, provider, draft, session, changes, field, message
):
    response = submit(client, NEW, NEW, _plan(**changes))

    assert response.status_code == 400
    assert field_error(response.text, field) == message
    assert "The plan was not saved" in response.text
    # What was typed stays in the form.
    assert input_value(response.text, "component-0-label") == changes.get(
        "component-0-label", "setup"
    )
    assert _stored(session, draft) == []


def test_a_second_plan_with_the_same_label_is_refused(client, provider, draft, session):
    submit(client, NEW, NEW, _plan())

    response = submit(client, NEW, NEW, _plan(title="Another"))

    assert response.status_code == 400
    assert field_error(response.text, "label") == "label fields in price plans must be unique"
    assert _stored(session, draft) == [MONTHLY]


def test_a_formula_component_is_kept_as_a_wstore_price_function(client, provider, draft, session):
    fields = _plan(
        **{
            "component-1-label": "calls",
            "component-1-unit": "",
            "component-1-value": "",
            "component-1-variables": "calls",
            "component-1-formula": "calls * 0.01 + 2",
        }
    )

    assert submit(client, NEW, NEW, fields).status_code == 303

    component = _stored(session, draft)[0]["price_components"][1]
    assert component == {
        "label": "calls",
        "description": "Each month",
        "text_function": "calls * 0.01 + 2",
        "price_function": {
            "label": "calls",
            "variables": {
                "calls": {"label": "calls", "type": "usage"},
                "const1": {"label": "const1", "type": "constant", "value": 0.01},
                "const2": {"label": "const2", "type": "constant", "value": 2},
            },
            "function": {
                "operation": "+",
                "arg1": {"operation": "*", "arg1": "calls", "arg2": "const1"},
                "arg2": "const2",
            },
        },
    }
    edit = client.get(f"{PLANS}/0/edit").text
    assert input_value(edit, "component-1-variables") == "calls"
    assert input_value(edit, "component-1-formula") == "calls * 0.01 + 2"


def test_the_developer_plan_may_be_defined_and_update_needs_an_earlier_version(
    client, store, seller, provider, draft, session
):
    assert submit(client, NEW, NEW, _plan(label="developer")).status_code == 303
    later = store.offering(draft.service.provider, seller, version="2.0")
    form = "/store/offerings/conwet/Smart%20City%20Lights/2.0/plans/new"

    response = submit(client, form, form, _plan(label="update"))

    assert response.status_code == 303
    session.expire_all()
    assert session.get_one(StoreOffering, later.offer_id).price_plans[0]["label"] == "update"
    assert [p["label"] for p in _stored(session, draft)] == ["developer"]


def test_rows_are_added_and_removed_by_sending_the_form_again(client, provider, draft, session):
    added = submit(client, NEW, NEW, _plan(action="add-deduction"))

    assert added.status_code == 200
    assert 'name="deductions" value="1"' in added.text
    assert input_value(added.text, "deduction-0-label") == ""
    assert input_value(added.text, "title") == "Monthly"

    removed = submit(client, NEW, NEW, _plan(action="remove-component:0"))

    assert re.findall(r'name="(component-\d-label)" value="([^"]*)"', removed.text) == [
        ("component-0-label", "fee")
    ]
    assert _stored(session, draft) == []


def test_blank_rows_are_not_kept(client, provider, draft, session):
    fields = _plan(components="3")

    assert submit(client, NEW, NEW, fields).status_code == 303
    assert _stored(session, draft) == [MONTHLY]


def test_a_plan_is_edited_and_removed(client, provider, draft, session):
    submit(client, NEW, NEW, _plan())
    edit = f"{PLANS}/0/edit"
    assert input_value(client.get(edit).text, "component-1-value") == "10"

    assert submit(client, edit, edit, _plan(**{"component-1-value": "12"})).status_code == 303
    assert _stored(session, draft)[0]["price_components"][1]["value"] == "12"

    response = submit(client, PLANS, f"{PLANS}/0/delete")

    assert response.status_code == 303
    assert _stored(session, draft) == []
    assert client.get(edit).status_code == 404


def test_published_offerings_keep_their_plans(client, provider, draft, session):
    submit(client, NEW, NEW, _plan())
    draft.offer.status = draft.offer.status.PUBLISHED
    session.commit()

    response = submit(client, NEW, NEW, _plan(label="other"))

    assert response.status_code == 400
    assert "a published offering cannot be changed; create a higher version" in response.text
    assert 'href="' + NEW + '"' not in client.get(PLANS).text
    assert _stored(session, draft) == [MONTHLY]


def test_only_the_provider_may_edit_plans(client, make, draft, session):
    log_in(client, make.user("someone@example.org"))

    assert client.get(PLANS).status_code == 403
    assert client.get(NEW).status_code == 403
    assert submit(client, "/", NEW, _plan()).status_code == 403
    assert _stored(session, draft) == []


def test_a_plan_saved_from_the_form_is_in_the_linked_usdl(client, provider, draft):
    submit(client, NEW, NEW, _plan())

    usdl = client.get(
        "/api/offering/offerings/conwet/Smart%20City%20Lights/1.0/usdl",
        headers={"Accept": "text/turtle"},
    )

    assert usdl.status_code == 200
    assert '"Monthly"' in usdl.text
    assert '"setup"' in usdl.text
