"""Two identical batches sent at the same moment over real HTTP to the live server (on
the test database: SQLite or PostgreSQL): every record is stored once, each is reported
new by exactly one of the two answers, and the sweep charges it once."""

import threading
from datetime import timedelta
from decimal import Decimal

import httpx
import pytest
from sqlalchemy import func, select

from mercato.commerce.models import Contract
from mercato.usage.charging import sweep_usage
from mercato.usage.models import UsageRecord
from tests.live import running_app
from tests.usage.world import DAY, NOW, record

pytestmark = pytest.mark.slow
RECORDS = 1000
ROUNDS = 3


def _together(base: str, url: str, token: str, body: dict) -> list[httpx.Response]:
    start = threading.Barrier(2)
    answers: list[httpx.Response | None] = [None, None]

    def post(n: int) -> None:
        with httpx.Client(base_url=base, timeout=120) as client:
            start.wait()
            answers[n] = client.post(url, json=body, headers={"X-User-Token": token})

    threads = [threading.Thread(target=post, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [answer for answer in answers if answer is not None]


def test_two_identical_batches_at_once_store_and_charge_each_record_once(
    metered, database_url, tmp_path
):
    contract = metered.buy()
    url = f"/api/v1/purchases/{contract.ref}/usage"
    with running_app(database_url, tmp_path) as base:
        for round_ in range(ROUNDS):
            batch = [record(f"r{round_}-{n}", "call", 1) for n in range(RECORDS)]
            answers = _together(base, url, metered.seller.token, {"records": batch})

            assert [a.status_code for a in answers] == [200, 200]
            statuses = [[r["status"] for r in a.json()["records"]] for a in answers]
            # Each record is new in exactly one answer, a duplicate in the other.
            assert all(sorted(pair) == ["duplicate", "new"] for pair in zip(*statuses, strict=True))
            assert sum(a.json()["new"] for a in answers) == RECORDS

    session = metered.session
    session.expire_all()
    stored = select(func.count()).select_from(UsageRecord)
    assert session.scalar(stored) == RECORDS * ROUNDS
    assert sweep_usage(session, NOW + 400 * DAY, after=timedelta(0)) == 1
    session.commit()
    session.expire_all()
    charges = session.get_one(Contract, contract.id).charges
    assert [c.total for c in charges] == [Decimal(RECORDS * ROUNDS) / 100]
