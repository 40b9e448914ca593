"""WStore's contracting API (store-wire.md §10.6, §11; store-ge.md §4.4) through the real
app: statuses and texts as the reference gives them, success shapes, the echoed
Content-Type, idempotent retries and the renewal call's errors."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from mercato.accounts.rules import issue_token
from mercato.catalogue.models import OfferStatus
from mercato.commerce.models import Contract, ContractingForm
from tests.commerce.purchase_world import shop
from tests.store.world import seller, store
from tests.web.pages import log_in, submit

__all__ = ["seller", "shop", "store"]

BUY = "/api/contracting"
OFFERING = {"organization": "CoNWeT", "name": "Smart City Lights", "version": "1.0"}
TERMS = "You must accept the terms and conditions of the offering to acquire it"
ADDRESS = {"street": "Calle Mayor 1", "postal": "28013", "city": "Madrid", "country": "ES"}


def error(message: str) -> dict[str, str]:
    return {"message": message, "result": "error"}


def purchase(**changes: object) -> dict[str, object]:
    body: dict[str, object] = {
        "offering": OFFERING,
        "plan_label": "free",
        "conditions_accepted": True,
        "tax_address": ADDRESS,
        "payment": {"method": "offline"},
    }
    return {**body, **changes}


@pytest.fixture
def buyer(shop, session) -> dict[str, str]:
    _, token = issue_token(session, shop.buyer)
    session.commit()
    return {
        "Authorization": f"Bearer {token}",
        "Accept": "application/json",
        "Content-Type": "application/json",
    }


def _post(client, headers, body) -> tuple[int, object]:
    answer = client.post(BUY, json=body, headers=headers)
    return answer.status_code, answer.json()


def _contracts(session) -> int:
    return session.scalar(select(func.count()).select_from(Contract))


def test_anonymous_callers_get_401_before_the_media_type(client, shop):
    answer = client.post(BUY, content=b"x", headers={"Accept": "application/json"})

    assert (answer.status_code, answer.json()) == (401, error("Authentication required"))
    assert answer.headers["www-authenticate"].startswith('Cookie realm="Acme"')


def test_a_body_not_json_gets_415(client, buyer):
    headers = {**buyer, "Content-Type": "text/plain"}
    answer = client.post(BUY, content=b"{}", headers=headers)

    assert (answer.status_code, answer.json()) == (415, error("Unsupported request media type"))


@pytest.mark.parametrize(
    "body",
    [
        b"{a:1}",
        b"",
        b"[1]",
        b'{"payment": {"method": "offline"}}',
        b'{"offering": {"organization": "CoNWeT", "name": "Smart City Lights", "version": "1.0"}}',
        b'{"offering": {"organization": "CoNWeT", "name": "Smart City Lights", "version": "1.0"},'
        b' "payment": {}}',
    ],
)
def test_what_crashed_wstore_before_the_offering_is_resolved_gets_400(client, buyer, session, body):
    answer = client.post(BUY, content=body, headers=buyer)

    assert (answer.status_code, answer.json()) == (400, error("Invalid JSON content"))
    assert _contracts(session) == 0


def test_an_unknown_offering_gets_404_even_without_payment(client, buyer):
    unknown = {**OFFERING, "version": "9.0"}

    assert _post(client, buyer, {"offering": unknown}) == (404, error("Not found"))


USDL = "http://repository.example.org/CoNWeT/Smart%20City%20Lights/1.0/usdl"


@pytest.fixture
def described(shop, session) -> str:
    shop.offering.description_url = USDL
    session.commit()
    return USDL


@pytest.mark.parametrize("named", ["http://repository.example.org/other", ""])
def test_an_offering_named_by_an_unknown_description_url_gets_404(client, buyer, named):
    body = {"offering": named, "payment": {"method": "offline"}}

    assert _post(client, buyer, body) == (404, error("Not found"))


def test_an_offering_may_be_named_by_its_description_url(client, buyer, described, session):
    status, shown = _post(client, buyer, purchase(offering=described))

    assert (status, list(shown)) == (201, ["resources", "bill"])
    assert _contracts(session) == 1


def test_the_update_and_developer_plans_are_forbidden(client, buyer):
    for label in ("update", "developer"):
        assert _post(client, buyer, purchase(plan_label=label)) == (403, error("Forbidden"))


@pytest.mark.parametrize(
    ("changes", "text"),
    [
        ({"conditions_accepted": False}, TERMS),
        ({"tax_address": None}, "The customer does not have a tax address"),
        ({"tax_address": {**ADDRESS, "city": ""}}, "The tax address is not valid"),
        (
            {"payment": {"method": "credit_card", "credit_card": {"number": "4111"}}},
            "Invalid credit card info",
        ),
        ({"payment": {"method": "cheque"}}, "Invalid payment method"),
        ({"payment": {"method": "paypal"}}, "Invalid payment method"),
        ({"plan_label": "yearly"}, "The specified plan does not exist"),
        ({"plan_label": None}, "The price plan label is required to identify the plan"),
    ],
)
def test_refusals_carry_wstores_texts(client, buyer, session, changes, text):
    body = {k: v for k, v in purchase(**changes).items() if v is not None}

    assert _post(client, buyer, body) == (400, error(text))
    assert _contracts(session) == 0


def test_the_checks_come_in_wstores_order(client, buyer):
    # Terms before the tax address before the payment method (§10.6 step 5).
    everything_wrong = purchase(
        conditions_accepted=False, tax_address={"street": "x"}, payment={"method": "cheque"}
    )
    no_address = purchase(tax_address={"street": "x"}, payment={"method": "cheque"})

    assert _post(client, buyer, everything_wrong) == (400, error(TERMS))
    assert _post(client, buyer, no_address) == (400, error("The tax address is not valid"))


def test_card_data_is_never_taken(client, buyer):
    card = {
        "number": "4111111111111111",
        "type": "Visa",
        "expire_year": 2030,
        "expire_month": 5,
        "cvv2": "123",
    }
    body = purchase(payment={"method": "credit_card", "credit_card": card})

    assert _post(client, buyer, body) == (
        400,
        error("Card payments are not taken: pay with one of sandbox, offline"),
    )


def test_a_free_purchase_is_done_with_201_and_the_resources(client, buyer, shop, session):
    answer = client.post(BUY, json=purchase(), headers=buyer)

    assert answer.status_code == 201
    assert answer.headers["content-type"] == "application/json"
    shown = answer.json()
    assert list(shown) == ["resources", "bill"]
    assert len(shown["resources"]) == 1
    assert shown["resources"][0].startswith("/")
    assert _post(client, buyer, purchase()) == (
        400,
        error("The offering has been already purchased"),
    )


def test_the_content_type_is_the_requests_own(client, buyer):
    headers = {**buyer, "Content-Type": "application/json; charset=UTF-8"}
    answer = client.post(BUY, json=purchase(), headers=headers)

    assert answer.status_code == 201
    assert answer.headers["content-type"] == "application/json; charset=UTF-8"


def test_a_gateway_to_visit_answers_200_with_the_redirection_link(client, buyer, session):
    body = purchase(plan_label="monthly", payment={"method": "sandbox"})
    status, shown = _post(client, buyer, body)

    assert status == 200
    assert list(shown) == ["redirection_link"]
    assert "/payments/sandbox/" in shown["redirection_link"]
    assert _contracts(session) == 1


def test_a_retry_with_the_same_key_buys_once_and_answers_the_same(client, buyer, session):
    headers = {**buyer, "Idempotency-Key": "contracting-1"}
    body = purchase(plan_label="monthly", payment={"method": "sandbox"})

    first = _post(client, headers, body)
    again = _post(client, headers, body)

    assert first[0] == 200
    assert again == first
    assert _contracts(session) == 1
    assert _post(client, headers, purchase()) == (
        409,
        error("Idempotency-Key was already used for a different request"),
    )


# --- PUT /api/contracting/{ref} and GET -----------------------------------------------------


@pytest.fixture
def ref(client, buyer, session) -> str:
    _post(client, buyer, purchase(plan_label="monthly", payment={"method": "sandbox"}))
    return session.scalar(select(Contract.ref))


def test_renewing_an_unknown_purchase_gets_404(client, buyer):
    answer = client.put(f"{BUY}/5f1e2d3c4b5a697887766554", json={"method": "paypal"}, headers=buyer)

    assert (answer.status_code, answer.json()) == (404, error("Not found"))


def test_renewing_anothers_purchase_gets_403(client, ref, make):
    other = make.token_user("other@example.org")
    headers = {
        "Authorization": f"Bearer {other.token}",
        "Accept": "application/json",
        "Content-Type": "application/json",
    }
    answer = client.put(f"{BUY}/{ref}", json={"method": "sandbox"}, headers=headers)

    assert (answer.status_code, answer.json()) == (403, error("Forbidden"))


@pytest.mark.parametrize("body", [b"{a:", b"{}", b'{"method": "cheque"}', b"[]"])
def test_a_bad_renewal_body_gets_invalid_json_content(client, buyer, ref, session, body):
    answer = client.put(f"{BUY}/{ref}", content=body, headers=buyer)

    assert (answer.status_code, answer.json()) == (400, error("Invalid JSON content"))
    # A failed renewal never deletes the purchase (WStore's rollback did).
    assert session.scalar(select(Contract.ref)) == ref


def test_renewal_checks_401_then_415(client, ref, buyer):
    anonymous = client.put(f"{BUY}/{ref}", content=b"x", headers={"Accept": "application/json"})
    as_text = client.put(f"{BUY}/{ref}", content=b"x", headers={**buyer, "Content-Type": "x/y"})

    assert (anonymous.status_code, as_text.status_code) == (401, 415)


def test_reading_a_purchase_is_not_allowed(client, buyer, ref):
    answer = client.get(f"{BUY}/{ref}", headers=buyer)

    assert answer.status_code == 405
    assert answer.headers["allow"] == "PUT"
    assert answer.content == b""


def test_the_gateway_return_pages_lead_to_the_purchases_own(client, ref):
    accepted = client.get(f"{BUY}/{ref}/accept?token=T&PayerID=P", follow_redirects=False)
    cancelled = client.get(f"{BUY}/{ref}/cancel", follow_redirects=False)

    assert (accepted.status_code, accepted.headers["location"]) == (
        307,
        f"/purchases/{ref}/accept?token=T&PayerID=P",
    )
    assert (cancelled.status_code, cancelled.headers["location"]) == (
        307,
        f"/purchases/{ref}/cancel",
    )


# --- the purchase form (§10.6) ---------------------------------------------------------------

FORM = f"{BUY}/form"


def test_the_form_call_answers_the_page_of_the_purchase(client, buyer, shop):
    answer = client.post(
        FORM, json={"offering": OFFERING, "redirect_uri": "http://a/b"}, headers=buyer
    )

    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/json"
    url = answer.json()["url"]
    assert re.fullmatch(r"http://testserver/api/contracting/form\?ID=[0-9a-f]{48}", url)
    assert list(answer.json()) == ["url"]


@pytest.mark.parametrize(
    ("body", "status", "text"),
    [
        (b"{a:", 400, "Invalid JSON content"),
        (b'{"redirect_uri": "http://a/b"}', 400, "Invalid JSON content"),
        (
            b'{"offering": {"organization": "CoNWeT", "name": "Nothing", "version": "1.0"},'
            b' "redirect_uri": "http://a/b"}',
            404,
            "Not found",
        ),
        (
            b'{"offering": {"organization": "CoNWeT", "name": "Smart City Lights",'
            b' "version": "1.0"}}',
            400,
            "Invalid JSON content",
        ),
    ],
)
def test_the_form_call_refuses_as_the_reference_says(client, buyer, body, status, text):
    answer = client.post(FORM, content=body, headers=buyer)

    assert (answer.status_code, answer.json()) == (status, error(text))


@pytest.mark.parametrize("uri", ["ftp://a/b", "/back", "http://", "a/b", "", 7, None])
def test_a_redirect_uri_not_an_absolute_http_url_is_refused(client, buyer, session, uri):
    answer = client.post(FORM, json={"offering": OFFERING, "redirect_uri": uri}, headers=buyer)

    assert (answer.status_code, answer.json()) == (400, error("Invalid JSON content"))
    assert _forms(session) == 0


BACK = "https://client.example/back?state=1"


def _forms(session) -> int:
    return session.scalar(select(func.count()).select_from(ContractingForm))


def _start(client, headers) -> None:
    body = {"offering": OFFERING, "redirect_uri": BACK}
    assert client.post(FORM, json=body, headers=headers).status_code == 200


def test_a_purchase_started_from_the_form_answers_its_client_redirection_uri(
    client, buyer, session
):
    _start(client, buyer)
    _start(client, buyer)  # started again: still one form
    assert _forms(session) == 1

    status, shown = _post(client, buyer, purchase())

    assert status == 201
    assert list(shown) == ["resources", "bill", "client_redirection_uri"]
    assert shown["client_redirection_uri"] == BACK
    assert _forms(session) == 0


def test_the_redirection_answer_adds_the_client_redirection_uri(client, buyer, session):
    _start(client, buyer)
    body = purchase(plan_label="monthly", payment={"method": "sandbox"})

    status, shown = _post(client, buyer, body)

    assert status == 200
    assert list(shown) == ["redirection_link", "client_redirection_uri"]
    assert shown["client_redirection_uri"] == BACK
    assert _forms(session) == 0


def test_a_refused_purchase_keeps_the_form_for_the_next_try(client, buyer, session):
    _start(client, buyer)

    refused = _post(client, buyer, purchase(conditions_accepted=False))
    status, shown = _post(client, buyer, purchase())

    assert refused == (400, error(TERMS))
    assert (status, shown["client_redirection_uri"]) == (201, BACK)


def test_a_purchase_not_started_from_the_form_has_no_client_redirection_uri(client, buyer, session):
    status, shown = _post(client, buyer, purchase())

    assert (status, list(shown)) == (201, ["resources", "bill"])


def test_the_form_call_checks_401_then_415(client, buyer):
    anonymous = client.post(FORM, content=b"x", headers={"Accept": "application/json"})
    as_text = client.post(FORM, content=b"x", headers={**buyer, "Content-Type": "x/y"})

    assert (anonymous.status_code, as_text.status_code) == (401, 415)


def test_an_unpublished_offering_cannot_be_purchased_through_the_form(
    client, buyer, shop, seller, session
):
    shop.offering.offer.status = OfferStatus.DRAFT
    session.commit()
    body = {"offering": OFFERING, "redirect_uri": "http://a/b"}
    staff = {**buyer, "Authorization": f"Bearer {seller.token}"}

    answer = client.post(FORM, json=body, headers=staff)
    hidden = client.post(FORM, json=body, headers=buyer)

    assert (answer.status_code, answer.json()) == (400, error("The offering cannot be purchased"))
    # Mercato shows a draft to its provider's staff only: to others it does not exist.
    assert (hidden.status_code, hidden.json()) == (404, error("Not found"))


def test_the_form_takes_the_offering_by_its_description_url(client, buyer, described, session):
    answer = client.post(FORM, json={"offering": described, "redirect_uri": BACK}, headers=buyer)

    assert answer.status_code == 200
    assert session.scalar(select(ContractingForm.redirect_uri)) == BACK


ACQUIRE = "/store/offerings/conwet/Smart%20City%20Lights/1.0/acquire"


def _in_the_browser(client, buyer, shop) -> str:
    """The client's call, then the buyer's browser at the form's page: the acquire page."""
    url = client.post(FORM, json={"offering": OFFERING, "redirect_uri": BACK}, headers=buyer)
    log_in(client, shop.buyer)
    page = client.get(url.json()["url"].removeprefix("http://testserver"), follow_redirects=False)
    assert page.headers["location"] == ACQUIRE
    return ACQUIRE


