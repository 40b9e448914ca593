from tests.commerce.purchase_world import shop
from tests.reports.world import sold
from tests.store.world import seller, store

__all__ = ["seller", "shop", "sold", "store"]
