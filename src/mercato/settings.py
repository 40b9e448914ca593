"""Configuration, read from ``MERCATO_*`` environment variables."""

import os
import secrets
from datetime import timedelta
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every value has a default that works on one machine with nothing installed."""

    model_config = SettingsConfigDict(env_prefix="MERCATO_", extra="ignore")

    data_dir: Path = Field(Path("var"), description="Folder for the SQLite file and secrets.")
    database_url: str | None = Field(
        None, description="SQLAlchemy URL; defaults to a SQLite file in the data folder."
    )
    secret_key: str | None = Field(
        None, description="Signs sessions and CSRF tokens; generated on first start if unset."
    )
    base_url: str = Field("http://127.0.0.1:8000", description="Public address of the site.")
    store_name: str = Field("Mercato", min_length=1, description="The store's name on invoices.")
    host: str = Field("127.0.0.1", description="Address `mercato serve` binds to.")
    port: int = Field(8000, description="Port `mercato serve` listens on.")
    workers: int = Field(1, ge=1, description="Web server processes `mercato serve` starts.")
    queue_url: str = Field(
        "",
        description="Task queue: `redis://host:port/db` for Redis; empty keeps it in a SQLite"
        " file in the data folder.",
    )
    queue_name: str = Field(
        "mercato", min_length=1, description="Queue name; lets several sites share one Redis."
    )
    worker_in_process: bool = Field(
        True, description="`mercato serve` also runs a worker (turn off with separate workers)."
    )
    outgoing_allowed_networks: str = Field(
        "",
        description="Comma-separated CIDR networks that triggers and Linked USDL URLs may call"
        " besides public addresses (`10.0.0.0/8, 127.0.0.0/8`).",
    )
    trigger_timeout: float = Field(
        10.0, gt=0, le=300, description="Seconds a trigger call may take before it counts as down."
    )
    token_cache_seconds: float = Field(
        5.0,
        ge=0,
        le=300,
        description="How long a web process remembers an API token's user (0: not at all);"
        " a revoked token is refused at once.",
    )
    idempotency_key_hours: float = Field(
        24.0,
        gt=0,
        description="How long an `Idempotency-Key` answers its retries with the first"
        " request's result; later it is forgotten and may be used again.",
    )
    paypal_base_url: str = Field(
        "https://api-m.sandbox.paypal.com",
        description="PayPal's REST API: the sandbox, or `https://api-m.paypal.com` to take"
        " real money.",
    )
    paypal_client_id: str = Field("", description="Client ID of the site's PayPal REST app.")
    paypal_client_secret: SecretStr = Field(
        SecretStr(""), description="Secret of the site's PayPal REST app."
    )
    paypal_webhook_id: str = Field(
        "",
        description="ID PayPal gave the webhook registered for `/payments/paypal/webhook`;"
        " events are refused until it is set.",
    )
    payment_timeout_seconds: int = Field(
        300,
        ge=10,
        description="Seconds a buyer has to approve a payment at the gateway; a purchase"
        " still unpaid then is cancelled (WStore's 300).",
    )
    renewal_reminder_days: int = Field(
        7,
        ge=0,
        description="Days before a subscription's renewal date that the customer is"
        " reminded, once per date, by a message on the purchase's order.",
    )
    renewal_grace_days: int = Field(
        14,
        ge=0,
        description="Days a renewal may stay unpaid after its date before the purchase is"
        " suspended (no downloads until renewed).",
    )
    usage_charge_after_days: float = Field(
        30,
        ge=0,
        description="Age in days of a purchase's oldest pending usage record after which the"
        " worker's sweep charges its pending use (plans without subscriptions; those with"
        " subscriptions bill use at renewal). WStore: 30; 0 charges use at every sweep.",
    )
    payment_gateways: str = Field(
        "sandbox,offline",
        description="Comma-separated payment gateways buyers may choose, in that order:"
        " `sandbox` (a test page, nothing charged), `offline` (bank transfer).",
    )
    session_max_age: int = Field(14 * 24 * 3600, description="Web session lifetime, seconds.")
    page_size: int = Field(20, ge=1, le=200, description="Items per page in the web catalogue.")
    asset_max_bytes: int = Field(
        50 * 1024 * 1024, ge=1, description="Largest asset file a provider may upload, bytes."
    )
    asset_media_types: str = Field(
        "",
        description="Comma-separated media types assets may declare (`image/png`, `application/*`);"
        " empty allows every well-formed type.",
    )
    image_max_bytes: int = Field(
        5 * 1024 * 1024, ge=1, description="Largest offering logo or screenshot, bytes."
    )

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'mercato.db').resolve()}"

    @property
    def idempotency_key_lifetime(self) -> timedelta:
        return timedelta(hours=self.idempotency_key_hours)

    @property
    def payment_timeout(self) -> timedelta:
        return timedelta(seconds=self.payment_timeout_seconds)

    @property
    def is_secure(self) -> bool:
        return self.base_url.startswith("https://")

    def resolved_secret_key(self) -> str:
        """The configured key, or one generated once and kept in the data folder."""
        if self.secret_key:
            return self.secret_key
        key_file = self.data_dir / "secret_key"
        self.data_dir.mkdir(parents=True, exist_ok=True)
        try:
            # O_EXCL: two processes starting at once must agree on one key.
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return key_file.read_text().strip()
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
        return key_file.read_text().strip()
