"""The batch usage API: per-record new/duplicate, the 1000-record cap, errors naming the
field, nothing half-stored, only the offering's provider (or an admin) may send."""

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from mercato.usage.models import UsageRecord
from tests.usage.world import record

URL = "/api/v1/purchases/{}/usage"


def post(client, ref, token, body):
    return client.post(URL.format(ref), json=body, headers={"X-User-Token": token})


def _count(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(UsageRecord))


def test_new_and_duplicate_records_are_reported_in_order(client, metered):
    contract = metered.buy()
    token = metered.seller.token

    first = post(
        client,
        contract.ref,
        token,
        {"records": [record("a", "call", 1), record("b", "CALL", "2.5")]},
    )
    again = post(
        client,
        contract.ref,
        token,
        {
            "records": [
                record("b", "call", 9),
                record("c", "megabyte", 3),
                record("c", "megabyte", 3),
            ]
        },
    )

    assert first.status_code == 200
    assert first.json() == {
        "new": 2,
        "duplicate": 0,
        "records": [
            {"transaction_id": "a", "status": "new"},
            {"transaction_id": "b", "status": "new"},
        ],
    }
    assert again.json() == {
        "new": 1,
        "duplicate": 2,
        "records": [
            {"transaction_id": "b", "status": "duplicate"},
            {"transaction_id": "c", "status": "new"},
            {"transaction_id": "c", "status": "duplicate"},
        ],
    }
    values = metered.session.scalars(select(UsageRecord.value).order_by(UsageRecord.id)).all()
    assert values == [Decimal(1), Decimal("2.5"), Decimal(3)]


def test_a_thousand_records_pass_and_one_more_is_refused_naming_the_field(client, metered):
    contract = metered.buy()
    token = metered.seller.token
    batch = [record(f"t{n}", "call", 1) for n in range(1001)]

    refused = post(client, contract.ref, token, {"records": batch})
    taken = post(client, contract.ref, token, {"records": batch[:1000]})

    assert refused.status_code == 400
    assert refused.json() == {"error": {"records": ["at most 1000 records per call (1001 sent)"]}}
    assert taken.status_code == 200
    assert taken.json()["new"] == 1000
    assert _count(metered.session) == 1000


@pytest.mark.parametrize(
    ("bad", "field", "message"),
    [
        ({"value": "lots"}, "records.1.value", "must be a number"),
        ({"value": None}, "records.1.value", "must be a number"),
        ({"transaction_id": ""}, "records.1.transaction_id", "Missing required field"),
        (
            {"transaction_id": "x" * 129},
            "records.1.transaction_id",
            "must be a string of at most 128 characters",
        ),
        (
            {"unit": "hour"},
            "records.1.unit",
            "is not a unit (nor component_label a usage variable) of the plan",
        ),
        ({"time_stamp": "yesterday"}, "records.1.time_stamp", "must be an ISO 8601 date and time"),
    ],
)
def test_one_bad_record_refuses_the_batch_and_stores_nothing(client, metered, bad, field, message):
    contract = metered.buy()
    body = {"records": [record("ok", "call", 1), {**record("bad", "call", 1), **bad}]}

    response = post(client, contract.ref, metered.seller.token, body)

    assert response.status_code == 400
    assert response.json() == {"error": {field: [message]}}
    assert _count(metered.session) == 0


def test_who_may_send(client, metered, make):
    contract = metered.buy()
    buyer = make.token_user("meter-reader@example.org")
    admin = make.token_user("root@example.org", is_admin=True)
    body = {"records": [record("a", "call", 1)]}

    assert post(client, contract.ref, buyer.token, body).status_code == 403
    assert post(client, contract.ref, "nope", body).status_code == 401
    assert post(client, "0" * 24, admin.token, body).json() == {"error": "Purchase not found"}
    assert post(client, contract.ref, admin.token, body).status_code == 200


def test_a_plan_without_pay_per_use_takes_no_usage(client, metered):
    contract = metered.buy("free")

    response = post(
        client, contract.ref, metered.seller.token, {"records": [record("a", "call", 1)]}
    )

    assert response.status_code == 400
    assert response.json() == {"error": {"purchase": ["its plan has no pay-per-use part"]}}
