"""Reports as CSV (stdlib ``csv``): one line per month and party, offering or unit, months
as ``YYYY-MM`` and amounts as exact decimal strings, as the tables on the pages show."""

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from mercato.commerce.revenue_models import PartyKind
from mercato.reports.figures import MonthRevenue, MonthSpending, MonthUsage

ROLE_NAMES = {
    PartyKind.AGGREGATOR: "Store",
    PartyKind.PROVIDER: "Provider (seller)",
    PartyKind.STAKEHOLDER: "Stakeholder",
}
Line = list[str]


@dataclass(frozen=True)
class Table:
    """A kind of report: its CSV header and how a figure becomes a line."""

    name: str
    header: Line


REVENUE = Table(
    "revenue", ["month", "party", "role", "currency", "charges", "duty_free", "tax", "total"]
)
USAGE = Table("usage", ["month", "provider", "offering", "unit", "records", "value"])
SPENDING = Table(
    "spending",
    ["month", "provider", "offering", "currency", "charges", "duty_free", "tax", "total"],
)
TABLES = {table.name: table for table in (REVENUE, USAGE, SPENDING)}


def revenue_lines(rows: Iterable[MonthRevenue]) -> Iterator[Line]:
    for month, row in ((r.month, r.row) for r in rows):
        yield [
            f"{month:%Y-%m}",
            row.party.name,
            ROLE_NAMES[row.party.kind],
            row.currency,
            str(row.charges),
            str(row.duty_free),
            str(row.tax),
            str(row.total),
        ]


def usage_lines(rows: Iterable[MonthUsage]) -> Iterator[Line]:
    for r in rows:
        yield [f"{r.month:%Y-%m}", r.provider, r.offering, r.unit, str(r.records), str(r.value)]


def spending_lines(rows: Iterable[MonthSpending]) -> Iterator[Line]:
    for r in rows:
        yield [
            f"{r.month:%Y-%m}",
            r.provider,
            r.offering,
            r.currency,
            str(r.charges),
            str(r.duty_free),
            str(r.tax),
            str(r.total),
        ]


def csv_text(lines: Iterable[Line], header: Line | None = None) -> str:
    """``lines`` as CSV text, after ``header`` if given."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    if header is not None:
        writer.writerow(header)
    writer.writerows(lines)
    return out.getvalue()
