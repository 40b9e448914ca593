"""The provider's price-plan pages of an offering: the list, and a form per plan with a
row per component and deduction. No scripts: "Add a component" and "Add a deduction"
send the form and get it back with one more row."""

from dataclasses import replace
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from mercato.accounts.models import User
from mercato.accounts.web.auth import CurrentUser
from mercato.commerce import plan_editing as rules
from mercato.commerce.models import PricingModel
from mercato.commerce.plan_editing import COMPONENT, DEDUCTION, MAX_ROWS, PlanDraft, Row
from mercato.commerce.plan_tables import KINDS, plan_tables
from mercato.commerce.registry import default_currency, list_currencies, list_units
from mercato.dependencies import DbSession
from mercato.errors import Invalid
from mercato.store.models import OfferingState, StoreOffering
from mercato.store.offerings import require_managed_offering
from mercato.store.web.common import offering_url, page, text
from mercato.web.forms import SubmittedForm
from mercato.web.rendering import flash

router = APIRouter(include_in_schema=False)
ONE = "/store/offerings/{provider}/{name}/{version}"
PARTS = ("label", "description", "unit", "value", "variables", "formula")


# --- reading the form -----------------------------------------------------------------


def _count(form: FormData, kind: str) -> int:
    typed = text(form, f"{kind}s")
    return min(int(typed), MAX_ROWS) if typed.isdecimal() else 0


def _rows(form: FormData, kind: str) -> tuple[Row, ...]:
    return tuple(
        Row(**{part: text(form, rules.input_name(kind, position, part)) for part in PARTS})
        for position in range(_count(form, kind))
    )


def _draft(form: FormData) -> PlanDraft:
    return PlanDraft(
        label=text(form, "label"),
        title=text(form, "title"),
        description=text(form, "description"),
        currency=text(form, "currency"),
        components=_rows(form, COMPONENT),
        deductions=_rows(form, DEDUCTION),
    )


def _rows_changed(draft: PlanDraft, action: str) -> PlanDraft | None:
    """The draft with a row added (``add-component``) or removed (``remove-component:2``);
    None for any other action."""
    verb, _, rest = action.partition("-")
    kind, _, at = rest.partition(":")
    if kind not in (COMPONENT, DEDUCTION) or verb not in ("add", "remove"):
        return None
    key = f"{kind}s"
    rows: tuple[Row, ...] = getattr(draft, key)
    if verb == "add":
        rows = (*rows, Row()) if len(rows) < MAX_ROWS else rows
    elif at.isdecimal():
        rows = rows[: int(at)] + rows[int(at) + 1 :]
    return replace(draft, **{key: rows})


# --- pages ----------------------------------------------------------------------------


def _unit_groups(session: Session) -> list[tuple[str, list[tuple[str, str]]]]:
    """The registered units by pricing model, each named with its renewal period."""
    groups: dict[PricingModel, list[tuple[str, str]]] = {model: [] for model in PricingModel}
    for unit in list_units(session):
        period = f" (renews every {unit.renewal_days} days)" if unit.renewal_days else ""
        groups[unit.model].append((unit.name, f"{unit.name}{period}"))
    return [(KINDS[model], units) for model, units in groups.items() if units]


def _offering(
    session: Session, user: User, provider: str, name: str, version: str
) -> StoreOffering:
    return require_managed_offering(session, user, provider, name, version)


def _plans_page(request: Request, session: Session, offering: StoreOffering) -> Response:
    plans = offering.price_plans or []
    context = {
        "offering": offering,
        "plans": list(zip(plans, plan_tables(session, plans), strict=True)),
        "editable": offering.state == OfferingState.UPLOADED,
    }
    return page(request, "commerce/plans.html", context)


