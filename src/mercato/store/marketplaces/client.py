"""WStore's marketplace contract, version 2 (reference §11), as the store calls it.

Register the store: ``POST {m}/api/v2/store {displayName, url, comment}``; the id is
the last segment of ``Location``. Publish: ``POST {m}/api/v2/store/{id}/description
{displayName, url}``, where ``url`` serves the offering's USDL. Withdrawals are the
matching DELETEs. Credentials go as HTTP Basic, as WStore sends them.
"""

from dataclasses import dataclass
from urllib.parse import quote, urljoin

import httpx

from mercato.errors import Unavailable

TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True)
class MarketplaceAddress:
    host: str
    username: str
    password: str


def _call(
    address: MarketplaceAddress, method: str, path: str, expected: int, body: object = None
) -> httpx.Response:
    url = urljoin(address.host, path)
    try:
        response = httpx.request(
            method,
            url,
            json=body,
            auth=httpx.BasicAuth(address.username, address.password),
            timeout=TIMEOUT_SECONDS,
        )
    except httpx.HTTPError as error:
        raise Unavailable(f"The marketplace at {address.host} did not answer: {error}") from None
    if response.status_code != expected:
        raise Unavailable(
            f"The marketplace at {address.host} answered {response.status_code} to {method} {url}"
        )
    return response


def _last_segment(response: httpx.Response) -> str:
    location = response.headers.get("location", "").rstrip("/")
    if not location:
        raise Unavailable("The marketplace answered without a Location")
    return location.rsplit("/", 1)[-1]


def register_store(address: MarketplaceAddress, store_name: str, store_url: str) -> str:
    """Register this store on the marketplace; returns the id it was given there."""
    body = {
        "displayName": store_name,
        "url": store_url,
        "comment": f"Mercato instance deployed in {store_url}",
    }
    return _last_segment(_call(address, "POST", "api/v2/store", 201, body))


def unregister_store(address: MarketplaceAddress, store_id: str) -> None:
    _call(address, "DELETE", f"api/v2/store/{quote(store_id)}", 204)


def add_description(
    address: MarketplaceAddress, store_id: str, display_name: str, usdl_url: str
) -> str:
    """Publish an offering's USDL; returns the name the marketplace gave the description."""
    body = {"displayName": display_name, "url": usdl_url}
    path = f"api/v2/store/{quote(store_id)}/description"
    return _last_segment(_call(address, "POST", path, 201, body))


def delete_description(address: MarketplaceAddress, store_id: str, name: str) -> None:
    _call(address, "DELETE", f"api/v2/store/{quote(store_id)}/description/{quote(name)}", 204)
