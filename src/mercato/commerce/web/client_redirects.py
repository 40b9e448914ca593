"""Where a browser purchase started with WStore's contracting form ends: the form's
``redirect_uri`` (store-ge.md §4.4 ``client_redirection_uri``). The form is consumed when
the purchase is made; a purchase that waits for a gateway keeps the address in the
buyer's session (a signed cookie) until the buyer comes back from paying."""

from fastapi import Request

_KEY = "client_redirects"


def keep_client_redirect(request: Request, ref: str, uri: str) -> None:
    request.session.setdefault(_KEY, {})[ref] = uri


def take_client_redirect(request: Request, ref: str) -> str | None:
    """The address kept for the purchase, forgotten: used once."""
    kept: dict[str, str] = request.session.get(_KEY, {})
    uri = kept.pop(ref, None)
    if not kept:
        request.session.pop(_KEY, None)
    return uri
