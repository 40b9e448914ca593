"""The WStore-compatible API under /api/ (not /api/v1/) and the files under /media/."""

from collections.abc import Sequence

from fastapi import APIRouter, Request
from fastapi.responses import Response
from fastapi.routing import APIRoute

from mercato.dependencies import DbSession
from mercato.errors import NotFound
from mercato.store.http import FileStore
from mercato.store.models import StoreOffering
from mercato.store.offerings import find_offering
from mercato.store.uploads import image_type
from mercato.store.wstore import (
    marketplaces,
    offerings,
    organizations,
    resources,
    search,
    social,
)

router = APIRouter()
PARTS = (
    resources.router,
    offerings.router,
    social.router,
    search.router,
    organizations.router,
    marketplaces.router,
)
for part in PARTS[:-1]:
    # The marketplace routes are included by the app, beside the marketplace pages.
    router.include_router(part)


def _image(files: FileStore, key: str) -> Response:
    with files.storage.open(key) as handle:
        data = handle.read()
    return Response(
        data, headers={"X-Content-Type-Options": "nosniff"}, media_type=image_type(data)
    )


@router.get("/media/offerings/{offer_id}/{token}/{file_name}", include_in_schema=False)
def offering_image(
    offer_id: int, token: str, file_name: str, session: DbSession, files: FileStore
) -> Response:
    """Logos and screenshots are public, as in WStore; only keys an offering holds are served."""
    key = f"offerings/{offer_id}/{token}/{file_name}"
    offering = session.get(StoreOffering, offer_id)
    if offering is None or key not in [offering.image_key, *offering.screenshot_keys]:
        raise NotFound("Image")
    return _image(files, key)


@router.get("/media/{folder}/{file_name}", include_in_schema=False)
def offering_media(folder: str, file_name: str, session: DbSession, files: FileStore) -> Response:
    """The same images at WStore's addresses, ``/media/<Org>__<Name>__<Version>/<file>``."""
    organization, _, rest = folder.partition("__")
    name, _, version = rest.rpartition("__")
    offering = find_offering(session, organization, name, version)
    for key in [offering.image_key, *offering.screenshot_keys]:
        if key and key.rsplit("/", 1)[-1] == file_name:
            return _image(files, key)
    raise NotFound("Image")


def method_not_allowed(request: Request, parts: Sequence[APIRouter]) -> Response:
    """405 with an empty body and ``Allow`` listing every method of the path.

    The routes of a path are declared in WStore's order of its ``Allow``
    header (store-wire.md §0.1), so the order they match in is that order.
    ``parts`` are the routers of every WStore route: the store's and other areas'.
    """
    path = request.scope["path"]
    methods: list[str] = []
    for part in parts:
        for route in part.routes:
            if isinstance(route, APIRoute) and route.path_regex.match(path):
                methods += [m for m in sorted(route.methods) if m not in methods]
    return Response(status_code=405, headers={"Allow": ", ".join(methods)})
