"""The order queue pages of operators and providers: filter orders, act on one."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from mercato.accounts.models import User
from mercato.accounts.web.auth import CurrentUser
from mercato.catalogue.browsing import providers_with_service_counts
from mercato.dependencies import AppSettings, DbSession
from mercato.errors import Invalid
from mercato.ordering import order_queue as queue
from mercato.ordering.access import can_update_order
from mercato.ordering.models import AuthorRole, MessageScope, Order, StatusType
from mercato.ordering.web.projects import ROLE_NAMES, STATUS_NAMES
from mercato.web.forms import SubmittedForm
from mercato.web.pagination import PageNumber, pages
from mercato.web.rendering import flash, render

router = APIRouter(include_in_schema=False)

SCOPE_NAMES = {
    "public": "Public",
    "internal": "Internal (staff only)",
    "user_direct": "Private to the customer",
}
VOCABULARY = {"status_names": STATUS_NAMES, "role_names": ROLE_NAMES, "scope_names": SCOPE_NAMES}


def _staff(session: DbSession, user: CurrentUser) -> User:
    queue.check_queue_access(session, user)
    return user


StaffUser = Annotated[User, Depends(_staff)]


def _filters(status: str, provider: str, oms: str) -> queue.QueueFilters:
    try:
        status_type = StatusType(status) if status else None
    except ValueError:
        raise Invalid.field("status", "is not a status") from None
    if oms and not oms.isdecimal():
        raise Invalid.field("oms", "is not an OMS id")
    return queue.QueueFilters(status_type, provider.strip(), int(oms) if oms else None)


@router.get("/queue")
def order_queue(
    request: Request,
    session: DbSession,
    settings: AppSettings,
    user: StaffUser,
    status: str = "",
    provider: str = "",
    oms: str = "",
    page: PageNumber = 1,
) -> Response:
    filters = _filters(status, provider, oms)
    listing = queue.queue_page(session, user, filters, page, settings.page_size)
    context = {
        **VOCABULARY,
        "listing": listing,
        "pages": pages(request.query_params, page, listing.total, settings.page_size),
        "providers": [p for p, _ in providers_with_service_counts(session)],
        "omses": queue.queue_omses(session, user),
        "chosen": {"status": status, "provider": provider, "oms": oms},
    }
    return render(request, "ordering/queue.html", context)


def _order_page(
    request: Request,
    session: Session,
    user: User,
    order: Order,
    errors: dict[str, list[str]] | None = None,
    draft: dict[str, str] | None = None,
) -> Response:
    messages = queue.conversation(session, order)
    context: dict[str, Any] = {
        **VOCABULARY,
        "order": order,
        "messages": queue.contents_shown(session, user, messages),
        "can_update": can_update_order(session, user, order),
        "audiences": queue.audiences(session, user, order),
        "statuses": queue.SETTABLE_STATUSES,
        "errors": errors or {},
        "draft": draft or {},
    }
    return render(request, "ordering/queue_order.html", context, 400 if errors else 200)


@router.get("/queue/{order_id}")
def queue_order(request: Request, session: DbSession, user: StaffUser, order_id: int) -> Response:
    return _order_page(request, session, user, queue.require_queue_order(session, user, order_id))


def _refused(
    request: Request, session: Session, user: User, order_id: int, error: Invalid, draft: Any
) -> Response:
    session.rollback()  # the page answers normally, so nothing may be committed after it
    order = queue.require_queue_order(session, user, order_id)
    return _order_page(request, session, user, order, error.errors, dict(draft))


def _back(request: Request, order: Order, message: str, anchor: str = "") -> Response:
    flash(request, message)
    return RedirectResponse(f"/queue/{order.id}{anchor}", status_code=303)


@router.post("/queue/{order_id}/status")
def change_status(
    request: Request, session: DbSession, user: StaffUser, order_id: int, form: SubmittedForm
) -> Response:
    order = queue.require_queue_order(session, user, order_id)
    try:
        status, value = str(form.get("status", "")), str(form.get("status_value", ""))
        queue.change_status(session, user, order, status, value)
    except Invalid as error:
        return _refused(request, session, user, order_id, error, form)
    return _back(request, order, f"Status set to “{order.status_value}”.")


@router.post("/queue/{order_id}/secrets")
def set_secret(
    request: Request, session: DbSession, user: StaffUser, order_id: int, form: SubmittedForm
) -> Response:
    order = queue.require_queue_order(session, user, order_id)
    key = str(form.get("secret_key", ""))
    try:
        queue.set_secret(session, user, order, key, str(form.get("secret_value", "")))
    except Invalid as error:
        return _refused(request, session, user, order_id, error, form)
    return _back(request, order, f"Secret “{key.strip()}” has been saved.")


def _audience(text: str) -> tuple[MessageScope, AuthorRole]:
    scope, _, role = text.partition(":")
    try:
        return MessageScope(scope), AuthorRole(role)
    except ValueError:
        raise Invalid.field("audience", "choose who may read the message") from None


@router.post("/queue/{order_id}/messages")
def write_message(
    request: Request, session: DbSession, user: StaffUser, order_id: int, form: SubmittedForm
) -> Response:
    order = queue.require_queue_order(session, user, order_id)
    try:
        scope, role = _audience(str(form.get("audience", "")))
        queue.write_message(session, user, order, scope, role, str(form.get("message", "")))
    except Invalid as error:
        # The page's own main element is `#content`, so the text box is called `message`.
        errors = {"message" if key == "content" else key: v for key, v in error.errors.items()}
        return _refused(request, session, user, order_id, Invalid(errors), form)
    return _back(request, order, "Your message has been sent.", "#conversation")
