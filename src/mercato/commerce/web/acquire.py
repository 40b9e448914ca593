"""The acquire flow of a store offering: accept its terms, give or reuse a tax address,
pick a plan, a project and a gateway; review duty-free, tax and total; confirm and pay.
Plain forms: the review step shows the amounts, which depend on the address's country."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from mercato.accounts.models import User
from mercato.accounts.web.auth import CurrentUser
from mercato.commerce import purchases
from mercato.commerce.contracting_forms import take_redirect_uri
from mercato.commerce.contracts import ADDRESS_FIELDS, TaxAddressData, stored_tax_address
from mercato.commerce.payments.gateway import Gateways
from mercato.commerce.plan_tables import plan_tables
from mercato.commerce.web.client_redirects import keep_client_redirect
from mercato.db import utcnow
from mercato.dependencies import AppSettings, DbSession
from mercato.errors import Invalid, NotFound
from mercato.ordering import idempotency
from mercato.ordering.models import IdempotencyKey
from mercato.ordering.projects import projects_of
from mercato.settings import Settings
from mercato.store.models import StoreOffering
from mercato.store.offerings import require_visible_offering
from mercato.web.forms import SubmittedForm
from mercato.web.rendering import flash, render

router = APIRouter(include_in_schema=False)
ONE = "/store/offerings/{provider}/{name}/{version}"
STORED = "stored"
# Form fields that are not part of what is bought: a retry may carry another CSRF token.
_NOT_BOUGHT = frozenset({"csrftoken", idempotency.FORM_FIELD})


def _gateways(request: Request) -> Gateways:
    return request.app.state.gateways


def _text(form: FormData, name: str) -> str:
    value = form.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def _wanted(form: FormData) -> purchases.PurchaseRequest:
    """What the form asks for; no address typed and none chosen: the stored one."""
    address = None
    if _text(form, "tax_address") != STORED:
        typed = {name: _text(form, name) for name in ADDRESS_FIELDS}
        address = TaxAddressData(**typed) if any(typed.values()) else None
    project = _text(form, "project")
    return purchases.PurchaseRequest(
        gateway=_text(form, "gateway"),
        project_id=int(project) if project.isdecimal() else None,
        plan_label=_text(form, "plan_label") or None,
        conditions_accepted=form.get("conditions_accepted") == "on",
        tax_address=address,
    )


def _form_page(
    request: Request,
    session: Session,
    user: User,
    offering: StoreOffering,
    form: FormData | dict[str, Any],
    errors: dict[str, str] | None = None,
) -> Response:
    stored = stored_tax_address(session, user)
    plans = offering.price_plans
    context = {
        "offering": offering,
        "service": offering.service,
        "plans": list(zip(plans, plan_tables(session, plans), strict=True)),
        "projects": projects_of(session, user),
        "gateways": list(_gateways(request)),
        "stored_address": stored,
        "form": form,
        "chosen_address": form.get("tax_address", STORED if stored else "new"),
        "errors": {name: [message] for name, message in (errors or {}).items()},
        # A refused form keeps its key: nothing was bought with it yet.
        "idempotency_key": form.get(idempotency.FORM_FIELD) or idempotency.new_key(),
    }
    return render(request, "commerce/acquire.html", context, 400 if errors else 200)


def _offering(
    session: Session, user: User, provider: str, name: str, version: str
) -> StoreOffering:
    return require_visible_offering(session, user, provider, name, version)


@router.get(f"{ONE}/acquire")
def acquire_form(
    request: Request, session: DbSession, user: CurrentUser, provider: str, name: str, version: str
) -> Response:
    offering = _offering(session, user, provider, name, version)
    default_plan = offering.price_plans[0].get("label", "") if offering.price_plans else ""
    # The order form of the catalogue sends the buyer here with a plan and a project chosen.
    chosen = request.query_params
    form = {"plan_label": chosen.get("plan_label") or default_plan}
    if chosen.get("project"):
        form["project"] = chosen["project"]
    return _form_page(request, session, user, offering, form)


@router.post(f"{ONE}/acquire/review")
def review(
    request: Request,
    session: DbSession,
    user: CurrentUser,
    provider: str,
    name: str,
    version: str,
    form: SubmittedForm,
) -> Response:
    offering = _offering(session, user, provider, name, version)
    wanted, gateways = _wanted(form), _gateways(request)
    try:
        found = purchases.quote(session, user, offering, wanted, gateways, utcnow())
    except (Invalid, NotFound) as error:
        return _form_page(request, session, user, offering, form, _problems(error))
    hidden = [(k, str(v)) for k, v in form.multi_items() if k not in _NOT_BOUGHT]
    context = {
        "offering": offering,
        "service": offering.service,
        "quote": found,
        "hidden": hidden,
        "idempotency_key": form.get(idempotency.FORM_FIELD) or idempotency.new_key(),
    }
    return render(request, "commerce/acquire_review.html", context)


def _problems(error: Invalid | NotFound) -> dict[str, str]:
    if isinstance(error, NotFound):
        return {"project": "choose one of your projects"}
    return error.details


def _claim(
    request: Request, session: Session, settings: Settings, user: User, form: FormData
) -> IdempotencyKey | None:
    key = request.headers.get(idempotency.KEY_HEADER) or _text(form, idempotency.FORM_FIELD)
    if not key:
        return None
    content = sorted((k, str(v)) for k, v in form.multi_items() if k not in _NOT_BOUGHT)
    found = idempotency.fingerprint(request.method, request.url.path, content)
    lifetime = settings.idempotency_key_lifetime
    return idempotency.claim_key(session, user, key, found, lifetime=lifetime)


def _answer(request: Request, result: dict[str, str]) -> Response:
    if result["notice"]:
        flash(request, result["notice"])
    return RedirectResponse(result["location"], status_code=303)


@router.post(f"{ONE}/acquire")
def acquire(
    request: Request,
    session: DbSession,
    settings: AppSettings,
    user: CurrentUser,
    provider: str,
    name: str,
    version: str,
    form: SubmittedForm,
) -> Response:
    offering = _offering(session, user, provider, name, version)
    held = _claim(request, session, settings, user, form)
    if held is not None and held.result is not None:
        return _answer(request, held.result)
    now = utcnow()
    try:
        bought = purchases.acquire(
            session,
            user,
            offering,
            _wanted(form),
            _gateways(request),
            base_url=settings.base_url,
            timeout=settings.payment_timeout,
            now=now,
        )
    except (Invalid, NotFound) as error:
        session.rollback()
        return _form_page(request, session, user, offering, form, _problems(error))
    ref = bought.contract.ref
    # Started with WStore's contracting form: the purchase consumes it, and ends at its
    # redirect_uri (now, or once the gateway's payment is approved).
    back = take_redirect_uri(session, user.id, offering.offer_id)
    if bought.redirect_url is not None:
        if back is not None:
            keep_client_redirect(request, ref, back)
        result = {"location": bought.redirect_url, "notice": ""}
    elif back is not None:
        result = {"location": back, "notice": ""}
    else:
        notice = f"You acquired “{offering.service.name}” {offering.version}."
        result = {"location": f"/purchases/{ref}", "notice": notice}
    if held is not None:
        idempotency.settle_key(session, held, result)
    return _answer(request, result)
