"""Reports built in the background: what was asked, by whom, how far the worker got,
and the CSV once it is ready. The row is also the job's outbox row (see ``jobs``)."""

import enum
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from mercato.db import Base, str_enum, utcnow


class ReportStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class ReportJob(Base):
    """A report asked for by ``user_id``: ``name`` (revenue, usage or spending) over the
    months ``first`` to ``last``, of one provider's sales, one customer's purchases, or
    (neither) the whole store."""

    __tablename__ = "report_jobs"
    __table_args__ = (Index("ix_report_jobs_due", "status", "leased_until"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # What the job's URLs name: opaque, so nobody guesses another's report.
    ref: Mapped[str] = mapped_column(String(32), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(16))
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("providers.id", ondelete="CASCADE"))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    first: Mapped[date]
    last: Mapped[date]
    status: Mapped[ReportStatus] = mapped_column(str_enum(ReportStatus))
    # Months built so far, of ``total``: what the progress page shows.
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    content: Mapped[str] = mapped_column(Text, default="")
    error: Mapped[str] = mapped_column(Text, default="")
    # A running job whose worker died is due again once its lease runs out.
    leased_until: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
