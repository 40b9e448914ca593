from tests.store.loopback import server, settings
from tests.store.world import buyer, seller, store

__all__ = ["buyer", "seller", "server", "settings", "store"]
