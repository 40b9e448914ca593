from tests.commerce.purchase_world import shop
from tests.store.world import seller, store
from tests.usage.world import metered

__all__ = ["metered", "seller", "shop", "store"]
