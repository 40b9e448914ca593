"""Report pages: a provider's sales dashboard, the site admins' store-wide reports and a
customer's spending. Each shows plots (SVG drawn on the server), tables, CSV exports and
a form that builds a long report in the background. A GET form chooses the period;
nothing needs a script."""

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from mercato.accounts.models import Provider
from mercato.accounts.web.auth import CurrentUser
from mercato.commerce.revenue import providers_to_choose
from mercato.commerce.web.pages import _text
from mercato.dependencies import DbSession
from mercato.errors import Forbidden, Invalid, NotFound
from mercato.reports import tables
from mercato.reports.figures import MAX_PAGE_MONTHS, Period, period_of
from mercato.reports.jobs import ask_report, find_own_job
from mercato.reports.models import ReportStatus
from mercato.reports.scopes import Scope, admin_scope, seller_scope
from mercato.web.forms import SubmittedForm
from mercato.web.pages import validation_error_page
from mercato.web.rendering import render

router = APIRouter(include_in_schema=False)
SALES = "/sales/reports"
ADMIN = "/admin/reports"
SPENDING = "/purchases/spending"
TITLES = {"revenue": "Revenue", "usage": "Usage", "spending": "Spending"}


def _period(start: str | None, end: str | None) -> Period:
    return period_of(start, end, datetime.now(UTC).date(), MAX_PAGE_MONTHS)


def _query(period: Period, provider: str | None) -> str:
    asked = {"start": f"{period.first:%Y-%m}", "end": f"{period.last:%Y-%m}"}
    return urlencode({**asked, **({"provider": provider} if provider else {})})


def _page(
    request: Request,
    session: Session,
    base: str,
    scope: Scope,
    asked: dict[str, str | None],
    context: dict[str, Any],
) -> Response:
    form = {name: value or "" for name, value in asked.items()}
    context = {
        **context,
        "form": form,
        "action": base,
        "errors": {},
        "reports": [],
        "roles": tables.ROLE_NAMES,
        "max_page_months": MAX_PAGE_MONTHS,
        "jobs_form": {"names": [(name, TITLES[name]) for name in scope.names]},
    }
    try:
        period = _period(asked["start"], asked["end"])
    except Invalid as error:
        context["errors"] = {key: [message] for key, message in error.details.items()}
        return render(request, "reports/report.html", context, 400)
    form.update(start=f"{period.first:%Y-%m}", end=f"{period.last:%Y-%m}")
    context["period_label"] = f"{period.first:%b %Y} to {period.last:%b %Y}"
    query = _query(period, asked.get("provider"))
    context["reports"] = [
        {
            "name": name,
            "title": TITLES[name],
            "rows": scope.figures(session, name, period),
            "svg": f"{base}/{name}.svg?{query}",
            "csv": f"{base}/{name}.csv?{query}",
        }
        for name in scope.names
    ]
    return render(request, "reports/report.html", context)


def _file(
    session: Session, scope: Scope, name: str, kind: str, start: str | None, end: str | None
) -> Response:
    if name not in scope.names or kind not in ("csv", "svg"):
        raise NotFound("Report")
    period = _period(start, end)
    rows = scope.figures(session, name, period)
    if kind == "svg":
        return Response(scope.plot(name, rows, period.months), media_type="image/svg+xml")
    text = tables.csv_text(scope.lines(name, rows), tables.TABLES[name].header)
    filename = f"{name}-{period.first:%Y-%m}-{period.last:%Y-%m}.csv"
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _refused(request: Request, error: Forbidden) -> Response:
    """The refusal, saying who may see the report (the site's error page says only no)."""
    context = {"title": "Not allowed", "message": str(error)}
    return render(request, "error.html", context, 403)


def _options(providers: list[Provider]) -> list[tuple[int, str]]:
    return [(p.id, p.name) for p in providers]


# --- a provider's sales dashboard -------------------------------------------------------


@router.get(SALES)
def sales_reports(
    request: Request,
    session: DbSession,
    user: CurrentUser,
    start: str | None = None,
    end: str | None = None,
    provider: str | None = None,
) -> Response:
    try:
        scope, sellers = seller_scope(session, user, provider)
    except Forbidden as error:
        return _refused(request, error)
    assert scope.provider is not None
    context = {
        "audience": "provider",
        "heading": "Sales dashboard",
        "lead": f"What {scope.provider.name}'s sales earned each party, and how its"
        " offerings were used, month by month.",
        "provider_options": _options(sellers) if len(sellers) > 1 else None,
        "back": ("/sales", "Sales"),
    }
    asked = {"start": start, "end": end, "provider": str(scope.provider.id)}
    return _page(request, session, SALES, scope, asked, context)


