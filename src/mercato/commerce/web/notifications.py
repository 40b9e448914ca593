"""Providers' purchase notification log, for their data administrators and site admins,
with Redeliver."""

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from mercato.accounts.web.auth import CurrentUser
from mercato.commerce import notifications
from mercato.db import utcnow
from mercato.dependencies import AppSettings, DbSession
from mercato.ordering.models import DeliveryStatus
from mercato.web.pagination import PageNumber, pages
from mercato.web.rendering import flash, render

router = APIRouter(include_in_schema=False)
PAGE = "/notifications"


@router.get(PAGE)
def notification_log(
    request: Request,
    session: DbSession,
    settings: AppSettings,
    user: CurrentUser,
    page: PageNumber = 1,
) -> Response:
    shown, total = notifications.notifications_page(
        session, user, page=page, page_size=settings.page_size
    )
    context = {
        "notifications": shown,
        "total": total,
        "pending": DeliveryStatus.PENDING,
        "pages": pages(request.query_params, page, total, settings.page_size),
    }
    return render(request, "commerce/notifications.html", context)


@router.post(PAGE + "/{notification_id}/redeliver")
def redeliver(
    request: Request, session: DbSession, user: CurrentUser, notification_id: int
) -> Response:
    notification = notifications.require_notification(session, user, notification_id)
    notifications.redeliver(session, notification, utcnow())
    flash(request, f"Notification {notification.id} will be sent again.")
    return RedirectResponse(PAGE, status_code=303)
