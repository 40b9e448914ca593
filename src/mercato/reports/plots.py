"""Reports' plots, drawn on the server as SVG with pygal: bars per month, one series per
party, offering or unit. No script is needed to view them (an ``<img>`` shows them), and
pygal's own script, which only adds tooltips, is never linked from elsewhere."""

from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal
from typing import Any

import pygal
from pygal.style import Style

from mercato.reports.figures import MonthRevenue, MonthSpending, MonthUsage

# The project's stylesheet colours (src/mercato/web/static/mercato.css).
_STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1d2733",
    foreground_strong="#1d2733",
    foreground_subtle="#5b6b7c",
    font_family='system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif',
    colors=("#2456c8", "#1f7a4d", "#8a5a00", "#b42318", "#6b4fbb", "#0f7c8c", "#5b6b7c"),
    title_font_size=18,
    legend_font_size=13,
    label_font_size=12,
    major_label_font_size=12,
    value_font_size=11,
    tooltip_font_size=13,
)
# A series per name, a value (or None) per month.
Series = dict[str, list[Decimal | None]]


def month_label(month: date) -> str:
    return month.strftime("%b %Y")


def _series(
    rows: Iterable[Any],
    months: list[date],
    name: Callable[[Any], str],
    value: Callable[[Any], Decimal],
) -> Series:
    index = {month: i for i, month in enumerate(months)}
    series: Series = {}
    for row in rows:
        values = series.setdefault(name(row), [None] * len(months))
        at = index[row.month]
        values[at] = (values[at] or Decimal(0)) + value(row)
    return series


def draw(title: str, y_title: str, months: list[date], series: Series) -> str:
    """An SVG document of bars per month. pygal draws with floats; the figures stay
    ``Decimal`` everywhere else (tables, CSV) and only the picture is approximate."""
    chart = pygal.Bar(
        title=title,
        y_title=y_title,
        style=_STYLE,
        js=[],  # no script from a CDN; the plot is complete without it
        width=900,
        height=420,
        explicit_size=True,  # width and height on the <svg>, for an <img> to size it
        legend_at_bottom=True,
        legend_at_bottom_columns=3,
        truncate_legend=-1,
        print_values=False,
        no_data_text="Nothing in this period",
        value_formatter=lambda v: f"{v:,.2f}".rstrip("0").rstrip(".") if v is not None else "",
    )
    chart.x_labels = [month_label(m) for m in months]
    for name, values in series.items():
        chart.add(name, [None if v is None else float(v) for v in values])
    svg: str = chart.render(is_unicode=True)
    return svg


def revenue_plot(rows: list[MonthRevenue], months: list[date]) -> str:
    series = _series(
        rows,
        months,
        lambda r: f"{r.row.party.name} ({r.row.currency})",
        lambda r: r.row.total,
    )
    return draw("Revenue per month", "Total, tax included", months, series)


def usage_plot(rows: list[MonthUsage], months: list[date], *, providers: bool = False) -> str:
    def name(row: MonthUsage) -> str:
        seller = f"{row.provider} · " if providers else ""
        return f"{seller}{row.offering}: {row.unit}"

    series = _series(rows, months, name, lambda r: r.value)
    return draw("Usage per month", "Units used", months, series)


def spending_plot(rows: list[MonthSpending], months: list[date]) -> str:
    series = _series(rows, months, lambda r: f"{r.offering} ({r.currency})", lambda r: r.total)
    return draw("Spending per month", "Total, tax included", months, series)
