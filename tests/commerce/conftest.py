from tests.store.world import seller, store

__all__ = ["seller", "store"]
