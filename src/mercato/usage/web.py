"""The customer's usage page of a purchase: its usage records, charged or pending, what
the charges made of them cost and what the pending use would cost now."""

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mercato.accounts.web.auth import CurrentUser
from mercato.commerce.contracts import require_own_purchase
from mercato.commerce.models import Contract, ContractCharge
from mercato.commerce.registry import registered_units
from mercato.dependencies import DbSession
from mercato.usage.charging import priced_pending
from mercato.usage.limits import describe, limits_of
from mercato.usage.models import StoppedCharge, UsageRecord
from mercato.usage.records import contract_plan, metered
from mercato.web.rendering import render

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 100


def metered_ids(session: Session, contracts: list[Contract]) -> set[int]:
    """The purchases whose plan charges for use (they have a usage page)."""
    units = registered_units(session)
    return {c.id for c in contracts if metered(contract_plan(c), units).any}


def _counts(session: Session, contract: Contract) -> tuple[int, int]:
    pending = UsageRecord.charged_at.is_(None)
    row = session.execute(
        select(func.count(), func.count().filter(pending)).where(
            UsageRecord.contract_id == contract.id
        )
    ).one()
    return row[0], row[1]


@router.get("/purchases/{ref}/usage")
def usage_page(
    request: Request, session: DbSession, user: CurrentUser, ref: str, page: int = 1
) -> Response:
    contract = require_own_purchase(session, user, ref)
    page = max(page, 1)
    records = session.scalars(
        select(UsageRecord)
        .where(UsageRecord.contract_id == contract.id)
        .order_by(UsageRecord.id.desc())
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    ).all()
    charge_ids = {r.charge_id for r in records if r.charge_id is not None}
    charges = {
        c.id: c
        for c in session.scalars(select(ContractCharge).where(ContractCharge.id.in_(charge_ids)))
    }
    total, pending = _counts(session, contract)
    estimate, _ = priced_pending(session, contract) if pending else (None, None)
    context = {
        "contract": contract,
        "records": records,
        "charges": charges,
        "total": total,
        "pending": pending,
        "estimate": estimate,
        "page": page,
        "pages": max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
        "stopped": session.get(StoppedCharge, contract.id),
        "limits": [describe(limit) for limit in limits_of(session, user.id)],
    }
    return render(request, "usage/usage.html", context)
