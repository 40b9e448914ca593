"""WStore's organization settings that the store uses: the default notification URL."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from mercato.accounts.models import Provider
from mercato.dependencies import DbSession
from mercato.errors import Invalid
from mercato.store.access import require_managed_provider
from mercato.store.models import ProviderStoreSettings
from mercato.store.offerings import set_provider_notification_url
from mercato.store.wstore.bodies import as_object
from mercato.store.wstore.wire import Caller, ReceivedBody, envelope, errors, read_body

router = APIRouter(tags=["Store: organizations (WStore)"])
ONE = "/api/administration/organizations/{organization}"


def _json(session: Session, provider: Provider) -> dict[str, Any]:
    settings = session.get(ProviderStoreSettings, provider.id)
    return {
        "name": provider.slug,
        "notification_url": settings.notification_url if settings else "",
    }


@router.get(ONE, responses=errors(401, 403, 404), summary="A provider's store settings")
def get_organization(organization: str, session: DbSession, user: Caller) -> dict[str, Any]:
    provider = require_managed_provider(session, user, organization)
    return _json(session, provider)


@router.put(
    ONE,
    responses=errors(400, 401, 403, 404, 415),
    summary="Set the provider's default notification URL",
)
def update_organization(
    organization: str, request: Request, received: ReceivedBody, session: DbSession, user: Caller
) -> Response:
    provider = require_managed_provider(session, user, organization)
    document = as_object(read_body(received).document)
    url = document.get("notification_url", "")
    if not isinstance(url, str):
        raise Invalid.field("notification_url", "must be an http(s) URL")
    set_provider_notification_url(session, provider, url)
    return envelope(request, 200, "OK")
