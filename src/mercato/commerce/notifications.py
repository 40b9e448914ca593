"""Purchase notifications (store-ge.md §8): a provider's notification URL hears of each purchase.

``notify_purchase`` writes the notification in the purchase's own transaction (an
outbox row), so a purchase that rolls back notifies nobody and one that commits cannot
be forgotten. After the commit the queue is told; a worker sends it as it sends OMS
triggers (``ordering.triggers``): leased, called through ``mercato.outgoing``, retried
with backoff for at least 24 hours on network errors, 5xx, 408 and 429, every attempt
logged, and redeliverable by hand. Unlike WStore's fire-and-forget call (§14.9), the
call is retried and, when the provider has a secret, signed (Standard Webhooks).
"""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from sqlalchemy import func, select, true
from sqlalchemy.orm import Session, selectinload

from mercato.accounts.models import Provider, User
from mercato.accounts.rules import administered_provider_ids
from mercato.commerce.models import PurchaseNotification, PurchaseNotificationAttempt
from mercato.errors import Forbidden, NotFound
from mercato.ordering import triggers
from mercato.ordering.models import DeliveryStatus
from mercato.ordering.triggers import Outbox, Outcome
from mercato.settings import Settings
from mercato.store.assets import asset_link
from mercato.store.models import (
    Asset,
    NotificationTarget,
    ProviderStoreSettings,
    StoreOffering,
)
from mercato.webhooks import signature_headers

# session.info key counting the notifications written in this transaction; after the
# commit, the queue is told about them.
NEW_NOTIFICATIONS = "mercato.new_notifications"
METHOD = "POST"


# --- writing ------------------------------------------------------------------------------


def notification_url(session: Session, offering: StoreOffering) -> str:
    """Where the offering's purchases are notified: its own URL, its provider's default
    URL as it is now, or nowhere ("")."""
    if offering.notification == NotificationTarget.OWN:
        return offering.notification_url
    if offering.notification == NotificationTarget.PROVIDER_DEFAULT:
        defaults = session.get(ProviderStoreSettings, offering.service.provider_id)
        return defaults.notification_url if defaults is not None else ""
    return ""


def notification_body(
    base_url: str,
    offering: StoreOffering,
    *,
    customer: str,
    reference: str,
    resources: Sequence[Asset],
) -> dict[str, object]:
    """§8's JSON. No ``customer_name``: WStore sends it only in IdM mode, which Mercato
    has not, and there ``customer`` is the buyer organization's name."""
    return {
        "offering": {
            # WStore names an organization by its display name (store-wire.md §0.7).
            "organization": offering.service.provider.name,
            "name": offering.service.name,
            "version": offering.version,
        },
        "reference": reference,
        "customer": customer,
        "resources": [
            {
                "name": asset.name,
                "version": asset.version,
                "content_type": asset.content_type,
                "url": asset_link(base_url, asset),
            }
            for asset in resources
        ],
    }


def notify_purchase(
    session: Session,
    settings: Settings,
    *,
    offering: StoreOffering,
    customer: str,
    reference: str,
    resources: Sequence[Asset],
) -> PurchaseNotification | None:
    """Owe the offering's notification URL §8's message about the purchase ``reference``.

    Call it in the transaction that records the first successful payment (or a purchase
    with nothing to pay). ``customer`` is the buying organization's name; ``resources``
    the assets the purchase gives (the offering's, at purchase time). Once per reference:
    a second call (a renewal, a retried request) returns the notification already owed.
    None when the offering notifies nobody.
    """
    owed = session.scalar(
        select(PurchaseNotification).where(PurchaseNotification.reference == reference)
    )
    if owed is not None:
        return owed
    url = notification_url(session, offering)
    if not url:
        return None
    body = notification_body(
        settings.base_url.rstrip("/"),
        offering,
        customer=customer,
        reference=reference,
        resources=resources,
    )
    notification = PurchaseNotification(
        provider_id=offering.service.provider_id,
        reference=reference,
        url=url,
        body=json.dumps(body, ensure_ascii=False),
        status=DeliveryStatus.PENDING,
        attempts=0,
    )
    session.add(notification)
    session.flush()
    _note_new_notification(session)
    return notification


