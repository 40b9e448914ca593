"""What the store's routes share: the file store, paging, the offering or asset a path names."""

from typing import Annotated

from fastapi import Depends, Query, Request

from mercato.dependencies import AppSettings, DbSession
from mercato.store.assets import Files, local_files, require_managed_asset
from mercato.store.models import Asset, StoreOffering
from mercato.store.offerings import (
    find_offering,
    require_managed_offering,
    require_visible_offering,
)
from mercato.store.pricing import WSTORE_TERMS, PricingTerms
from mercato.store.wstore.wire import Caller


def file_store(settings: AppSettings) -> Files:
    return local_files(settings)


FileStore = Annotated[Files, Depends(file_store)]


def pricing_terms(request: Request, session: DbSession) -> PricingTerms:
    """The units and currencies plans may use, read from the registries the app wires in
    (``app.state.pricing_terms``: commerce keeps them, and the store cannot import it)."""
    read_terms = getattr(request.app.state, "pricing_terms", None)
    return WSTORE_TERMS if read_terms is None else read_terms(session)


Terms = Annotated[PricingTerms, Depends(pricing_terms)]
Start = Annotated[int, Query(ge=1, description="First item, counting from 1")]
Limit = Annotated[int | None, Query(ge=1, description="How many items at most")]


def found_offering(provider: str, name: str, version: str, session: DbSession) -> StoreOffering:
    return find_offering(session, provider, name, version)


# The caller comes first in these signatures: WStore answers 401 before anything else.
def visible_offering(
    user: Caller, provider: str, name: str, version: str, session: DbSession
) -> StoreOffering:
    return require_visible_offering(session, user, provider, name, version)


def managed_offering(
    user: Caller, provider: str, name: str, version: str, session: DbSession
) -> StoreOffering:
    return require_managed_offering(session, user, provider, name, version)


def managed_asset(
    user: Caller, provider: str, name: str, version: str, session: DbSession
) -> Asset:
    return require_managed_asset(session, user, provider, name, version)


# The offering (or asset) a `{provider}/{name}/{version}` path names: found (404),
# then checked against the caller (403, or 404 where existence stays private).
FoundOffering = Annotated[StoreOffering, Depends(found_offering)]
VisibleOffering = Annotated[StoreOffering, Depends(visible_offering)]
ManagedOffering = Annotated[StoreOffering, Depends(managed_offering)]
ManagedAsset = Annotated[Asset, Depends(managed_asset)]
