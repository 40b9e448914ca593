"""Invoice downloads and the invoices page: the buyer's, each administered seller's, and for
site admins the ones still without a PDF, with a button that renders one again."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response, StreamingResponse

from mercato.accounts.models import Provider
from mercato.accounts.rules import administered_providers
from mercato.accounts.web.auth import CurrentUser
from mercato.commerce import invoices
from mercato.commerce.invoice_models import RenderStatus
from mercato.db import utcnow
from mercato.dependencies import AppSettings, DbSession
from mercato.store.assets import local_files
from mercato.web.pagination import PageNumber, pages
from mercato.web.rendering import flash, render

router = APIRouter(include_in_schema=False)
PAGE = "/invoices"
RETRY_AFTER_SECONDS = 5
PENDING = "The invoice is being rendered; try again in a few seconds."
FAILED = "The invoice could not be rendered; the store's administrators can render it again."


@router.get("/invoices/{number}.pdf")
def download_invoice(
    number: str, session: DbSession, user: CurrentUser, settings: AppSettings
) -> Response:
    """The PDF for the buyer, the seller's data administrators and admins; 404 for others."""
    invoice = invoices.require_invoice(session, user, number)
    if invoice.status is RenderStatus.PENDING:
        body = {"status": invoice.status.value, "detail": PENDING}
        return JSONResponse(body, 202, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
    if invoice.status is RenderStatus.FAILED or not invoice.pdf_key:
        return JSONResponse({"status": invoice.status.value, "detail": FAILED}, 409)
    return StreamingResponse(
        local_files(settings).storage.open(invoice.pdf_key),
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{invoice.number}.pdf"',
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.get(PAGE)
def invoices_page(
    request: Request,
    session: DbSession,
    settings: AppSettings,
    user: CurrentUser,
    page: PageNumber = 1,
    seller: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    """The invoices to the user, or (``seller``) those of a provider they administer
    (403 for others): one page at a time, newest first."""
    size = settings.page_size
    sellers = administered_providers(session, user)
    if seller is None:
        shown, total = invoices.buyer_invoices(session, user, page=page, page_size=size)
    else:
        shown, total = invoices.seller_invoices(session, user, seller, page=page, page_size=size)
    context = {
        "shown": shown,
        "total": total,
        "pages": pages(request.query_params, page, total, size),
        "sellers": sellers,
        "seller": session.get(Provider, seller) if seller is not None else None,
        "unrendered": invoices.unrendered_invoices(session, user) if user.is_admin else [],
    }
    return render(request, "commerce/invoices.html", context)


@router.post("/invoices/{number}/render")
def render_invoice_again(
    request: Request, number: str, session: DbSession, user: CurrentUser
) -> Response:
    invoice = invoices.require_invoice(session, user, number)
    invoices.render_again(session, user, invoice, utcnow())
    flash(request, f"Invoice {invoice.number} will be rendered again.")
    return RedirectResponse(PAGE, status_code=303)
