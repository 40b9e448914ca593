"""WStore's contracting API (store-wire.md §10.6, store-ge.md §4.4): buying an offering
with ``POST /api/contracting``, a purchase's renewal call and its gateway return pages,
answered through the store's wire helpers with WStore's texts in WStore's order.

Where WStore crashed (§11) these routes answer 400 ``Invalid JSON content``, 404
``Not found`` or 405 instead. Money is never a float here: amounts are Decimals in the
currency's minor unit, nothing is truncated (store-ge.md §14.7).
"""

import json
import re
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from mercato.accounts.models import User
from mercato.accounts.web.auth import CurrentUser
from mercato.catalogue.models import OfferStatus
from mercato.commerce import purchases, renewals
from mercato.commerce.contracting_forms import (
    form_id,
    is_redirect_uri,
    keep_form,
    take_redirect_uri,
)
from mercato.commerce.contracts import ADDRESS_FIELDS, TaxAddressData, find_purchase
from mercato.commerce.invoices import order_invoices
from mercato.commerce.models import Contract, ContractState
from mercato.commerce.payments.gateway import Gateway, Gateways, PaymentFailed
from mercato.commerce.wstore.routes import INVALID_JSON, NOT_FOUND, refused
from mercato.db import utcnow
from mercato.dependencies import AppSettings, DbSession
from mercato.errors import Conflict, Forbidden, Invalid, NotFound, Unprocessable
from mercato.ordering import idempotency
from mercato.ordering.projects import projects_of
from mercato.store.assets import asset_link, downloadable_asset_ids
from mercato.store.models import StoreOffering
from mercato.store.offerings import require_visible_described_offering, require_visible_offering
from mercato.store.wstore.wire import (
    JSON_BARE,
    Caller,
    JsonBody,
    WStoreError,
    entity,
    envelope,
    errors,
)

router = APIRouter(tags=["WStore: contracting"])
BASE = "/api/contracting"
CARD = "credit_card"
CARD_FIELDS = ("number", "type", "expire_year", "expire_month", "cvv2")
INVALID_CARD = "Invalid credit card info"
NO_CARDS = "Card payments are not taken: pay with one of "
FORM_NOT_PUBLISHED = "The offering cannot be purchased"
_FORM_ID = re.compile("[0-9a-f]{48}")


class _Methods(Gateways):
    """WStore's payment methods over the site's gateways: ``paypal`` and every other
    gateway by its name; ``credit_card`` refused where WStore checked the card, since
    Mercato never takes card data (its gateways take cards on their own pages)."""

    def __init__(self, gateways: Gateways, card: Any) -> None:
        super().__init__(list(gateways))
        self._card = card

    def get(self, name: str) -> Gateway:
        if name != CARD:
            return super().get(name)
        card = self._card
        if card is not None and not (
            isinstance(card, dict) and all(card.get(field) for field in CARD_FIELDS)
        ):
            raise Invalid.field("payment", INVALID_CARD)
        raise Invalid.field("payment", NO_CARDS + ", ".join(self.names()))


def _document(raw: bytes) -> dict[str, Any]:
    try:
        document = json.loads(raw.decode("utf-8", "replace"))
    except ValueError:
        raise WStoreError(400, INVALID_JSON) from None
    if not isinstance(document, dict):
        raise WStoreError(400, INVALID_JSON)
    return document


def _offering(session: Session, user: User, named: Any) -> StoreOffering:
    """The offering ``{organization, name, version}`` or its ``description_url`` (a
    string, as WStore reads it: ``Offering.objects.get(description_url=...)``); 400 when
    it is neither shape, 404 when no offering the caller sees is named."""
    fields = named if isinstance(named, dict) else {}
    parts = [fields.get(k) for k in ("organization", "name", "version")]
    if not isinstance(named, str) and not all(isinstance(part, str) for part in parts):
        raise WStoreError(400, INVALID_JSON)
    try:
        if isinstance(named, str):
            return require_visible_described_offering(session, user, named)
        return require_visible_offering(session, user, *parts)
    except NotFound:
        raise WStoreError(404, NOT_FOUND) from None


def _tax_address(given: Any) -> TaxAddressData | None:
    if given is None:
        return None
    fields = given if isinstance(given, dict) else {}
    return TaxAddressData(**{k: str(fields.get(k) or "") for k in ADDRESS_FIELDS})


def _project_id(session: Session, user: User, given: Any) -> int | None:
    """The body's ``project`` (Mercato's); without one, the buyer's only project."""
    if isinstance(given, int) and not isinstance(given, bool):
        return given
    owned = projects_of(session, user)
    return owned[0].id if len(owned) == 1 else None


def _wanted(session: Session, user: User, body: dict[str, Any]) -> purchases.PurchaseRequest:
    label = body.get("plan_label")
    return purchases.PurchaseRequest(
        gateway=body["payment"]["method"],
        project_id=_project_id(session, user, body.get("project")),
        plan_label=label if isinstance(label, str) and label else None,
        conditions_accepted=body.get("conditions_accepted") is True,
        tax_address=_tax_address(body.get("tax_address")),
    )


