"""A buyer's purchases (one, and all of them), the sandbox gateway's checkout page,
the gateways' return and cancel addresses, and a provider's sales."""

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from mercato.accounts.models import User
from mercato.accounts.rules import administered_provider_ids
from mercato.accounts.web.auth import CurrentUser
from mercato.commerce.contracts import (
    pending_payment,
    purchases_of,
    require_own_purchase,
    sales_of,
)
from mercato.commerce.invoices import order_invoices
from mercato.commerce.models import Contract, ContractState, Payment, PaymentStatus
from mercato.commerce.payments.gateway import Gateway, PaymentFailed, PaymentHeld
from mercato.commerce.payments.lifecycle import (
    NO_LONGER_PENDING,
    approve_payment,
    cancel_payment,
    is_held,
)
from mercato.commerce.renewals import can_renew, renew, renewal_dates
from mercato.commerce.web.client_redirects import take_client_redirect
from mercato.db import utcnow
from mercato.dependencies import AppSettings, DbSession, writes_on_get
from mercato.errors import Forbidden, Invalid, NotFound
from mercato.store.assets import asset_link, downloadable_asset_ids
from mercato.store.models import Asset, StoreOffering
from mercato.usage.web import metered_ids
from mercato.web.forms import SubmittedForm
from mercato.web.rendering import flash, render

router = APIRouter(include_in_schema=False)
HELD = (
    "The payment is held by the gateway for review: it completes, or is cancelled,"
    " when the gateway decides"
)
STATE_CLASSES = {
    ContractState.PENDING: "purchase-pending",
    ContractState.PAID: "purchase-paid",
    ContractState.CANCELLED: "purchase-cancelled",
    ContractState.SUSPENDED: "purchase-suspended",
}


def _offering(session: Session, contract: Contract) -> StoreOffering | None:
    return session.get(StoreOffering, contract.offer_id)


def _downloads(
    session: Session, user: User, contracts: list[Contract]
) -> dict[int, list[tuple[str, str]]]:
    """(name, link) of each paid purchase's assets, by contract id; three queries however
    many purchases."""
    paid = {c.offer_id for c in contracts if c.state == ContractState.PAID}
    offerings = {
        o.offer_id: o
        for o in session.scalars(
            select(StoreOffering)
            .where(StoreOffering.offer_id.in_(paid))
            .options(selectinload(StoreOffering.assets).joinedload(Asset.provider))
        )
    }
    assets = [a for o in offerings.values() for a in o.assets]
    allowed = downloadable_asset_ids(session, user, assets) if assets else set()
    found = {}
    for contract in contracts:
        offering = (
            offerings.get(contract.offer_id) if contract.state == ContractState.PAID else None
        )
        found[contract.id] = [
            (a.name, asset_link("", a))
            for a in (offering.assets if offering else [])
            if a.id in allowed
        ]
    return found


def _gateway(request: Request, payment: Payment) -> Gateway:
    return request.app.state.gateways.get(payment.gateway)


@router.get("/purchases")
def my_purchases(request: Request, session: DbSession, user: CurrentUser) -> Response:
    contracts = purchases_of(session, user)
    downloads = _downloads(session, user, contracts)
    context = {
        "contracts": contracts,
        "downloads": downloads,
        "classes": STATE_CLASSES,
        "now": utcnow(),
        "metered": metered_ids(session, contracts),
    }
    return render(request, "commerce/purchases.html", context)


@router.get("/purchases/{ref}")
def purchase_page(request: Request, session: DbSession, user: CurrentUser, ref: str) -> Response:
    contract = require_own_purchase(session, user, ref)
    pending = pending_payment(contract)
    context = {
        "contract": contract,
        "offering": _offering(session, contract),
        "downloads": _downloads(session, user, [contract])[contract.id],
        "pending": pending,
        "invoices": order_invoices(session, user, contract.id),
        "classes": STATE_CLASSES,
        "renewal_dates": renewal_dates(contract),
        "renewable": pending is None and can_renew(contract, utcnow()),
        "gateways": list(request.app.state.gateways),
        "metered": metered_ids(session, [contract]),
    }
    return render(request, "commerce/purchase.html", context)


