"""Mercato's usage API (``/api/v1``): metered usage in batches and customers'
expenditure limits. ``X-User-Token`` authenticates; errors are
``{"error": {"<field>": ["<message>"]}}`` (or a text), as the other ``/api/v1`` APIs."""

from decimal import Decimal
from typing import Any

import orjson
from fastapi import APIRouter, Response
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy.orm import Session

from mercato.accounts.models import User
from mercato.api.eosc import EoscError, RawBody, TokenUser, eosc_error_for
from mercato.commerce.contracts import find_purchase
from mercato.commerce.models import Contract
from mercato.db import utcnow
from mercato.dependencies import DbSession
from mercato.errors import Forbidden, MercatoError, NotFound
from mercato.usage import batches, limits
from mercato.usage.models import ExpenditureLimit, LimitPeriod
from mercato.usage.sdrs import check_poster

router = APIRouter(tags=["Usage"])
USAGE = "/api/v1/purchases/{ref}/usage"
LIMITS = "/api/v1/users/{user}/expenditure-limits"
_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "A field is wrong: `{error: {<field>: [<message>]}}`"},
    401: {"description": "`X-User-Token` is missing or matches no user"},
    403: {"description": "The caller may not do this"},
    404: {"description": "No such purchase or user"},
}


def _refused(error: MercatoError) -> EoscError:
    return eosc_error_for(error)


def _json(content: Any) -> Response:
    return Response(orjson.dumps(content), media_type="application/json")


def _purchase(session: Session, ref: str) -> Contract:
    try:
        return find_purchase(session, ref)
    except NotFound as error:
        raise _refused(error) from None


class UsageRecordIn(BaseModel):
    transaction_id: str = Field(max_length=batches.MAX_ID, description="The meter's id of it")
    unit: str = Field("", description="A pay-per-use (or deduction) component's unit")
    component_label: str = Field("", description="Or a price-function usage variable")
    value: str | float = Field(description="The use measured: a number or numeric text")
    time_stamp: str | None = Field(None, description="ISO 8601; default now; naive is UTC")


class UsageBatchIn(BaseModel):
    records: list[UsageRecordIn] = Field(max_length=batches.MAX_RECORDS)


def _batch_doc() -> dict[str, Any]:
    schema = UsageBatchIn.model_json_schema(ref_template="#/components/schemas/{model}")
    schema.pop("$defs", None)
    schema["properties"]["records"]["items"] = {"$ref": "#/components/schemas/UsageRecordIn"}
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


@router.post(
    USAGE,
    responses={200: {"description": "`{new, duplicate, records: [{transaction_id, status}]}`"}}
    | _ERRORS,
    summary="Send metered usage of a purchase (up to 1000 records)",
    description="Body: `{records: [{transaction_id, unit?, component_label?, value, "
    "time_stamp?}]}`, at most 1000 records (more: 400 naming `records`). Each record's "
    "`unit` must be a pay-per-use or deduction component's unit of the plan bought (any "
    "case) or its `component_label` a price-function usage variable. `transaction_id` "
    "(up to 128 characters) is the meter's own id: a record whose id the purchase already "
    "has is a no-op, never charged twice, also when identical batches race. Answers 200 "
    "with each record's `status` (`new` or `duplicate`) in the order sent and the counts. "
    "One bad record refuses the whole batch (400 naming it, e.g. `records.3.value`), "
    "nothing stored. Only the offering's provider (its data administrators) or a site "
    "admin may send. The records are charged by the worker's usage sweep (plans without "
    "subscriptions) or at renewal.",
    openapi_extra=_batch_doc(),
)
def post_usage(ref: str, user: TokenUser, raw: RawBody, session: DbSession) -> Response:
    contract = _purchase(session, ref)
    try:
        check_poster(session, user, contract)
    except Forbidden as error:
        raise _refused(error) from None
    try:
        document = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise EoscError(400, "The request body is not valid JSON") from None
    try:
        records = batches.check_batch(document)
        outcome = batches.ingest(session, contract, records, utcnow())
    except MercatoError as error:
        raise _refused(error) from None
    return _json(
        {
            "new": outcome.new,
            "duplicate": len(outcome.statuses) - outcome.new,
            "records": [{"transaction_id": t, "status": s} for t, s in outcome.statuses],
        }
    )


# --- expenditure limits -------------------------------------------------------------------


class LimitIn(BaseModel):
    period: LimitPeriod
    currency: str = Field(min_length=1, max_length=32)
    max_amount: str = Field(pattern=r"^\d+(\.\d+)?$", description="A decimal, e.g. `100.00`")


class LimitsIn(BaseModel):
    limits: list[LimitIn] = Field(max_length=40)


def _holder(session: Session, caller: User, user: str) -> User:
    """``me`` or a user id; a customer sees and sets their own, a site admin anyone's."""
    held = caller if user == "me" else session.get(User, int(user)) if user.isdigit() else None
    if held is None:
        raise EoscError(404, "User not found")
    if held.id != caller.id and not caller.is_admin:
        raise _refused(Forbidden())
    return held


def _limits_json(rows: list[ExpenditureLimit]) -> dict[str, Any]:
    return {
        "limits": [
            {"period": r.period.value, "currency": r.currency, "max_amount": str(r.max_amount)}
            for r in rows
        ]
    }


@router.get(
    LIMITS,
    responses=_ERRORS,
    summary="A customer's expenditure limits",
    description="`user` is `me` or a user id (site admins). `{limits: [{period, currency, "
    "max_amount}]}`; `period` is `transaction`, `day`, `week` (from Monday) or `month` "
    "(calendar periods, UTC).",
)
def get_limits(user: str, caller: TokenUser, session: DbSession) -> Response:
    return _json(_limits_json(limits.limits_of(session, _holder(session, caller, user).id)))


def _limits_body(raw: bytes) -> LimitsIn:
    try:
        return LimitsIn.model_validate_json(raw or b"{}")
    except ValidationError as error:
        problems = {
            ".".join(str(p) for p in e["loc"]) or "body": [e["msg"]] for e in error.errors()
        }
        raise EoscError(400, problems) from None


@router.put(
    LIMITS,
    responses=_ERRORS,
    summary="Set a customer's expenditure limits",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": LimitsIn.model_json_schema()}},
        }
    },
    description="Body `{limits: [{period, currency, max_amount}]}` replaces all the "
    "customer's limits (`[]` removes them). A charge (pay per use, renewal) that would "
    "take the customer over a limit is not made: the customer gets a message on the "
    "purchase's order, and a renewal asked for answers WStore's `There is not enough "
    "balance. Check your expenditure limits`. Exactly at a limit is allowed.",
)
def put_limits(user: str, caller: TokenUser, raw: RawBody, session: DbSession) -> Response:
    body = _limits_body(raw)
    held = _holder(session, caller, user)
    given = [limits.LimitData(g.period, g.currency, Decimal(g.max_amount)) for g in body.limits]
    try:
        rows = limits.set_limits(session, held.id, given)
    except MercatoError as error:
        raise _refused(error) from None
    return _json(_limits_json(rows))
