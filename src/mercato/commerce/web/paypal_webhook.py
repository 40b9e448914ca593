"""PayPal's webhook: ``POST /payments/paypal/webhook``, the URL registered in the PayPal app.

Anyone can post here, so nothing is believed until PayPal verifies the event; a
verified one goes to the hooks in ``app.state.paypal_hooks`` (the payment flow
settles payments through them) within one database transaction. PayPal retries
whatever is not answered 2xx, so an outage on our side (or PayPal's verification
being down) answers 502 and the event comes again.
"""

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from mercato.commerce.payments import paypal
from mercato.dependencies import DbSession
from mercato.errors import Invalid

PATH = "/payments/paypal/webhook"
# PayPal's events are a few kilobytes; a post larger than this is not one.
MAX_EVENT_BYTES = 256 * 1024

WebhookHook = Callable[[Session, paypal.WebhookEvent], None]

router = APIRouter(include_in_schema=False)


async def _event_body(request: Request) -> bytes | None:
    """The body as sent (PayPal verifies it byte for byte); None when too large."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_EVENT_BYTES:
            return None
    return bytes(body)


@router.post(PATH)
def paypal_webhook(
    request: Request,
    body: Annotated[bytes | None, Depends(_event_body)],
    session: DbSession,
) -> JSONResponse:
    if body is None:
        message = f"is larger than {MAX_EVENT_BYTES} bytes"
        return JSONResponse({"error": {"body": [message]}}, status_code=413)
    try:
        event = paypal.webhook_event(request.app.state.paypal, request.headers, body)
    except Invalid as refused:
        return JSONResponse({"error": refused.errors}, status_code=400)
    except paypal.PayPalError as error:
        return JSONResponse({"error": str(error)}, status_code=502)
    hooks: list[WebhookHook] = request.app.state.paypal_hooks
    for hook in hooks:
        hook(session, event)
    return JSONResponse({"id": event.event_id, "event_type": event.event_type})