@router.get(SALES + "/{name}.{kind}")
def sales_file(
    request: Request,
    session: DbSession,
    user: CurrentUser,
    name: str,
    kind: str,
    start: str | None = None,
    end: str | None = None,
    provider: str | None = None,
) -> Response:
    try:
        scope, _ = seller_scope(session, user, provider)
    except Forbidden as error:
        return _refused(request, error)
    return _file(session, scope, name, kind, start, end)


# --- the site admins' store-wide reports ------------------------------------------------


@router.get(ADMIN)
def admin_reports(
    request: Request,
    session: DbSession,
    user: CurrentUser,
    start: str | None = None,
    end: str | None = None,
    provider: str | None = None,
) -> Response:
    try:
        scope = admin_scope(session, user, provider)
    except Forbidden as error:
        return _refused(request, error)
    context = {
        "audience": "admin",
        "heading": "Reports",
        "lead": "Settlements of every party and the store's usage, month by month.",
        "provider_options": _options(providers_to_choose(session)),
        "admin_tabs": True,
    }
    asked = {"start": start, "end": end, "provider": provider}
    return _page(request, session, ADMIN, scope, asked, context)


@router.get(ADMIN + "/{name}.{kind}")
def admin_file(
    request: Request,
    session: DbSession,
    user: CurrentUser,
    name: str,
    kind: str,
    start: str | None = None,
    end: str | None = None,
    provider: str | None = None,
) -> Response:
    try:
        scope = admin_scope(session, user, provider)
    except Forbidden as error:
        return _refused(request, error)
    return _file(session, scope, name, kind, start, end)


# --- a customer's spending --------------------------------------------------------------


@router.get(SPENDING)
def spending(
    request: Request,
    session: DbSession,
    user: CurrentUser,
    start: str | None = None,
    end: str | None = None,
) -> Response:
    context = {
        "audience": "customer",
        "heading": "My spending",
        "lead": "What you were charged for each offering, and how much you used, month by month.",
        "provider_options": None,
        "back": ("/purchases", "My purchases"),
    }
    asked = {"start": start, "end": end}
    return _page(request, session, SPENDING, Scope(customer=user), asked, context)


@router.get(SPENDING + "/{name}.{kind}")
def spending_file(
    session: DbSession,
    user: CurrentUser,
    name: str,
    kind: str,
    start: str | None = None,
    end: str | None = None,
) -> Response:
    return _file(session, Scope(customer=user), name, kind, start, end)


# --- reports built in the background ----------------------------------------------------

JOBS = "/reports/jobs"
# How often a job's page reloads itself while the worker builds the report.
REFRESH_SECONDS = 2


@router.post(JOBS)
def ask_for_report(
    request: Request, session: DbSession, user: CurrentUser, submitted: SubmittedForm
) -> Response:
    fields = {n: _text(submitted, n) for n in ("audience", "name", "provider", "start", "end")}
    try:
        job = ask_report(
            session,
            user,
            fields["audience"],
            fields["name"],
            fields["provider"] or None,
            fields["start"] or None,
            fields["end"] or None,
            datetime.now(UTC).date(),
        )
    except Forbidden as error:
        return _refused(request, error)
    except Invalid as error:
        return validation_error_page(request, error.errors)
    return RedirectResponse(f"{JOBS}/{job.ref}", status_code=303)


@router.get(JOBS + "/{ref}")
def report_job(request: Request, session: DbSession, user: CurrentUser, ref: str) -> Response:
    try:
        job = find_own_job(session, user, ref)
    except Forbidden as error:
        return _refused(request, error)
    working = job.status in (ReportStatus.QUEUED, ReportStatus.RUNNING)
    context = {
        "job": job,
        "title": TITLES[job.name],
        "refresh": REFRESH_SECONDS if working else None,
        "percent": 100 * job.done // job.total if job.total else 0,
    }
    return render(request, "reports/job.html", context)


@router.get(JOBS + "/{ref}/download")
def report_download(request: Request, session: DbSession, user: CurrentUser, ref: str) -> Response:
    try:
        job = find_own_job(session, user, ref)
    except Forbidden as error:
        return _refused(request, error)
    if job.status != ReportStatus.DONE:
        raise NotFound("Report")
    filename = f"{job.name}-{job.first:%Y-%m}-{job.last:%Y-%m}.csv"
    return Response(
        job.content,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
