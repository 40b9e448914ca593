"""WStore's USDL repository contract (reference §11), as the store calls it.

The offering's Linked USDL (RDF/XML) is PUT to ``{host}/v1/{collection}/{org}__{name}__{ver}``
(version 1) or ``{host}/v2/collec/{collection}/{org}__{name}__{ver}`` (version 2); the
address it was PUT to is where the document lives from then on. The publication outbox
sends the ``Request`` after the commit.
"""

from dataclasses import dataclass
from urllib.parse import quote, urljoin

from mercato.store.marketplaces.client import Request

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


def upload(url: str, content_type: str, document: bytes) -> Request:
    return Request("PUT", url, ACCEPTED, document, content_type)
