"""Long reports, built by a worker: the job row is its own outbox row.

``ask_report`` checks who asks (through the same scopes as the pages) and writes a
queued job; after the commit the queue is told (``NEW_REPORTS``) and a worker claims the
job with a conditional UPDATE, builds it a month at a time, writing how far it got
(the datasets' ``ProgressCallback``: kind, done, total) so the job's page can show it,
and keeps the CSV. A worker that dies mid-report leaves a lease that runs out; the
sweep queues the job again. A report that fails keeps its error.
"""

import logging
import secrets
from collections.abc import Callable
from datetime import date, datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from mercato.accounts.models import Provider, User
from mercato.datasets.context import ProgressCallback
from mercato.db import make_session_factory, read_only, transaction, utcnow
from mercato.errors import Forbidden, Invalid, NotFound
from mercato.reports import tables
from mercato.reports.figures import Period, period_of
from mercato.reports.models import ReportJob, ReportStatus
from mercato.reports.scopes import Scope, admin_scope, seller_scope

log = logging.getLogger(__name__)

# session.info key: jobs were queued in this transaction; the queue is told after commit.
NEW_REPORTS = "mercato.new_reports"
# Fifty years: anything a store has.
MAX_JOB_MONTHS = 600
LEASE = timedelta(minutes=10)
AUDIENCES = ("provider", "admin", "customer")
NOT_YOURS = "Only who asked for this report may see it."


def _scope(session: Session, user: User, audience: str, provider: str | None) -> Scope:
    if audience == "provider":
        return seller_scope(session, user, provider)[0]
    if audience == "admin":
        return admin_scope(session, user, provider)
    if audience == "customer":
        return Scope(customer=user)
    raise Invalid.field("audience", f"must be one of {', '.join(AUDIENCES)}")


def ask_report(
    session: Session,
    user: User,
    audience: str,
    name: str,
    provider: str | None,
    start: str | None,
    end: str | None,
    today: date,
) -> ReportJob:
    """Queue ``name`` over the months asked for, as ``audience`` may read it."""
    scope = _scope(session, user, audience, provider)
    if name not in scope.names:
        raise Invalid.field("name", f"must be one of {', '.join(scope.names)}")
    period = period_of(start, end, today, MAX_JOB_MONTHS)
    job = ReportJob(
        ref=secrets.token_hex(12),
        user_id=user.id,
        name=name,
        provider_id=scope.provider.id if scope.provider is not None else None,
        customer_id=scope.customer.id if scope.customer is not None else None,
        first=period.first,
        last=period.last,
        status=ReportStatus.QUEUED,
        total=len(period.months),
    )
    session.add(job)
    session.flush()
    session.info[NEW_REPORTS] = True
    return job


def find_own_job(session: Session, user: User, ref: str) -> ReportJob:
    job = session.scalar(select(ReportJob).where(ReportJob.ref == ref))
    if job is None:
        raise NotFound("Report")
    if job.user_id != user.id:
        raise Forbidden(NOT_YOURS)
    return job


def _due(now: datetime) -> list[object]:
    return [
        or_(
            ReportJob.status == ReportStatus.QUEUED,
            (ReportJob.status == ReportStatus.RUNNING) & (ReportJob.leased_until < now),
        )
    ]


def due_reports(session: Session, now: datetime) -> list[int]:
    """The jobs no worker holds: queued, or running with a lease that ran out."""
    return list(session.scalars(select(ReportJob.id).where(*_due(now)).order_by(ReportJob.id)))


def _claim(session: Session, now: datetime) -> int | None:
    for job_id in due_reports(session, now):
        claimed = session.execute(
            update(ReportJob)
            .where(ReportJob.id == job_id, *_due(now))
            .values(status=ReportStatus.RUNNING, leased_until=now + LEASE, done=0)
        )
        if claimed.rowcount:  # type: ignore[attr-defined]
            return job_id
    return None


def _job_scope(session: Session, job: ReportJob) -> Scope:
    provider = session.get(Provider, job.provider_id) if job.provider_id else None
    customer = session.get(User, job.customer_id) if job.customer_id else None
    return Scope(provider=provider, customer=customer)


def build_report(session: Session, job: ReportJob, progress: ProgressCallback) -> str:
    """The job's CSV, read a month at a time, telling ``progress`` after each month."""
    scope = _job_scope(session, job)
    months = Period(job.first, job.last).months
    parts = [tables.csv_text([], tables.TABLES[job.name].header)]
    for done, month in enumerate(months, start=1):
        rows = scope.figures(session, job.name, Period(month, month))
        parts.append(tables.csv_text(scope.lines(job.name, rows)))
        progress(job.name, done, len(months))
    return "".join(parts)


def _progress_writer(factory: sessionmaker[Session], job_id: int) -> ProgressCallback:
    def advance(kind: str, done: int, total: int) -> None:
        with transaction(factory) as session:
            session.execute(update(ReportJob).where(ReportJob.id == job_id).values(done=done))

    return advance


def build_due(factory: sessionmaker[Session], clock: Callable[[], datetime] = utcnow) -> int:
    """Build due jobs one after another until none is due; returns how many."""
    built = 0
    while True:
        with transaction(factory) as session:
            job_id = _claim(session, clock())
        if job_id is None:
            return built
        _build_one(factory, job_id, clock)
        built += 1


def _build_one(factory: sessionmaker[Session], job_id: int, clock: Callable[[], datetime]) -> None:
    # Read without a write lock (SQLite), so the progress writes go through meanwhile.
    reader = make_session_factory(read_only(factory.kw["bind"]))
    try:
        with transaction(reader) as session:
            job = session.get_one(ReportJob, job_id)
            content = build_report(session, job, _progress_writer(factory, job_id))
        outcome = {"status": ReportStatus.DONE, "content": content, "error": ""}
    except Exception as error:
        log.exception("report %s failed", job_id)
        outcome = {"status": ReportStatus.FAILED, "content": "", "error": str(error)[:2000]}
    with transaction(factory) as session:
        session.execute(
            update(ReportJob)
            .where(ReportJob.id == job_id)
            .values(**outcome, leased_until=None, finished_at=clock())
        )
