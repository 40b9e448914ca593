"""Customer pages: ordering an offer into a project, and an order's page."""

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from mercato.accounts.models import User
from mercato.accounts.web.auth import CurrentUser
from mercato.catalogue import rules as catalogue
from mercato.catalogue.fulfilment import Fulfilment, external_url, fulfilment
from mercato.catalogue.models import Offer
from mercato.dependencies import DbSession
from mercato.errors import Invalid
from mercato.ordering.customer_views import customer_messages, require_own_order, write_message
from mercato.ordering.models import Order
from mercato.ordering.orders import place_order
from mercato.ordering.projects import projects_of
from mercato.ordering.web import order_form
from mercato.ordering.web.projects import page
from mercato.web.forms import SubmittedForm
from mercato.web.rendering import flash

router = APIRouter(include_in_schema=False)

_PLACED = {
    Fulfilment.READY: "“{offer}” has been added to project “{project}”: it is ready to use.",
    Fulfilment.OMS: "Your order of “{offer}” has been placed in project “{project}”.",
}


def _elsewhere(request: Request, offer: Offer) -> Response:
    """Offers ordered on the provider's own website: send the customer there."""
    url = external_url(offer)
    if url:
        return RedirectResponse(url, status_code=303)
    message = f"“{offer.name}” is ordered directly with {offer.service.provider.name}."
    return page(request, "error.html", {"title": "Ordered with the provider", "message": message})


def _order_form_page(
    request: Request,
    session: Session,
    user: User,
    offer: Offer,
    form: FormData,
    errors: dict[str, str] | None = None,
) -> Response:
    projects = projects_of(session, user)
    default_project = str(projects[0].id) if projects else order_form.NEW_PROJECT
    context = {
        "offer": offer,
        "service": offer.service,
        "controls": order_form.controls(offer.parameters),
        "is_ready_at_once": fulfilment(offer) == Fulfilment.READY,
        "projects": projects,
        "new_project": order_form.NEW_PROJECT,
        "chosen_project": str(form.get("project", default_project)),
        "form": form,
        "errors": {name: [message] for name, message in (errors or {}).items()},
    }
    return page(request, "ordering/order_form.html", context, 400 if errors else 200)


@router.get("/services/{slug}/offers/{iid}/order")
def order_offer(
    request: Request, session: DbSession, user: CurrentUser, slug: str, iid: str
) -> Response:
    offer = catalogue.require_orderable_offer(session, slug, iid)
    if fulfilment(offer) == Fulfilment.EXTERNAL:
        return _elsewhere(request, offer)
    return _order_form_page(request, session, user, offer, FormData())


@router.post("/services/{slug}/offers/{iid}/order")
def place(
    request: Request,
    session: DbSession,
    user: CurrentUser,
    slug: str,
    iid: str,
    submitted: SubmittedForm,
) -> Response:
    offer = catalogue.require_orderable_offer(session, slug, iid)
    how = fulfilment(offer)
    if how == Fulfilment.EXTERNAL:
        return _elsewhere(request, offer)
    values = order_form.submitted_values(offer.parameters, submitted)
    problems = order_form.value_errors(offer.parameters, values)
    try:
        project = order_form.chosen_project(session, user, submitted)
    except Invalid as error:
        problems |= error.details
    if problems:
        session.rollback()  # a new project must not outlive the refused order
        return _order_form_page(request, session, user, offer, submitted, problems)
    wanted = order_form.order_request(submitted, values, how == Fulfilment.OMS)
    order = place_order(session, user, project, offer, wanted)
    flash(request, _PLACED[how].format(offer=offer.name, project=project.name))
    return RedirectResponse(_order_path(order), status_code=303)


def _order_path(order: Order) -> str:
    return f"/projects/{order.project_id}/orders/{order.iid}"


def _order_page(
    request: Request, session: Session, order: Order, draft: str = "", error: str = ""
) -> Response:
    context = {
        "order": order,
        "project": order.project,
        "offer": order.offer,
        "messages": customer_messages(session, order.project, order),
        "draft": draft,
        "errors": {"message": [error]} if error else {},
    }
    return page(request, "ordering/order.html", context, 400 if error else 200)


@router.get("/projects/{project_id}/orders/{iid}")
def order_page(
    request: Request, session: DbSession, user: CurrentUser, project_id: int, iid: int
) -> Response:
    return _order_page(request, session, require_own_order(session, user, project_id, iid))


@router.post("/projects/{project_id}/orders/{iid}/messages")
def write_on_order(
    request: Request,
    session: DbSession,
    user: CurrentUser,
    project_id: int,
    iid: int,
    submitted: SubmittedForm,
) -> Response:
    order = require_own_order(session, user, project_id, iid)
    content = str(submitted.get("message", ""))
    try:
        write_message(session, user, order.project, order, content)
    except Invalid as error:
        session.rollback()
        return _order_page(request, session, order, content, error.details["content"])
    flash(request, "Your message has been sent.")
    return RedirectResponse(_order_path(order) + "#conversation", status_code=303)
