"""Fetching a Linked USDL document from its URL (allow-listed, capped in size and time)."""

from pathlib import PurePosixPath
from urllib.parse import urlsplit

import httpx

from mercato import outgoing
from mercato.errors import Invalid
from mercato.outgoing import RefusedAddress, TooLarge
from mercato.settings import Settings
from mercato.store.usdl.description import MAX_USDL_BYTES, OfferingDescription, summary
from mercato.store.usdl.formats import ALIASES, UsdlFormat

FETCH_TIMEOUT_SECONDS = 10.0
MAX_REDIRECTS = 3

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
    settings: Settings,
    fmt: str | None = None,
    *,
    timeout: float = FETCH_TIMEOUT_SECONDS,
    max_bytes: int = MAX_USDL_BYTES,
) -> OfferingDescription:
    """GET a USDL document (http or https only) and parse it.

    Through ``mercato.outgoing.call``: the address (and each of up to
    ``MAX_REDIRECTS`` redirects) must be public or in the allow-list, and is
    connected to as checked; the body is dropped past ``max_bytes``. A refused,
    failed or slow fetch raises ``Invalid`` on ``description_url``.
    """
    if urlsplit(url).scheme not in ("http", "https"):
        raise Invalid.field("description_url", "must be an http or https address")
    try:
        with outgoing.new_client(1) as http:
            answer = outgoing.call(
                settings,
                http,
                "GET",
                url,
                headers={"Accept": _ACCEPT},
                timeout=timeout,
                max_bytes=max_bytes,
                max_redirects=MAX_REDIRECTS,
            )
    except RefusedAddress as refused:
        raise Invalid.field("description_url", f"is refused: {refused}") from None
    except TooLarge:
        raise Invalid.field("usdl", f"is larger than {max_bytes} bytes") from None
    except httpx.HTTPError as error:
        raise Invalid.field("description_url", f"could not be fetched: {summary(error)}") from None
    if answer.status_code != 200:
        raise Invalid.field("description_url", f"answered {answer.status_code} instead of 200")
    content_type = answer.headers.get("content-type", "")
    # Imported here: see `mercato.store.usdl.parse_usdl`.
    from mercato.store.usdl.reading import parse_usdl

    return parse_usdl(answer.body, fmt or _format_of(url, content_type))


_ACCEPT = ", ".join(member.value for member in UsdlFormat)


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
