"""WStore's accounting API (store-wire.md §10.7, store-ge.md §9): SDRs posted one at a
time by the offering's provider, read back by the buyer or an admin. The rules are
``mercato.usage.sdrs``; the pending use is charged by ``mercato.usage.charging``."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy.orm import Session

from mercato.commerce.contracts import find_purchase
from mercato.commerce.models import Contract
from mercato.commerce.wstore.routes import refused
from mercato.db import utcnow
from mercato.dependencies import DbSession
from mercato.errors import Forbidden, Invalid, NotFound
from mercato.store.wstore.wire import (
    JSON_BARE,
    Caller,
    JsonBody,
    WStoreError,
    entity,
    envelope,
    errors,
    parse_json,
)
from mercato.usage import sdrs

router = APIRouter(tags=["WStore: accounting"])
PATH = "/api/contracting/{ref}/accounting"


def _purchase(session: Session, ref: str) -> Contract:
    try:
        return find_purchase(session, ref)
    except NotFound:
        raise WStoreError(404, sdrs.NO_PURCHASE.format(ref)) from None


@router.post(
    PATH,
    responses=errors(400, 401, 403, 404, 415),
    summary="Account for use of a purchase (an SDR)",
    description="Body (all eight keys required): `{offering: {organization, name, "
    "version}, customer, time_stamp, correlation_number, record_type, unit, value, "
    "component_label}`. `time_stamp` is `YYYY-MM-DD HH:MM:SS.ffffff` or with a `T` (the "
    "fraction is required; read as UTC); `correlation_number` must be the purchase's last "
    "SDR number + 1 (the first is 1); `unit` must be a pay-per-use or deduction "
    "component's unit (case-sensitive) or `component_label` a price-function usage "
    "variable. 200 `OK`; failures 400 with WStore's texts. The 415 comes before the 401, "
    "as in WStore. **Fixed from WStore:** only the offering's provider (its data "
    "administrators) or a site admin may post: anyone else gets 403 `Forbidden` (WStore "
    "let any signed-in user account use to any purchase); an unknown purchase is 404 "
    "`There is not any purchase with reference <ref>` (WStore: 400 with a Django text); "
    "a `value` that is not a number is refused (400 `Invalid value: the value must be a "
    "number`) instead of breaking the charge later. Meters sending many records use "
    "`POST /api/v1/purchases/{ref}/usage` instead.",
)
def post_sdr(
    ref: str, received: JsonBody, user: Caller, request: Request, session: DbSession
) -> Response:
    document = parse_json(received.raw)
    if not isinstance(document, dict):
        raise WStoreError(400, sdrs.INVALID_JSON)
    contract = _purchase(session, ref)
    try:
        sdrs.check_poster(session, user, contract)
    except Forbidden:
        raise WStoreError(403, "Forbidden") from None
    try:
        sdrs.include_sdr(session, contract, document, utcnow())
    except Invalid as error:
        raise refused(error) from None
    return envelope(request, 200, "OK")


@router.get(
    PATH,
    responses=errors(400, 401, 403, 404),
    summary="A purchase's SDRs",
    description="The purchase's SDRs, charged ones first, then pending ones, each as "
    "posted with `time_stamp` as `YYYY-MM-DD HH:MM:SS[.ffffff]` (UTC). `from` skips "
    "earlier ones, `to` stops at the first later one, `label` keeps those whose "
    "`component_label` matches (any case); `from`/`to` take the posting formats (400 "
    '`Invalid "from" parameter, must be a datetime`). Records sent through the batch API '
    "appear too, without `offering`, with `correlation_number: null` and their "
    "`transaction_id`. Only the buyer or a site admin may read (403 `You are not "
    "authorized to read accounting info of the given purchase`).",
)
def get_sdrs(
    ref: str,
    user: Caller,
    session: DbSession,
    start: Annotated[str | None, Query(alias="from")] = None,
    end: Annotated[str | None, Query(alias="to")] = None,
    label: str | None = None,
) -> Response:
    contract = _purchase(session, ref)
    try:
        sdrs.check_reader(session, user, contract)
    except Forbidden as error:
        raise WStoreError(403, str(error)) from None
    try:
        found = sdrs.read_sdrs(
            session,
            contract,
            sdrs.parse_bound("from", start),
            sdrs.parse_bound("to", end),
            label,
        )
    except Invalid as error:
        raise refused(error) from None
    return entity(found, JSON_BARE)