def _note_new_notification(session: Session) -> None:
    """Count it, for the queue to hear of after the commit."""
    session.info[NEW_NOTIFICATIONS] = session.info.get(NEW_NOTIFICATIONS, 0) + 1


# --- sending ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    """What one attempt of a notification sends."""

    delivery_id: int
    attempt: int
    url: str
    body: bytes
    # Signs the call when set; read at each attempt, so a new secret signs retries.
    signing_secret: str
    method: str = METHOD

    @property
    def message_id(self) -> str:
        """The ``webhook-id``: one per notification, the same on every attempt."""
        return f"msg_notification_{self.delivery_id}"


def claim(session: Session, now: datetime, lease: timedelta, limit: int) -> list[Call]:
    """Lease up to ``limit`` due notifications to this worker, with what their calls need."""
    claimed = triggers.lease_due(
        session,
        PurchaseNotification,
        DeliveryStatus.PENDING,
        now,
        lease,
        limit,
        PurchaseNotification.attempts,
        PurchaseNotification.url,
        PurchaseNotification.body,
        PurchaseNotification.provider_id,
    )
    if not claimed:
        return []
    providers = {row.provider_id for row in claimed}
    secrets = {
        row.id: row.notification_signing_secret
        for row in session.execute(
            select(Provider.id, Provider.notification_signing_secret).where(
                Provider.id.in_(providers)
            )
        )
    }
    return [
        Call(row.id, row.attempts, row.url, row.body.encode(), secrets[row.provider_id])
        for row in sorted(claimed)
    ]


def send(settings: Settings, client: httpx.Client, call: Call, started_at: datetime) -> Outcome:
    """POST the JSON body, with the Standard Webhooks headers (timestamped ``started_at``)
    when the provider has a secret."""
    headers = {"Content-Type": "application/json"}
    if call.signing_secret:
        headers |= signature_headers(call.signing_secret, call.message_id, started_at, call.body)
    return triggers.timed(
        started_at,
        lambda: triggers.call_out(
            settings, client, call.method, call.url, headers=headers, content=call.body
        ),
    )


NOTIFICATIONS = Outbox(
    PurchaseNotification, PurchaseNotificationAttempt, "notification_id", claim, send
)


def due_notifications(session: Session, now: datetime) -> list[int]:
    """Pending notifications that are due and that no worker holds, oldest first."""
    return triggers.due_rows(session, PurchaseNotification, now)


# --- the provider's log -----------------------------------------------------------------


def visible_provider_ids(session: Session, user: User) -> set[int] | None:
    """The providers whose notifications ``user`` sees: None (all) for site admins;
    a provider's data administrators see its own."""
    if user.is_admin:
        return None
    providers = administered_provider_ids(session, user)
    if not providers:
        raise Forbidden("Only providers' data administrators see notifications")
    return providers


def notifications_page(
    session: Session, user: User, *, page: int, page_size: int
) -> tuple[list[PurchaseNotification], int]:
    """One page of the notifications ``user`` may see, newest first, with their attempts."""
    providers = visible_provider_ids(session, user)
    shown = PurchaseNotification.provider_id.in_(providers) if providers is not None else true()
    total = session.scalar(select(func.count(PurchaseNotification.id)).where(shown)) or 0
    query = (
        select(PurchaseNotification)
        .where(shown)
        .options(
            selectinload(PurchaseNotification.attempt_log),
            selectinload(PurchaseNotification.provider),
        )
        .order_by(PurchaseNotification.id.desc())
        .offset((page - 1) * page_size)
        .limit(page_size)
    )
    return list(session.scalars(query)), total


def require_notification(
    session: Session, user: User, notification_id: int
) -> PurchaseNotification:
    """The notification (not found) whose log ``user`` may see (forbidden)."""
    providers = visible_provider_ids(session, user)
    notification = session.get(PurchaseNotification, notification_id)
    if notification is None:
        raise NotFound("Notification")
    if providers is not None and notification.provider_id not in providers:
        raise Forbidden("Only the provider's data administrators see its notifications")
    return notification


def redeliver(
    session: Session, notification: PurchaseNotification, now: datetime
) -> PurchaseNotification:
    """Send a delivered or failed notification again: pending now, a full retry period,
    the same ``webhook-id``."""
    triggers.start_over(notification, now)
    session.flush()
    _note_new_notification(session)
    return notification
