"""WStore's marketplace contract, version 2 (reference §11), as the store calls it.

Register the store: ``POST {m}/api/v2/store {displayName, url, comment}``; the id is
the last segment of ``Location``. Publish: ``POST {m}/api/v2/store/{id}/description
{displayName, url}``, where ``url`` serves the offering's USDL. Withdrawals are the
matching DELETEs. Credentials go as HTTP Basic, as WStore sends them.

Every call leaves through ``mercato.outgoing.call`` (allow-list, pinned address,
timeouts, size cap). Registering and leaving are answered at once (the admin waits for
the marketplace's id); publishing and withdrawing are ``Request`` values that the
publication outbox sends after the commit (``mercato.store.marketplaces.outbox``).
"""

import json
from dataclasses import dataclass
from urllib.parse import quote, urljoin

import httpx

from mercato import outgoing
from mercato.errors import Invalid, Unavailable
from mercato.outgoing import Answer, RefusedAddress, TooLarge
from mercato.settings import Settings

TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True)
class MarketplaceAddress:
    host: str
    username: str
    password: str


@dataclass(frozen=True)
class Request:
    """One call of a contract (marketplace or repository), and the answer that means done."""

    method: str
    url: str
    expected: tuple[int, ...]
    body: bytes | None = None
    content_type: str = ""
    credentials: tuple[str, str] | None = None


def send(settings: Settings, http: httpx.Client, request: Request) -> Answer:
    """Make the call; raises what ``mercato.outgoing.call`` raises."""
    auth = httpx.BasicAuth(*request.credentials) if request.credentials else None
    headers = {"Content-Type": request.content_type} if request.content_type else {}
    return outgoing.call(
        settings,
        http,
        request.method,
        request.url,
        headers=headers,
        content=request.body,
        auth=auth,
        timeout=TIMEOUT_SECONDS,
    )


def _request(
    address: MarketplaceAddress, method: str, path: str, expected: int, body: object = None
) -> Request:
    return Request(
        method,
        urljoin(address.host, path),
        (expected,),
        json.dumps(body).encode() if body is not None else None,
        "application/json" if body is not None else "",
        (address.username, address.password),
    )


def last_segment(answer: Answer) -> str:
    """The id a marketplace gave in ``Location``; empty when it gave none."""
    return answer.headers.get("location", "").rstrip("/").rsplit("/", 1)[-1]


def _call_now(settings: Settings, address: MarketplaceAddress, request: Request) -> Answer:
    """Call while the admin waits: a refused host is 400, a failure 502."""
    try:
        with outgoing.new_client(1) as http:
            answer = send(settings, http, request)
    except RefusedAddress as refused:
        raise Invalid.field("host", f"is refused: {refused}") from None
    except (httpx.HTTPError, TooLarge) as error:
        raise Unavailable(f"The marketplace at {address.host} did not answer: {error}") from None
    if answer.status_code not in request.expected:
        raise Unavailable(
            f"The marketplace at {address.host} answered {answer.status_code} to"
            f" {request.method} {request.url}"
        )
    return answer


def register_store(
    settings: Settings, address: MarketplaceAddress, store_name: str, store_url: str
) -> str:
    """Register this store on the marketplace; returns the id it was given there."""
    body = {
        "displayName": store_name,
        "url": store_url,
        "comment": f"Mercato instance deployed in {store_url}",
    }
    answer = _call_now(settings, address, _request(address, "POST", "api/v2/store", 201, body))
    store_id = last_segment(answer)
    if not store_id:
        raise Unavailable("The marketplace answered without a Location")
    return store_id


def unregister_store(settings: Settings, address: MarketplaceAddress, store_id: str) -> None:
    _call_now(
        settings, address, _request(address, "DELETE", f"api/v2/store/{quote(store_id)}", 204)
    )


def add_description(
    address: MarketplaceAddress, store_id: str, display_name: str, usdl_url: str
) -> Request:
    """Publish an offering's USDL; the answer's ``Location`` names the description."""
    body = {"displayName": display_name, "url": usdl_url}
    return _request(address, "POST", f"api/v2/store/{quote(store_id)}/description", 201, body)


def delete_description(address: MarketplaceAddress, store_id: str, name: str) -> Request:
    path = f"api/v2/store/{quote(store_id)}/description/{quote(name)}"
    return _request(address, "DELETE", path, 204)
