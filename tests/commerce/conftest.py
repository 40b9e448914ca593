from tests.commerce.selling import failed, sold
from tests.ordering.conftest import factory, http, trigger_settings
from tests.ordering.test_triggers_queue import committing, queue, queue_settings, worker
from tests.store.world import seller, store

__all__ = [
    "committing",
    "factory",
    "failed",
    "http",
    "queue",
    "queue_settings",
    "seller",
    "sold",
    "store",
    "trigger_settings",
    "worker",
]
