"""Rendering pages: one Jinja2 environment, the layout's context, flash messages."""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from mercato.catalogue import quantity_prices
from mercato.web import TEMPLATES_DIR

templates = Jinja2Templates(directory=str(TEMPLATES_DIR))


def _day(moment: datetime) -> str:
    return moment.strftime("%d %b %Y")


templates.env.filters["day"] = _day
# An order's quantities and their prices, wherever an order is shown.
templates.env.filters["quantity_prices"] = quantity_prices.ordered_prices
templates.env.filters["price_totals"] = quantity_prices.totals


class _Token:
    """The CSRF token, asked for only if the page shows it: a page that does not can be
    kept for every visitor (mercato.kept_answers)."""

    def __init__(self, token: Callable[[], str]) -> None:
        self._token = token

    def __str__(self) -> str:
        return self._token()


def flash(request: Request, message: str, kind: str = "success") -> None:
    """Queue a message for the next page this browser sees."""
    request.session.setdefault("flashes", []).append({"kind": kind, "message": message})


def render(
    request: Request, template: str, context: dict[str, Any] | None = None, status: int = 200
) -> HTMLResponse:
    csrftoken = request.scope.get("csrftoken")
    base = {
        "current_user": getattr(request.state, "user", None),
        "administers_providers": getattr(request.state, "administers_providers", False),
        "sees_order_queue": getattr(request.state, "sees_order_queue", False),
        "is_site_admin": getattr(request.state, "is_site_admin", False),
        "csrftoken": _Token(csrftoken) if csrftoken else "",
        "flashes": request.session.pop("flashes", []),
    }
    return templates.TemplateResponse(
        request, template, {**base, **(context or {})}, status_code=status
    )