@router.post("/purchases/{ref}/renew")
def renew_now(
    request: Request,
    session: DbSession,
    settings: AppSettings,
    user: CurrentUser,
    ref: str,
    form: SubmittedForm,
) -> Response:
    """Renew by hand (WStore's renewal dialog): the subscriptions due, through the
    gateway chosen; a redirect gateway sends the customer on to approve."""
    contract = require_own_purchase(session, user, ref)
    try:
        gateway = request.app.state.gateways.get(str(form.get("gateway", "")))
        renewal = renew(
            session,
            contract,
            gateway,
            utcnow(),
            base_url=settings.base_url,
            timeout=settings.payment_timeout,
        )
    except Invalid as error:
        session.rollback()
        flash(request, str(next(iter(error.details.values()), error)), "error")
        return RedirectResponse(f"/purchases/{ref}", status_code=303)
    if renewal.redirect_url is not None:
        return RedirectResponse(renewal.redirect_url, status_code=303)
    flash(request, f"Renewed: {renewal.charge.amount.total} {contract.currency} charged.")
    return RedirectResponse(f"/purchases/{ref}", status_code=303)


def _pending_of(session: Session, user: User, ref: str) -> tuple[Contract, Payment | None]:
    contract = require_own_purchase(session, user, ref)
    return contract, pending_payment(contract)


def _gone(request: Request, contract: Contract) -> Response:
    """A return from the gateway for a payment no longer pending: say why, change nothing."""
    last = contract.payments[-1] if contract.payments else None
    if last is not None and last.status in NO_LONGER_PENDING:
        flash(request, NO_LONGER_PENDING[last.status], "error")
    return RedirectResponse(f"/purchases/{contract.ref}", status_code=303)


@router.api_route("/purchases/{ref}/accept", methods=["GET", "POST"])
@writes_on_get
def accept(request: Request, session: DbSession, user: CurrentUser, ref: str) -> Response:
    """Where a gateway sends the buyer back after approving (PayPal: GET with its token)."""
    contract, payment = _pending_of(session, user, ref)
    if payment is None:
        return _gone(request, contract)
    params = dict(request.query_params)
    try:
        approved = approve_payment(session, payment, _gateway(request, payment), params, utcnow())
    except PaymentHeld as held:
        # Taken and held: kept pending (committed), no longer expiring.
        flash(request, f"{held}.", "error")
        return RedirectResponse(f"/purchases/{ref}", status_code=303)
    except PaymentFailed as failure:
        # Still pending: the buyer may try again until it expires.
        session.rollback()
        flash(request, f"The payment did not go through: {failure}", "error")
        return RedirectResponse(f"/purchases/{ref}", status_code=303)
    if not approved:
        return _gone(request, contract)
    back = take_client_redirect(request, ref)
    if back is not None:
        # Started with WStore's contracting form: the buyer goes back to the client.
        return RedirectResponse(back, status_code=303)
    flash(request, "Payment confirmed: the purchase is yours.")
    return RedirectResponse(f"/purchases/{ref}", status_code=303)


@router.api_route("/purchases/{ref}/cancel", methods=["GET", "POST"])
@writes_on_get
def cancel(request: Request, session: DbSession, user: CurrentUser, ref: str) -> Response:
    contract, payment = _pending_of(session, user, ref)
    if payment is None:
        return _gone(request, contract)
    if is_held(payment):
        # The money is taken: only the gateway's verdict ends the payment.
        flash(request, f"{HELD}.", "error")
        return RedirectResponse(f"/purchases/{ref}", status_code=303)
    if not cancel_payment(session, payment, _gateway(request, payment), utcnow()):
        return _gone(request, contract)
    # A renewal's payment cancelled leaves the purchase as it was.
    if contract.state == ContractState.CANCELLED:
        outcome = "nothing was charged and the purchase is cancelled"
    else:
        outcome = "nothing was charged; the renewal is still due"
    flash(request, f"Payment canceled: {outcome}.", "error")
    return RedirectResponse(f"/purchases/{ref}", status_code=303)


@router.get("/payments/sandbox/{gateway_ref}")
def sandbox_checkout(
    request: Request, session: DbSession, user: CurrentUser, gateway_ref: str
) -> Response:
    payment = session.scalar(
        select(Payment).where(Payment.gateway == "sandbox", Payment.gateway_ref == gateway_ref)
    )
    if payment is None:
        raise NotFound("Payment")
    contract = session.get_one(Contract, payment.contract_id)
    if contract.customer_id != user.id:
        raise Forbidden("You are not the buyer of this purchase")
    context = {
        "payment": payment,
        "contract": contract,
        "offering": _offering(session, contract),
        "is_pending": payment.status == PaymentStatus.PENDING,
    }
    return render(request, "commerce/sandbox.html", context)


@router.get("/sales")
def sales(request: Request, session: DbSession, user: CurrentUser) -> Response:
    provider_ids = administered_provider_ids(session, user)
    if not provider_ids:
        raise Forbidden("You are not a data administrator of any provider")
    contracts = sales_of(session, provider_ids)
    return render(
        request, "commerce/sales.html", {"contracts": contracts, "classes": STATE_CLASSES}
    )