def _form_page(
    request: Request,
    session: Session,
    offering: StoreOffering,
    position: int | None,
    draft: PlanDraft,
    errors: dict[str, str] | None = None,
) -> Response:
    action = "plans/new" if position is None else f"plans/{position}/edit"
    context = {
        "offering": offering,
        "position": position,
        "draft": draft,
        "action": offering_url(offering, action),
        "units": _unit_groups(session),
        "currencies": [c.code for c in list_currencies(session)],
        "has_earlier_version": rules.has_earlier_version(session, offering),
        "input_name": rules.input_name,
        "errors": {name: [message] for name, message in (errors or {}).items()},
    }
    return page(request, "commerce/plan_form.html", context, 400 if errors else 200)


def _blank(session: Session) -> PlanDraft:
    currency = default_currency(session)
    return PlanDraft(currency=currency.code if currency else "", components=(Row(),))


def _submitted(
    request: Request,
    session: Session,
    offering: StoreOffering,
    position: int | None,
    form: FormData,
) -> Response:
    """Another row asked for: the form again; else the plan saved, or the form with
    each problem on its input and nothing kept."""
    draft = _draft(form)
    changed = _rows_changed(draft, text(form, "action"))
    if changed is not None:
        return _form_page(request, session, offering, position, changed)
    try:
        plan = rules.save_plan(session, offering, position, draft)
    except Invalid as error:
        session.rollback()
        return _form_page(request, session, offering, position, draft, error.details)
    flash(request, f"Price plan “{plan['title']}” has been saved.")
    return RedirectResponse(offering_url(offering, "plans"), status_code=303)


@router.get(f"{ONE}/plans")
def plans_page(
    request: Request, session: DbSession, user: CurrentUser, provider: str, name: str, version: str
) -> Response:
    return _plans_page(request, session, _offering(session, user, provider, name, version))


@router.get(f"{ONE}/plans/new")
def new_plan(
    request: Request, session: DbSession, user: CurrentUser, provider: str, name: str, version: str
) -> Response:
    offering = _offering(session, user, provider, name, version)
    return _form_page(request, session, offering, None, _blank(session))


@router.post(f"{ONE}/plans/new")
def add_plan(
    request: Request,
    session: DbSession,
    user: CurrentUser,
    provider: str,
    name: str,
    version: str,
    form: SubmittedForm,
) -> Response:
    offering = _offering(session, user, provider, name, version)
    return _submitted(request, session, offering, None, form)


def _plan_at(offering: StoreOffering, position: int) -> dict[str, Any]:
    plans = offering.price_plans or []
    return plans[rules.existing(plans, position)]


@router.get(f"{ONE}/plans/{{position}}/edit")
def edit_plan(
    request: Request,
    session: DbSession,
    user: CurrentUser,
    provider: str,
    name: str,
    version: str,
    position: int,
) -> Response:
    offering = _offering(session, user, provider, name, version)
    draft = rules.draft_of(_plan_at(offering, position))
    return _form_page(request, session, offering, position, draft)


@router.post(f"{ONE}/plans/{{position}}/edit")
def update_plan(
    request: Request,
    session: DbSession,
    user: CurrentUser,
    provider: str,
    name: str,
    version: str,
    position: int,
    form: SubmittedForm,
) -> Response:
    offering = _offering(session, user, provider, name, version)
    _plan_at(offering, position)
    return _submitted(request, session, offering, position, form)


@router.post(f"{ONE}/plans/{{position}}/delete")
def delete_plan(
    request: Request,
    session: DbSession,
    user: CurrentUser,
    provider: str,
    name: str,
    version: str,
    position: int,
) -> Response:
    offering = _offering(session, user, provider, name, version)
    try:
        removed = rules.remove_plan(session, offering, position)
    except Invalid as error:
        session.rollback()
        flash(request, error.details.get("state", str(error)), "error")
        return RedirectResponse(offering_url(offering, "plans"), status_code=303)
    flash(request, f"Price plan “{removed.get('title', '')}” has been removed.")
    return RedirectResponse(offering_url(offering, "plans"), status_code=303)