def _check_payment(body: dict[str, Any]) -> Any:
    payment = body.get("payment")
    if not isinstance(payment, dict) or not isinstance(payment.get("method"), str):
        raise WStoreError(400, INVALID_JSON)
    return payment.get(CARD)


def _done(
    session: Session, user: User, contract: Contract, offering: StoreOffering
) -> dict[str, Any]:
    """WStore's 201 body: the bought resources' links and the purchase's invoices."""
    assets = offering.assets if contract.state == ContractState.PAID else []
    allowed = downloadable_asset_ids(session, user, assets) if assets else set()
    bills = order_invoices(session, user, contract.order_id)
    return {
        "resources": [asset_link("", a) for a in assets if a.id in allowed],
        "bill": [f"/invoices/{invoice.number}.pdf" for invoice in bills],
    }


def _buy(
    request: Request,
    session: Session,
    settings: AppSettings,
    user: User,
    offering: StoreOffering,
    body: dict[str, Any],
) -> dict[str, Any]:
    methods = _Methods(request.app.state.gateways, _check_payment(body))
    try:
        bought = purchases.acquire(
            session,
            user,
            offering,
            _wanted(session, user, body),
            methods,
            base_url=settings.base_url,
            timeout=settings.payment_timeout,
            now=utcnow(),
        )
    except Forbidden:
        raise WStoreError(403, "Forbidden") from None
    except Invalid as error:
        raise refused(error) from None
    except NotFound:
        raise WStoreError(400, purchases.NO_PROJECT) from None
    except PaymentFailed as failure:
        raise WStoreError(400, str(failure)) from None
    if bought.redirect_url is not None:
        content = {"redirection_link": bought.redirect_url}
        status = 200
    else:
        content = _done(session, user, bought.contract, offering)
        status = 201
    back = take_redirect_uri(session, user.id, offering.offer_id)
    if back is not None:
        content["client_redirection_uri"] = back
    return {"status": status, "content": content}


def _key_refused(error: Invalid) -> WStoreError:
    """A malformed key 400; one in use, or used for another body, 409."""
    status = 409 if isinstance(error, Conflict | Unprocessable) else 400
    return WStoreError(status, f"{idempotency.KEY_HEADER} {refused(error).message}")


def _answer(request: Request, result: dict[str, Any]) -> Response:
    # WStore answers in the request's own media type (§0.6).
    return entity(result["content"], request.headers["content-type"], result["status"])


@router.post(
    BASE,
    status_code=201,
    responses={200: {"description": "Pay at `redirection_link`, then come back"}}
    | errors(400, 401, 403, 404, 415)
    | {409: {"description": "The `Idempotency-Key` is in use, or came with another body"}},
    summary="Buy an offering",
    description='Body: `{offering: {organization, name, version} | "<description_url>", '
    "plan_label?, "
    "conditions_accepted?, tax_address?: {street, postal, city, country}, payment: "
    "{method, credit_card?}, project?}`. `payment.method` is `paypal` (when the site offers "
    "PayPal) or the name of any gateway the site offers (`sandbox`, `offline`); "
    "`credit_card` is refused with 400 (`Invalid credit card info` for an incomplete card, "
    "else `Card payments are not taken: pay with one of <gateways>`): Mercato never takes "
    "card data. `project` (Mercato's) is the buyer's project the purchase goes to; without "
    "it, the buyer's only project. Done: 201 `{resources, bill}` (bill: the purchase's "
    "invoice PDFs, once made); a gateway to visit: 200 `{redirection_link}`. Both add "
    "`client_redirection_uri` (the form's `redirect_uri`, once) when the buyer started the "
    "purchase with `POST /api/contracting/form` for this offering. The answer's "
    "`Content-Type` is the request's. Fixed from WStore: undecodable JSON, a missing "
    "`offering`, `payment` or `payment.method` answer 400 `Invalid JSON content` and an "
    "unknown offering 404 `Not found` (WStore crashed with 500); amounts are exact "
    "decimals, not truncated floats. An `Idempotency-Key` header makes a retry answer as "
    "the first request did, without buying twice.",
)
def buy(
    user: Caller,
    received: JsonBody,
    request: Request,
    session: DbSession,
    settings: AppSettings,
) -> Response:
    body = _document(received.raw)
    offering = _offering(session, user, body.get("offering"))
    _check_payment(body)
    key = request.headers.get(idempotency.KEY_HEADER)
    held = None
    if key is not None:
        found = idempotency.fingerprint(request.method, request.url.path, body)
        lifetime = settings.idempotency_key_lifetime
        try:
            held = idempotency.claim_key(session, user, key, found, lifetime=lifetime)
        except Invalid as error:
            raise _key_refused(error) from None
        if held.result is not None:
            return _answer(request, held.result)
    result = _buy(request, session, settings, user, offering, body)
    if held is not None:
        idempotency.settle_key(session, held, result)
    return _answer(request, result)