def _fields(shop, gateway: str) -> dict[str, str]:
    return {
        "conditions_accepted": "on",
        "plan_label": "monthly",
        "tax_address": "new",
        **ADDRESS,
        "project": str(shop.project.id),
        "gateway": gateway,
    }


def test_a_browser_purchase_from_the_form_ends_at_its_redirect_uri(client, buyer, shop, session):
    page = _in_the_browser(client, buyer, shop)

    bought = submit(client, page, page, _fields(shop, "offline"))

    assert (bought.status_code, bought.headers["location"]) == (303, BACK)
    assert (_forms(session), _contracts(session)) == (0, 1)


def test_a_browser_purchase_through_a_gateway_ends_at_the_redirect_uri_once_paid(
    client, buyer, shop, session
):
    page = _in_the_browser(client, buyer, shop)
    to_gateway = submit(client, page, page, _fields(shop, "sandbox"))
    assert to_gateway.headers["location"].startswith("/payments/sandbox/")
    assert _forms(session) == 0
    ref = session.scalar(select(Contract.ref))

    sandbox = to_gateway.headers["location"]
    paid = submit(client, sandbox, f"/purchases/{ref}/accept")
    again = submit(client, f"/purchases/{ref}", f"/purchases/{ref}/accept")

    assert (paid.status_code, paid.headers["location"]) == (303, BACK)
    # The address is used once: coming back again stays at Mercato.
    assert again.headers["location"] == f"/purchases/{ref}"


