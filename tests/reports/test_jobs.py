"""Long reports built in the background: asked for with a plain form, built a month at
a time with the progress written for the job's page (which reloads itself without a
script), the CSV downloaded when ready; only who asked sees it."""

import html
import time
from datetime import date

import pytest
from sqlalchemy.orm import Session

from mercato.db import make_session_factory
from mercato.errors import Forbidden, Invalid
from mercato.reports.jobs import ask_report, build_due, build_report
from mercato.reports.models import ReportJob, ReportStatus
from tests.ordering.test_triggers_queue import committing, queue, queue_settings, worker
from tests.reports.reading import csv_rows
from tests.reports.test_pages import REVENUE_HEADER, REVENUE_LINES, SPENDING_CSV
from tests.web.pages import csrf_token, log_in

__all__ = ["committing", "queue", "queue_settings", "worker"]

TODAY = date(2027, 3, 15)


def _job(session: Session, ref: str) -> ReportJob:
    session.expire_all()
    return session.query(ReportJob).filter_by(ref=ref).one()


def test_a_report_is_built_a_month_at_a_time_telling_its_progress(sold, seller):
    session = sold.shop.session
    job = ask_report(session, seller.user, "provider", "revenue", None, "2026-10", "2027-02", TODAY)
    told: list[tuple[str, int, int]] = []

    content = build_report(session, job, lambda *progress: told.append(progress))

    assert told == [("revenue", done, 5) for done in range(1, 6)]
    assert csv_rows(content) == [REVENUE_HEADER, *REVENUE_LINES]


def test_a_worker_builds_due_reports_and_keeps_the_csv(sold, engine):
    session = sold.shop.session
    job = ask_report(session, sold.shop.buyer, "customer", "spending", None, "2000-01", None, TODAY)
    session.commit()
    assert (job.status, job.done, job.total) == (ReportStatus.QUEUED, 0, 327)

    assert build_due(make_session_factory(engine)) == 1

    built = _job(session, job.ref)
    assert (built.status, built.done, built.total, built.error) == (ReportStatus.DONE, 327, 327, "")
    assert csv_rows(built.content) == SPENDING_CSV
    assert build_due(make_session_factory(engine)) == 0


@pytest.mark.parametrize(
    ("audience", "name", "error"),
    [
        ("admin", "revenue", Forbidden),
        ("provider", "revenue", Forbidden),
        ("customer", "revenue", Invalid),
        ("nobody", "usage", Invalid),
    ],
)
def test_reports_are_asked_for_only_as_the_asker_may_read_them(sold, audience, name, error):
    with pytest.raises(error):
        ask_report(sold.shop.session, sold.shop.buyer, audience, name, None, None, None, TODAY)


def _ask(client, page: str, **fields: str):
    form = {"csrftoken": csrf_token(client, page), **fields}
    return client.post("/reports/jobs", data=form, follow_redirects=False)


def test_the_jobs_page_shows_progress_then_the_download(client, sold, seller, engine, session):
    log_in(client, seller.user)

    asked = _ask(
        client,
        "/sales/reports",
        audience="provider",
        name="revenue",
        start="2026-01",
        end="2027-06",
    )
    waiting = client.get(asked.headers["location"]).text
    build_due(make_session_factory(engine))
    ready = client.get(asked.headers["location"]).text
    ref = asked.headers["location"].rsplit("/", 1)[1]
    download = client.get(f"/reports/jobs/{ref}/download")

    assert asked.status_code == 303
    assert '<meta http-equiv="refresh" content="2">' in waiting
    assert '<progress class="progress" max="18" value="0"' in waiting
    assert "0 of 18 months (0 %)" in waiting
    assert "http-equiv" not in ready
    assert f'href="/reports/jobs/{ref}/download"' in ready
    assert download.headers["content-disposition"] == (
        'attachment; filename="revenue-2026-01-2027-06.csv"'
    )
    assert csv_rows(download.text) == [REVENUE_HEADER, *REVENUE_LINES]


def test_only_who_asked_sees_a_report(client, sold, make, engine):
    log_in(client, sold.shop.buyer)
    asked = _ask(client, "/purchases/spending", audience="customer", name="usage")
    log_in(client, make.user())

    response = client.get(asked.headers["location"])

    assert response.status_code == 403
    assert "Only who asked for this report may see it." in html.unescape(response.text)


def test_a_refused_report_says_why_and_queues_nothing(client, sold, session):
    log_in(client, sold.shop.buyer)

    response = _ask(client, "/purchases/spending", audience="admin", name="revenue")

    assert response.status_code == 403
    assert "Store-wide reports are for site admins only." in html.unescape(response.text)
    assert session.query(ReportJob).count() == 0


def test_a_committed_report_is_built_by_the_queues_worker(committing, sold, worker):
    with committing() as asking:
        buyer = asking.merge(sold.shop.buyer)
        job = ask_report(asking, buyer, "customer", "usage", None, "2026-11", "2027-01", TODAY)
        asking.commit()
        ref = job.ref

    deadline = time.monotonic() + 30
    while _job(sold.shop.session, ref).status != ReportStatus.DONE:
        assert time.monotonic() < deadline, "the report was not built in 30 s"
        time.sleep(0.1)

    assert len(csv_rows(_job(sold.shop.session, ref).content)) == 5


def test_a_report_whose_hand_over_was_lost_is_found_by_the_sweep(sold, queue, worker):
    # Asked in a session that tells no queue: as if the hand-over after the commit failed.
    session = sold.shop.session
    job = ask_report(
        session, sold.shop.buyer, "customer", "usage", None, "2026-12", "2027-01", TODAY
    )
    session.commit()

    queue.sweep(always=True)

    deadline = time.monotonic() + 30
    while _job(session, job.ref).status != ReportStatus.DONE:
        assert time.monotonic() < deadline, "the sweep did not have the report built in 30 s"
        time.sleep(0.1)
    assert len(csv_rows(_job(session, job.ref).content)) == 4
