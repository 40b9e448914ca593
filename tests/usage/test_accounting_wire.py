"""WStore's accounting API (store-wire.md §10.7, store-ge.md §9) through the real app:
the reference's statuses, texts and shapes; WStore's order of checks; the fixes (only
the provider or an admin may post, 404 for an unknown purchase)."""

import json

import pytest

from mercato.accounts.rules import issue_token
from tests.usage.world import record

OFFERING = {"organization": "CoNWeT", "name": "Smart City Lights", "version": "1.0"}
JSON = {"Accept": "application/json", "Content-Type": "application/json"}


def error(message: str) -> dict[str, str]:
    return {"message": message, "result": "error"}


def sdr(number: object = 1, **changes: object) -> dict[str, object]:
    body = {
        "offering": OFFERING,
        "customer": "buyer",
        "time_stamp": "2015-05-30 18:30:10.000000",
        "correlation_number": number,
        "record_type": "event",
        "unit": "call",
        "value": 190,
        "component_label": "usage",
    }
    return {**body, **changes}


@pytest.fixture
def ref(metered) -> str:
    return metered.buy().ref


@pytest.fixture
def provider(metered) -> dict[str, str]:
    return {"Authorization": f"Bearer {metered.seller.token}", **JSON}


@pytest.fixture
def customer(metered, session) -> dict[str, str]:
    _, token = issue_token(session, metered.shop.buyer)
    session.commit()
    return {"Authorization": f"Bearer {token}", **JSON}


def url(ref: str) -> str:
    return f"/api/contracting/{ref}/accounting"


def post(client, ref, headers, body) -> tuple[int, object]:
    answer = client.post(url(ref), content=json.dumps(body), headers=headers)
    return answer.status_code, answer.json()


def test_415_comes_before_401(client, ref):
    answer = client.post(url(ref), content="{}", headers={"Accept": "application/json"})
    anonymous = client.post(url(ref), content="{}", headers=JSON)

    assert (answer.status_code, answer.json()) == (415, error("Unsupported request media type"))
    assert (anonymous.status_code, anonymous.json()) == (401, error("Authentication required"))


def test_accepted_sdrs_answer_ok_and_number_on(client, ref, provider):
    assert post(client, ref, provider, sdr(1)) == (200, {"message": "OK", "result": "correct"})
    assert post(client, ref, provider, sdr("2", value="10")) == (
        200,
        {"message": "OK", "result": "correct"},
    )
    assert post(client, ref, provider, sdr(2)) == (
        400,
        error("Invalid correlation number, expected: 3"),
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"offering": {"name": "x", "version": "1.0"}}, "organization"),
        ({"offering": {**OFFERING, "version": "9.9"}}, "Offering matching query does not exist."),
        ({"customer": "nobody"}, "User matching query does not exist."),
        ({"customer": "app_provider"}, "The user has not purchased the offering"),
        (
            {"time_stamp": "2015-05-30 18:30:10"},
            "time data '2015-05-30 18:30:10' does not match format '%Y-%m-%d %H:%M:%S.%f'",
        ),
        ({"correlation_number": 5}, "Invalid correlation number, expected: 1"),
        (
            {"unit": "Call"},
            "The specified unit or component label is not included in the pricing model",
        ),
    ],
)
def test_refusals_have_wstores_texts(client, ref, provider, changes, message):
    assert post(client, ref, provider, sdr(**changes)) == (400, error(message))


def test_every_key_is_required(client, ref, provider):
    body = sdr()
    del body["record_type"]
    assert post(client, ref, provider, body) == (400, error("Invalid JSON content"))


def test_an_sdr_earlier_than_the_last_is_refused(client, ref, provider):
    post(client, ref, provider, sdr(1))
    earlier = sdr(2, time_stamp="2015-05-30T18:30:09.500000")
    assert post(client, ref, provider, earlier) == (400, error("Invalid time stamp"))


def test_a_plan_without_pay_per_use_takes_no_sdr(client, metered, provider):
    free = metered.buy("free")
    message = "No pay per use parts in the pricing model of the offering"
    assert post(client, free.ref, provider, sdr()) == (400, error(message))


def test_only_the_provider_or_an_admin_may_post(client, ref, customer, make):
    admin = make.token_user("root@example.org", is_admin=True)
    as_admin = {"Authorization": f"Bearer {admin.token}", **JSON}

    assert post(client, ref, customer, sdr()) == (403, error("Forbidden"))
    assert post(client, "f" * 24, as_admin, sdr()) == (
        404,
        error(f"There is not any purchase with reference {'f' * 24}"),
    )
    assert post(client, ref, as_admin, sdr())[0] == 200


def test_the_buyer_reads_sdrs_as_posted(client, ref, provider, customer):
    post(client, ref, provider, sdr(1, component_label="usage"))
    post(
        client,
        ref,
        provider,
        sdr(2, time_stamp="2015-06-01T10:00:00.250000", value="3", component_label="Other"),
    )

    answer = client.get(url(ref), headers=customer)

    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/json"
    first = {**sdr(1), "time_stamp": "2015-05-30 18:30:10"}
    second = {
        **sdr(2, value="3", component_label="Other"),
        "time_stamp": "2015-06-01 10:00:00.250000",
    }
    assert answer.json() == [first, second]
    label = client.get(url(ref), params={"label": "other"}, headers=customer).json()
    assert label == [second]
    later = client.get(url(ref), params={"from": "2015-05-31 00:00:00.0"}, headers=customer)
    assert later.json() == [second]
    earlier = client.get(url(ref), params={"to": "2015-05-31T00:00:00.0"}, headers=customer)
    assert earlier.json() == [first]


def test_reading_refusals(client, ref, provider, customer):
    bad = client.get(url(ref), params={"from": "2015-05-31"}, headers=customer)
    other = client.get(url(ref), headers=provider)
    unknown = client.get(url("a" * 24), headers=customer)
    anonymous = client.get(url(ref), headers={"Accept": "application/json"})

    assert (bad.status_code, bad.json()) == (
        400,
        error('Invalid "from" parameter, must be a datetime'),
    )
    message = "You are not authorized to read accounting info of the given purchase"
    assert (other.status_code, other.json()) == (403, error(message))
    assert (unknown.status_code, unknown.json()) == (
        404,
        error(f"There is not any purchase with reference {'a' * 24}"),
    )
    assert anonymous.status_code == 401


def test_batch_records_show_in_the_sdr_list(client, metered, ref, customer):
    client.post(
        f"/api/v1/purchases/{ref}/usage",
        json={"records": [record("m-1", "call", 4, time_stamp="2015-05-30T10:00:00Z")]},
        headers={"X-User-Token": metered.seller.token},
    )

    assert client.get(url(ref), headers=customer).json() == [
        {
            "customer": "buyer",
            "correlation_number": None,
            "record_type": "event",
            "unit": "call",
            "value": "4",
            "component_label": "",
            "transaction_id": "m-1",
            "time_stamp": "2015-05-30 10:00:00",
        }
    ]
