from tests.store.world import buyer, seller, store

__all__ = ["buyer", "seller", "store"]
