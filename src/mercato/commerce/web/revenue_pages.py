"""Site admins' revenue sharing pages: the model of each revenue class (the store's
share, its stakeholders, what the provider keeps) and the revenue of a period per
party. Plain forms, no script needed."""

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from mercato.accounts.models import Provider
from mercato.commerce import revenue
from mercato.commerce.revenue_models import RevenueClass
from mercato.commerce.settlement import revenue_records, settlement
from mercato.commerce.web.pages import AdminUser, _errors, _saved, _text
from mercato.dependencies import DbSession
from mercato.errors import Invalid, NotFound
from mercato.web.forms import SubmittedForm
from mercato.web.rendering import flash, render

router = APIRouter(include_in_schema=False)
SHARING = "/admin/revenue-sharing"
REVENUE = "/admin/revenue"
CLASS_NAMES = {
    RevenueClass.SINGLE_PAYMENT: "Single payment",
    RevenueClass.SUBSCRIPTION: "Subscription",
    RevenueClass.USE: "Pay per use",
}
PARTY_KINDS = [("organisation", "An organisation"), ("provider", "A provider"), ("user", "A user")]
# The records a revenue page lists below the figures, newest last.
MAX_RECORDS = 200


def _class(value: str) -> RevenueClass:
    try:
        return RevenueClass(value)
    except ValueError:
        raise NotFound("Revenue class") from None


def _provider_options(session: Session) -> list[tuple[int, str]]:
    return [(p.id, p.name) for p in revenue.providers_to_choose(session)]


def _model_page(
    request: Request,
    session: Session,
    revenue_class: RevenueClass,
    form: dict[str, Any] | None = None,
    errors: dict[str, list[str]] | None = None,
) -> Response:
    [model] = [m for m in revenue.sharing_models(session) if m.revenue_class == revenue_class]
    context = {
        "model": model,
        "class_name": CLASS_NAMES[revenue_class],
        "provider_share": revenue.provider_share(model),
        "provider_options": _provider_options(session),
        "kinds": PARTY_KINDS,
        # What the admin sent, over the model as it is.
        "form": {"percentage": str(model.percentage), "kind": "organisation", **(form or {})},
        "errors": errors or {},
    }
    return render(request, "commerce/revenue_model.html", context, 400 if errors else 200)


@router.get(SHARING)
def sharing(request: Request, session: DbSession, admin: AdminUser) -> Response:
    models = revenue.sharing_models(session)
    context = {
        "models": [(m, CLASS_NAMES[m.revenue_class], revenue.provider_share(m)) for m in models],
        "registrations": revenue.list_rss(session),
    }
    return render(request, "commerce/revenue_sharing.html", context)


@router.get(SHARING + "/{class_value}")
def model(request: Request, session: DbSession, admin: AdminUser, class_value: str) -> Response:
    return _model_page(request, session, _class(class_value))


@router.post(SHARING + "/{class_value}")
def change_percentage(
    request: Request,
    session: DbSession,
    admin: AdminUser,
    submitted: SubmittedForm,
    class_value: str,
) -> Response:
    revenue_class = _class(class_value)
    form = {"percentage": _text(submitted, "percentage"), "kind": "organisation"}
    return _saved(
        request,
        session,
        lambda: revenue.set_percentage(session, revenue_class, form["percentage"]),
        lambda errors: _model_page(request, session, revenue_class, form, errors),
        f"The store's share of {CLASS_NAMES[revenue_class].lower()} charges is changed.",
        f"{SHARING}/{revenue_class.value}",
    )


def _stakeholder_data(submitted: FormData) -> tuple[dict[str, Any], revenue.StakeholderData]:
    names = ("kind", "share", "provider_id", "user_email", "organisation")
    form = {name: _text(submitted, name) for name in names}
    share, kind = form["share"], form["kind"]
    if kind == "provider":
        digits = form["provider_id"]
        if not digits.isdigit():
            raise Invalid.field("provider_id", "choose a provider")
        return form, revenue.StakeholderData(share, provider_id=int(digits))
    if kind == "user":
        return form, revenue.StakeholderData(share, user_email=form["user_email"])
    return form, revenue.StakeholderData(share, organisation=form["organisation"])


