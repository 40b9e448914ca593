"""What the catalogue's pages show of an offer that is sold (a store offering with price
plans, not open): its plans, what the chosen one costs now (``purchases.estimate``), and
where it is bought. The ordering and catalogue packages cannot import commerce; the app
hands these functions to their pages."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from mercato.accounts.models import User
from mercato.catalogue.models import OfferStatus, Service
from mercato.commerce.plan_tables import PlanTable, plan_tables
from mercato.commerce.purchases import Estimate, estimate
from mercato.errors import Invalid, NotFound
from mercato.store.models import StoreOffering
from mercato.store.web.common import offering_url


@dataclass(frozen=True)
class OrderPricing:
    """The plans of a sold offer on its order form, the chosen one's label, and its
    estimate (None, with ``error``, when the label names no plan)."""

    plans: tuple[tuple[str, PlanTable], ...]
    chosen: str
    estimate: Estimate | None
    error: str
    acquire_url: str

    def checkout_url(self, project_id: int) -> str:
        """The acquire form with the plan and the project already chosen."""
        query = urlencode({"plan_label": self.chosen, "project": project_id})
        return f"{self.acquire_url}?{query}"


def _is_sold(offering: StoreOffering) -> bool:
    published = offering.offer.status == OfferStatus.PUBLISHED
    return published and bool(offering.price_plans) and not offering.is_open


def order_pricing(
    session: Session, buyer: User, offer_id: int, label: str | None, now: datetime
) -> OrderPricing | None:
    """The pricing of the offer's order form; None for offers that are not sold."""
    offering = session.scalar(select(StoreOffering).where(StoreOffering.offer_id == offer_id))
    if offering is None or not _is_sold(offering):
        return None
    plans = offering.price_plans
    chosen = label or str(plans[0].get("label", ""))
    found, error = None, ""
    try:
        found = estimate(session, buyer, offering, chosen, now)
    except Invalid as problem:
        error = problem.details.get("plan_label", str(problem))
    except NotFound as problem:  # the plan's currency was removed from the registry
        error = str(problem)
    labels = [str(plan.get("label", "")) for plan in plans]
    return OrderPricing(
        tuple(zip(labels, plan_tables(session, plans), strict=True)),
        chosen,
        found,
        error,
        offering_url(offering, "acquire"),
    )


def acquire_urls(session: Session, offer_ids: Sequence[int]) -> dict[int, str]:
    """Where each sold offer among ``offer_ids`` is bought, by offer id (one query)."""
    if not offer_ids:
        return {}
    offerings = session.scalars(
        select(StoreOffering)
        .where(StoreOffering.offer_id.in_(offer_ids))
        .options(
            joinedload(StoreOffering.offer),
            joinedload(StoreOffering.service).joinedload(Service.provider),
        )
    ).all()
    return {o.offer_id: offering_url(o, "acquire") for o in offerings if _is_sold(o)}
