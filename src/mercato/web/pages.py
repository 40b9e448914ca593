"""Pages that belong to no single area: error pages and the login redirect."""

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException

from mercato.errors import Forbidden, Invalid, MercatoError, NotFound, Unprocessable
from mercato.web.rendering import render

router = APIRouter(include_in_schema=False)


def error_page(request: Request, error: MercatoError) -> Response:
    if isinstance(error, NotFound):
        return render(request, "error.html", {"title": "Not found", "message": str(error)}, 404)
    if isinstance(error, Forbidden):
        message = "You are not allowed to do this."
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
