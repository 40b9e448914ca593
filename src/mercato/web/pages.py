"""Pages that belong to no single area: error pages and the login redirect."""

from dataclasses import dataclass
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException

from mercato.errors import Forbidden, Invalid, MercatoError, NotFound, Unprocessable
from mercato.web.rendering import render

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class Confirmation:
    """A destructive action asked once more on its own page (``confirm.html``): the
    question, what it does, where its form posts and where "keep it" goes back to."""

    question: str
    consequences: list[str]
    action: str
    button: str
    cancel: str
    keep: str = "Cancel"
    crumbs: tuple[tuple[str, str], ...] = ()


def confirmation_page(request: Request, confirm: Confirmation) -> Response:
    return render(request, "confirm.html", {"confirm": confirm})


def error_page(request: Request, error: MercatoError) -> Response:
    if isinstance(error, NotFound):
        return render(request, "error.html", {"title": "Not found", "message": str(error)}, 404)
    if isinstance(error, Forbidden):
        # A rule that says who may do this and why is shown as it says it.
        reason = str(error)
        message = reason if reason not in ("", "Forbidden") else "You are not allowed to do this."
        return render(request, "error.html", {"title": "Not allowed", "message": message}, 403)
    if isinstance(error, Invalid):
        status = 422 if isinstance(error, Unprocessable) else 400
        return validation_error_page(request, error.errors, status)
    raise error


def validation_error_page(
    request: Request, problems: dict[str, list[str]], status: int = 400
) -> Response:
    context = {"title": "Please check your input", "problems": problems}
    return render(request, "error.html", context, status)


def http_error_page(request: Request, error: HTTPException) -> Response:
    titles = {404: "Page not found", 405: "Not allowed", 403: "Not allowed"}
    title = titles.get(error.status_code, "Something went wrong")
    return render(
        request, "error.html", {"title": title, "message": error.detail}, error.status_code
    )


def login_redirect(request: Request) -> Response:
    """To the login page, coming back here afterwards if "here" can be fetched again."""
    if request.method != "GET":
        return RedirectResponse("/login", status_code=303)
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?{urlencode({'next': here})}", status_code=303)
