"""Store fixtures: providers, assets and offerings built through the rules."""

import base64
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from mercato.accounts.models import Provider
from mercato.settings import Settings
from mercato.store import assets, offerings
from mercato.store.assets import AssetContent, Files
from mercato.store.marketplaces.models import Marketplace, Repository
from mercato.store.models import Asset, AssetKind, StoreOffering
from mercato.store.offerings import AssetRef, Description, NewOffering
from mercato.store.storage import LocalStorage
from mercato.store.uploads import Upload
from tests.factories import Factory, TokenUser

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 24
WIDGET = b"PK\x03\x04 a widget archive"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def bearer(user: TokenUser) -> dict[str, str]:
    return {"Authorization": f"Bearer {user.token}"}


def stored_files(settings: Settings) -> list[str]:
    root = settings.data_dir / "media"
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


@dataclass
class Store:
    """Builds store rows through the rules, committing each, like tests.factories."""

    session: Session
    make: Factory
    files: Files

    def provider(self, admin: TokenUser, name: str = "CoNWeT") -> Provider:
        return self.make.provider(admin.user, name=name)

    def asset(
        self,
        provider: Provider,
        name: str = "Map Viewer",
        version: str = "1.0",
        *,
        data: bytes | None = WIDGET,
        link: str | None = None,
        is_open: bool = False,
        content_type: str = "application/zip",
        kind: AssetKind = AssetKind.DOWNLOADABLE,
    ) -> Asset:
        content = (
            AssetContent(Upload("widget.zip", data), None)
            if link is None
            else AssetContent(None, link)
        )
        asset = assets.register_asset(
            self.session,
            self.files,
            provider,
            name=name,
            version=version,
            description=f"{name} for tests",
            content_type=content_type,
            kind=kind,
            is_open=is_open,
            meta={},
            content=content,
        )
        self.session.commit()
        return asset

    def repository(
        self, host: str, *, name: str = "main", api_version: int = 2, is_default: bool = True
    ) -> Repository:
        repository = Repository(
            name=name,
            host=f"{host.rstrip('/')}/",
            api_version=api_version,
            offering_collection="offerings",
            resource_collection="resources",
            is_default=is_default,
        )
        self.session.add(repository)
        self.session.commit()
        return repository

    def marketplace(self, name: str, host: str, *, store_id: str = "me") -> Marketplace:
        """A marketplace this store is registered on, as ``store_id``."""
        marketplace = Marketplace(
            name=name,
            host=f"{host.rstrip('/')}/",
            api_version=2,
            store_id=store_id,
            username="u",
            password="p",
        )
        self.session.add(marketplace)
        self.session.commit()
        return marketplace

    def offering(
        self,
        provider: Provider,
        owner: TokenUser,
        name: str = "Smart City Lights",
        version: str = "1.0",
        *,
        bound: list[Asset] = (),  # type: ignore[assignment]
        is_open: bool = False,
        publish: bool = False,
        **description: Any,
    ) -> StoreOffering:
        description.setdefault("description", f"{name} offering")
        new = NewOffering(
            name=name,
            version=version,
            description=Description(**description),
            is_open=is_open,
            assets=[AssetRef(a.name, a.version) for a in bound],
        )
        offering = offerings.create_offering(self.session, self.files, owner.user, provider, new)
        if publish:
            offerings.publish_offering(self.session, offering, [])
        self.session.commit()
        return offering


@pytest.fixture
def store(session: Session, make: Factory, settings: Settings) -> Store:
    return Store(session, make, Files(LocalStorage(Path(settings.data_dir) / "media"), settings))


@pytest.fixture
def seller(make: Factory) -> TokenUser:
    return make.token_user("app_provider@example.org", first_name="App", last_name="Provider")


@pytest.fixture
def buyer(make: Factory) -> TokenUser:
    return make.token_user("customer@example.org", first_name="Cus", last_name="Tomer")