@router.post(
    f"{BASE}/form",
    responses=errors(400, 401, 404, 415),
    summary="Start a purchase in the browser",
    description='Body: `{offering: {organization, name, version} | "<description_url>", '
    "redirect_uri}` (the string: the offering's `description_url`). Answers "
    "`{url}`: the page (`?ID=`, 48 hex digits) where the signed-in buyer goes on to the "
    "offering's acquire form. `redirect_uri` (an absolute http(s) URL) is kept: the "
    "buyer's next purchase of the offering uses it once: `POST /api/contracting` answers "
    "it as `client_redirection_uri`, and a purchase on the acquire form ends there (at "
    "once, or when the gateway's payment is approved). Fixed from WStore: undecodable "
    "JSON or a missing or invalid `redirect_uri` answer 400 `Invalid JSON content` "
    "(WStore crashed with 500).",
)
def start_form(user: Caller, received: JsonBody, request: Request, session: DbSession) -> Response:
    body = _document(received.raw)
    offering = _offering(session, user, body.get("offering"))
    redirect_uri = body.get("redirect_uri")
    if not is_redirect_uri(redirect_uri):
        raise WStoreError(400, INVALID_JSON)
    if offering.offer.status != OfferStatus.PUBLISHED:
        raise WStoreError(400, FORM_NOT_PUBLISHED)
    started = form_id(offering.offer_id, user.id)
    keep_form(session, started, user.id, offering.offer_id, redirect_uri, utcnow())
    url = str(request.url_for("form_page").include_query_params(ID=started))
    return entity({"url": url}, JSON_BARE)


@router.get(f"{BASE}/form", include_in_schema=False, name="form_page")
def form_page(
    given: Annotated[str, Query(alias="ID")], session: DbSession, user: CurrentUser
) -> Response:
    """The buyer of a started purchase goes on to the offering's acquire form."""
    found = _FORM_ID.fullmatch(given)
    offering = session.get(StoreOffering, int(given[:24], 16)) if found else None
    if offering is None or form_id(offering.offer_id, user.id) != given:
        raise NotFound("Purchase form")
    service = offering.service
    parts = (service.provider.slug, service.name, offering.version)
    path = "/store/offerings/" + "/".join(quote(part, safe="") for part in parts)
    return RedirectResponse(f"{path}/acquire", status_code=303)


def _own_purchase(session: Session, user: User, ref: str) -> Contract:
    """The purchase ``ref``: 404 when unknown, 403 when another's (WStore crashed with 500
    and checked no owner)."""
    try:
        contract = find_purchase(session, ref)
    except NotFound:
        raise WStoreError(404, NOT_FOUND) from None
    if contract.customer_id != user.id:
        raise WStoreError(403, "Forbidden")
    return contract


@router.put(
    f"{BASE}/{{ref}}",
    responses=errors(400, 401, 403, 404, 415),
    summary="Renew a purchase's subscriptions",
    description="Body: `{method, credit_card?}`. An unknown purchase answers 404 and "
    "another buyer's 403 (WStore crashed with 500 and checked no owner); undecodable JSON "
    "or a missing or unknown `method` 400 `Invalid JSON content`, as does a renewal that "
    "cannot be made (nothing due: WStore's `No subscriptions to renovate`), and it never "
    "deletes the purchase. Renewed: 200 `OK`; a gateway to visit (PayPal): 200 "
    "`{redirection_link}`, which WStore dropped, so its PayPal renewals never finished.",
)
def renew(
    ref: str,
    user: Caller,
    received: JsonBody,
    request: Request,
    session: DbSession,
    settings: AppSettings,
) -> Response:
    contract = _own_purchase(session, user, ref)
    body = _document(received.raw)
    method = body.get("method")
    gateways: Gateways = request.app.state.gateways
    if not isinstance(method, str) or method not in gateways.names():
        raise WStoreError(400, INVALID_JSON)
    try:
        renewal = renewals.renew(
            session,
            contract,
            gateways.get(method),
            utcnow(),
            base_url=settings.base_url,
            timeout=settings.payment_timeout,
        )
    except (Invalid, Conflict, PaymentFailed):
        # WStore answers every failed renewal with its one text; nothing was charged.
        raise WStoreError(400, INVALID_JSON) from None
    if renewal.redirect_url is not None:
        # WStore dropped this link, so PayPal renewals could never finish (§14.3).
        return _answer(
            request, {"status": 200, "content": {"redirection_link": renewal.redirect_url}}
        )
    return envelope(request, 200, "OK")


def _to_web(ref: str, step: str, request: Request) -> Response:
    query = f"?{request.url.query}" if request.url.query else ""
    return RedirectResponse(f"/purchases/{ref}/{step}{query}", status_code=307)


@router.get(f"{BASE}/{{ref}}/accept", include_in_schema=False)
def accept(ref: str, request: Request) -> Response:
    """Where PayPal sends the buyer back: the purchase's own return page takes the payment."""
    return _to_web(ref, "accept", request)


@router.get(f"{BASE}/{{ref}}/cancel", include_in_schema=False)
def cancel(ref: str, request: Request) -> Response:
    return _to_web(ref, "cancel", request)
