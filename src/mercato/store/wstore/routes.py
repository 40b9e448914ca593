"""The WStore-compatible API under /api/ (not /api/v1/) and the files under /media/."""

from fastapi import APIRouter
from fastapi.responses import Response

from mercato.dependencies import DbSession
from mercato.errors import NotFound
from mercato.store.http import FileStore
from mercato.store.models import StoreOffering
from mercato.store.uploads import image_type
from mercato.store.wstore import offerings, organizations, resources, search, social
from mercato.store.wstore.wire import ERRORS

router = APIRouter(responses=ERRORS)
router.include_router(resources.router)
router.include_router(offerings.router)
router.include_router(social.router)
router.include_router(search.router)
router.include_router(organizations.router)


@router.get("/media/offerings/{offer_id}/{token}/{file_name}", include_in_schema=False)
def offering_image(
    offer_id: int, token: str, file_name: str, session: DbSession, files: FileStore
) -> Response:
    """Logos and screenshots are public, as in WStore; only keys an offering holds are served."""
    key = f"offerings/{offer_id}/{token}/{file_name}"
    offering = session.get(StoreOffering, offer_id)
    if offering is None or key not in [offering.image_key, *offering.screenshot_keys]:
        raise NotFound("Image")
    with files.storage.open(key) as handle:
        data = handle.read()
    return Response(
        data, headers={"X-Content-Type-Options": "nosniff"}, media_type=image_type(data)
    )
