"""Fetching a provider's Linked USDL document from its URL, capped in size and time."""

from collections.abc import Callable
from pathlib import PurePosixPath
from urllib.parse import urlsplit

import httpx

from mercato.errors import Invalid
from mercato.store.usdl.description import MAX_USDL_BYTES, OfferingDescription
from mercato.store.usdl.reading import parse_usdl, summary
from mercato.store.usdl.vocabulary import ALIASES, UsdlFormat

FETCH_TIMEOUT_SECONDS = 10.0

# --- fetching ---------------------------------------------------------------------

_SUFFIXES = {
    ".ttl": UsdlFormat.TURTLE,
    ".rdf": UsdlFormat.RDF_XML,
    ".xml": UsdlFormat.RDF_XML,
    ".n3": UsdlFormat.N3,
    ".jsonld": UsdlFormat.JSON_LD,
}


def fetch_usdl(
    url: str,
    fmt: str | None = None,
    *,
    timeout: float = FETCH_TIMEOUT_SECONDS,
    max_bytes: int = MAX_USDL_BYTES,
    check_address: Callable[[str], object] | None = None,
) -> OfferingDescription:
    """GET a USDL document (http or https only) and parse it.

    The body is read as a stream and dropped past ``max_bytes``; a refused,
    failed or slow fetch raises ``Invalid`` on ``description_url``.
    ``check_address`` sees the URL of every request, redirects included, and
    raises to refuse it (see ``mercato.outgoing``).
    """
    if urlsplit(url).scheme not in ("http", "https"):
        raise Invalid.field("description_url", "must be an http or https address")
    hooks = {"request": [lambda request: check_address(str(request.url))]} if check_address else {}
    try:
        with (
            httpx.Client(
                timeout=timeout, follow_redirects=True, max_redirects=3, event_hooks=hooks
            ) as client,
            client.stream("GET", url, headers={"Accept": _ACCEPT}) as response,
        ):
            if response.status_code != 200:
                raise Invalid.field(
                    "description_url", f"answered {response.status_code} instead of 200"
                )
            body = _read_capped(response, max_bytes)
            content_type = response.headers.get("content-type", "")
    except httpx.HTTPError as error:
        raise Invalid.field("description_url", f"could not be fetched: {summary(error)}") from None
    return parse_usdl(body, fmt or _format_of(url, content_type))


_ACCEPT = ", ".join(member.value for member in UsdlFormat)


def _read_capped(response: httpx.Response, max_bytes: int) -> bytes:
    body = bytearray()
    for chunk in response.iter_bytes():
        body += chunk
        if len(body) > max_bytes:
            raise Invalid.field("usdl", f"is larger than {max_bytes} bytes")
    return bytes(body)


def _format_of(url: str, content_type: str) -> str:
    media_type = content_type.split(";", 1)[0].strip().lower()
    if media_type in ALIASES:
        return media_type
    suffix = PurePosixPath(urlsplit(url).path).suffix.lower()
    if suffix in _SUFFIXES:
        return _SUFFIXES[suffix].value
    raise Invalid.field(
        "description_url", f"serves {media_type or 'no content type'}, not a USDL format"
    )
