"""Standard Webhooks signing (https://www.standardwebhooks.com), for every call Mercato signs.

OMS triggers and providers' purchase notifications are signed the same way: a
``webhook-id`` that stays the same when a message is sent again, the
``webhook-timestamp`` of the attempt, and a ``webhook-signature`` over both and
the body, made with a ``whsec_`` secret that Mercato generates and shows once.
Receivers verify it with any Standard Webhooks library.
"""

import base64
import binascii
import secrets
from datetime import datetime
from math import floor

from standardwebhooks import Webhook

from mercato.errors import Invalid

SECRET_PREFIX = "whsec_"
# The spec asks for 24 to 64 random bytes.
SECRET_BYTES = 32
SECRET_BYTES_ALLOWED = range(24, 65)


def new_signing_secret() -> str:
    """A fresh secret in the spec's form: ``whsec_`` and the base64 of random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def check_signing_secret(field: str, secret: str) -> str:
    """``secret`` when it has the spec's form (a data set may bring one from another site)."""
    key = secret.removeprefix(SECRET_PREFIX)
    try:
        size = len(base64.b64decode(key, validate=True))
    except binascii.Error:
        size = 0
    if key == secret or size not in SECRET_BYTES_ALLOWED:
        raise Invalid.field(field, "must be whsec_ and the base64 of 24 to 64 bytes")
    return secret


def signature_headers(
    secret: str, message_id: str, timestamp: datetime, body: bytes
) -> dict[str, str]:
    """The three headers that sign one attempt to send ``body`` as message ``message_id``."""
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(floor(timestamp.timestamp())),
        "webhook-signature": Webhook(secret).sign(message_id, timestamp, body),
    }
