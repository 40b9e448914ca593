"""Customer pages: "My projects", creating a project, a project's orders and conversation."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from mercato.accounts.web.auth import CurrentUser
from mercato.dependencies import DbSession
from mercato.errors import Invalid
from mercato.ordering.customer_views import customer_messages, orders_in, write_message
from mercato.ordering.models import Project
from mercato.ordering.projects import country_names, create_project, projects_of
from mercato.ordering.projects import require_own_project as own_project
from mercato.ordering.web import project_form
from mercato.web.forms import SubmittedForm, local_path
from mercato.web.rendering import flash, render

router = APIRouter(include_in_schema=False)

STATUS_NAMES = {
    "created": "Created",
    "registered": "Registered",
    "in_progress": "In progress",
    "waiting_for_response": "Waiting for response",
    "approved": "Approved",
    "ready": "Ready",
    "rejected": "Rejected",
    "closed": "Closed",
}
ROLE_NAMES = {"user": "Customer", "provider": "Provider", "mediator": "Operations team"}
# Words the project and order pages share.
VOCABULARY = {
    "typology_names": project_form.TYPOLOGY_NAMES,
    "status_names": STATUS_NAMES,
    "role_names": ROLE_NAMES,
}


def page(request: Request, template: str, context: dict[str, Any], status: int = 200) -> Response:
    return render(request, template, {**VOCABULARY, **context}, status)


@router.get("/projects")
def my_projects(request: Request, session: DbSession, user: CurrentUser) -> Response:
    return page(request, "ordering/projects.html", {"projects": projects_of(session, user)})


def _project_form_page(
    request: Request,
    session: Session,
    form: FormData,
    next_path: str,
    errors: dict[str, str] | None = None,
) -> Response:
    countries = country_names()
    context = {
        "form": form,
        "next": next_path,
        "errors": {name: [message] for name, message in (errors or {}).items()},
        "domains": project_form.scientific_domain_names(session),
        "countries": countries,
        "country_options": [(name, name) for name in countries],
    }
    return page(request, "ordering/project_form.html", context, 400 if errors else 200)


@router.get("/projects/new")
def new_project(
    request: Request, session: DbSession, user: CurrentUser, next: str = ""
) -> Response:
    return _project_form_page(request, session, FormData(), local_path(next, ""))


@router.post("/projects/new")
def add_project(
    request: Request, session: DbSession, user: CurrentUser, submitted: SubmittedForm
) -> Response:
    next_path = local_path(str(submitted.get("next", "")), "")
    try:
        project = create_project(session, user, project_form.project_data(submitted))
    except Invalid as error:
        session.rollback()  # the page answers normally, so nothing may be committed after it
        return _project_form_page(request, session, submitted, next_path, error.details)
    flash(request, f"Project “{project.name}” has been created.")
    return RedirectResponse(next_path or f"/projects/{project.id}", status_code=303)


def _project_page(
    request: Request, session: Session, project: Project, draft: str = "", error: str = ""
) -> Response:
    context = {
        "project": project,
        "orders": orders_in(session, project),
        "messages": customer_messages(session, project, None),
        "draft": draft,
        "errors": {"message": [error]} if error else {},
    }
    return page(request, "ordering/project.html", context, 400 if error else 200)


@router.get("/projects/{project_id}")
def project(request: Request, session: DbSession, user: CurrentUser, project_id: int) -> Response:
    return _project_page(request, session, own_project(session, user, project_id))


@router.post("/projects/{project_id}/messages")
def write_on_project(
    request: Request,
    session: DbSession,
    user: CurrentUser,
    project_id: int,
    submitted: SubmittedForm,
) -> Response:
    shown = own_project(session, user, project_id)
    content = str(submitted.get("message", ""))
    try:
        write_message(session, user, shown, None, content)
    except Invalid as error:
        session.rollback()
        return _project_page(request, session, shown, content, error.details["content"])
    flash(request, "Your message has been sent.")
    return RedirectResponse(f"/projects/{shown.id}#conversation", status_code=303)