def test_a_browser_purchase_not_from_the_form_stays_at_mercato(client, buyer, shop, session):
    log_in(client, shop.buyer)

    bought = submit(client, ACQUIRE, ACQUIRE, _fields(shop, "offline"))

    ref = session.scalar(select(Contract.ref))
    assert bought.headers["location"] == f"/purchases/{ref}"


def test_the_form_page_leads_the_buyer_to_the_acquire_form(client, buyer, shop):
    body = {"offering": OFFERING, "redirect_uri": "http://a/b"}
    url = client.post(FORM, json=body, headers=buyer).json()["url"]
    path = url.removeprefix("http://testserver")

    anonymous = client.get(path, follow_redirects=False)
    log_in(client, shop.buyer)
    signed_in = client.get(path, follow_redirects=False)
    other_id = client.get(f"{FORM}?ID={'0' * 48}", follow_redirects=False)

    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/login")
    assert (signed_in.status_code, signed_in.headers["location"]) == (
        303,
        "/store/offerings/conwet/Smart%20City%20Lights/1.0/acquire",
    )
    assert other_id.status_code == 404
    assert client.get(signed_in.headers["location"]).status_code == 200


def test_a_due_subscription_is_renewed_with_ok_and_charged_once(client, buyer, session):
    status, _ = _post(client, buyer, purchase(plan_label="monthly", payment={"method": "offline"}))
    assert status == 201
    ref = session.scalar(select(Contract.ref))

    # Not due yet: WStore's one failure text (its own was "No subscriptions to renovate").
    early = client.put(f"{BUY}/{ref}", json={"method": "offline"}, headers=buyer)
    assert (early.status_code, early.json()) == (400, error("Invalid JSON content"))

    with time_machine.travel(datetime.now(UTC) + timedelta(days=45)):
        renewed = client.put(f"{BUY}/{ref}", json={"method": "offline"}, headers=buyer)

    assert (renewed.status_code, renewed.json()) == (200, {"message": "OK", "result": "correct"})
    session.expire_all()
    contract = session.scalars(select(Contract)).one()
    assert [charge.concept for charge in contract.charges] == ["initial charge", "Renovation"]
