from tests.commerce.selling import failed, sold
from tests.ordering.test_triggers_queue import committing, queue, queue_settings, worker
from tests.store.world import seller, store

__all__ = ["committing", "failed", "queue", "queue_settings", "seller", "sold", "store", "worker"]
