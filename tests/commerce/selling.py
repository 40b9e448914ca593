"""An offering with a stored file and a link, sold in the purchase notification tests."""

import pytest

from mercato.store.models import StoreOffering


@pytest.fixture
def sold(store, seller) -> StoreOffering:
    """An offering of CoNWeT with a stored file and a link, and no notification URL yet."""
    provider = store.provider(seller, name="CoNWeT")
    widget = store.asset(provider, "Map Viewer", "1.0")
    docs = store.asset(
        provider,
        "Map Docs",
        "2.1",
        data=None,
        link="https://docs.example.org/map.pdf",
        content_type="application/pdf",
    )
    return store.offering(provider, seller, "Smart City Lights", "1.0", bound=[widget, docs])
