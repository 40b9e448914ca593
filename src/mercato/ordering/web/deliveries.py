"""An OMS's trigger delivery log, for its administrators and site admins, with Redeliver."""

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from mercato.accounts.web.auth import CurrentUser
from mercato.db import utcnow
from mercato.dependencies import AppSettings, DbSession
from mercato.ordering import triggers
from mercato.ordering.models import DeliveryStatus
from mercato.web.pagination import PageNumber, pages
from mercato.web.rendering import flash, render

router = APIRouter(include_in_schema=False)


@router.get("/omses/{oms_id}/deliveries")
def deliveries(
    request: Request,
    session: DbSession,
    settings: AppSettings,
    user: CurrentUser,
    oms_id: int,
    page: PageNumber = 1,
) -> Response:
    oms = triggers.require_oms_for_deliveries(session, user, oms_id)
    shown, total = triggers.oms_deliveries(session, oms, page=page, page_size=settings.page_size)
    context = {
        "oms": oms,
        "deliveries": shown,
        "total": total,
        "pending": DeliveryStatus.PENDING,
        "pages": pages(request.query_params, page, total, settings.page_size),
    }
    return render(request, "ordering/deliveries.html", context)


@router.post("/omses/{oms_id}/deliveries/{delivery_id}/redeliver")
def redeliver(
    request: Request, session: DbSession, user: CurrentUser, oms_id: int, delivery_id: int
) -> Response:
    oms = triggers.require_oms_for_deliveries(session, user, oms_id)
    delivery = triggers.require_delivery(session, oms, delivery_id)
    triggers.redeliver(session, delivery, utcnow())
    flash(request, f"Delivery {delivery.id} will be sent again.")
    return RedirectResponse(f"/omses/{oms_id}/deliveries", status_code=303)