@router.post(SHARING + "/{class_value}/stakeholders")
def add_stakeholder(
    request: Request,
    session: DbSession,
    admin: AdminUser,
    submitted: SubmittedForm,
    class_value: str,
) -> Response:
    revenue_class = _class(class_value)
    try:
        form, data = _stakeholder_data(submitted)
    except Invalid as error:
        form = {name: _text(submitted, name) for name in ("kind", "share", "provider_id")}
        return _model_page(request, session, revenue_class, form, _errors(error))
    return _saved(
        request,
        session,
        lambda: revenue.add_stakeholder(session, revenue_class, data),
        lambda errors: _model_page(request, session, revenue_class, form, errors),
        "The stakeholder is added.",
        f"{SHARING}/{revenue_class.value}",
    )


@router.post(SHARING + "/{class_value}/stakeholders/{stakeholder_id}/delete")
def remove_stakeholder(
    request: Request,
    session: DbSession,
    admin: AdminUser,
    class_value: str,
    stakeholder_id: int,
) -> Response:
    revenue_class = _class(class_value)
    stakeholder = revenue.find_stakeholder(session, stakeholder_id)
    if stakeholder.revenue_class != revenue_class:
        raise NotFound("Stakeholder")
    name = stakeholder.party_name
    revenue.remove_stakeholder(session, stakeholder)
    flash(request, f"{name} is no longer a stakeholder.")
    return RedirectResponse(f"{SHARING}/{revenue_class.value}", status_code=303)


# --- revenue of a period ---------------------------------------------------------------


def _month(today: date) -> tuple[date, date]:
    start = today.replace(day=1)
    return start, (start + timedelta(days=32)).replace(day=1)


def _day(value: str | None, field: str, default: date) -> date:
    if not value:
        return default
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Invalid.field(field, "must be a date, YYYY-MM-DD") from None


def _period(start: str | None, end: str | None) -> tuple[date, date]:
    """``[start, end]`` as whole days, the current month by default."""
    first, after = _month(datetime.now(UTC).date())
    period = _day(start, "start", first), _day(end, "end", after - timedelta(days=1))
    if period[1] < period[0]:
        raise Invalid.field("end", "must not be before the start")
    return period


def _provider(session: Session, value: str | None) -> Provider | None:
    if not value:
        return None
    provider = session.get(Provider, int(value)) if value.isdigit() else None
    if provider is None:
        raise Invalid.field("provider", "is not a registered provider")
    return provider


@router.get(REVENUE)
def revenue_page(
    request: Request,
    session: DbSession,
    admin: AdminUser,
    start: str | None = None,
    end: str | None = None,
    provider: str | None = None,
) -> Response:
    form = {"start": start or "", "end": end or "", "provider": provider or ""}
    context: dict[str, Any] = {
        "form": form,
        "provider_options": _provider_options(session),
        "rows": [],
        "records": [],
        "errors": {},
    }
    try:
        first, last = _period(start, end)
        seller = _provider(session, provider)
    except Invalid as error:
        context["errors"] = _errors(error)
        return render(request, "commerce/revenue.html", context, 400)
    since = datetime.combine(first, time(), UTC)
    until = datetime.combine(last + timedelta(days=1), time(), UTC)
    form.update(start=first.isoformat(), end=last.isoformat())
    # One more than shown, to know there are more.
    records = list(revenue_records(session, seller, since, until, limit=MAX_RECORDS + 1))
    context.update(
        rows=settlement(session, seller, since, until),
        records=records[:MAX_RECORDS],
        more_records=len(records) > MAX_RECORDS,
        max_records=MAX_RECORDS,
        class_names=CLASS_NAMES,
    )
    return render(request, "commerce/revenue.html", context)
