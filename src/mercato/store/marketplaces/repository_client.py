"""WStore's USDL repository contract (reference §11), as the store calls it.

The offering's Linked USDL (RDF/XML) is PUT to ``{host}/v1/{collection}/{org}__{name}__{ver}``
(version 1) or ``{host}/v2/collec/{collection}/{org}__{name}__{ver}`` (version 2); the
address it was PUT to is where the document lives from then on.
"""

from dataclasses import dataclass
from urllib.parse import quote, urljoin

import httpx

from mercato.errors import Unavailable

TIMEOUT_SECONDS = 10.0
ACCEPTED = (200, 201, 204)


@dataclass(frozen=True)
class Collection:
    host: str
    api_version: int
    collection: str


def document_url(collection: Collection, org: str, name: str, version: str) -> str:
    key = quote(f"{org}__{name}__{version}", safe="")
    folder = "v1/" if collection.api_version == 1 else "v2/collec/"
    return urljoin(collection.host, f"{folder}{quote(collection.collection, safe='')}/{key}")


def upload(collection: Collection, url: str, content_type: str, document: bytes) -> None:
    try:
        response = httpx.put(
            url, content=document, headers={"Content-Type": content_type}, timeout=TIMEOUT_SECONDS
        )
    except httpx.HTTPError as error:
        raise Unavailable(f"The repository at {collection.host} did not answer: {error}") from None
    if response.status_code not in ACCEPTED:
        raise Unavailable(
            f"The repository at {collection.host} answered {response.status_code} to PUT {url}"
        )
