"""Purchase notifications through the task queue: handed over at commit, sent by a worker;
a rolled-back purchase enqueues nothing; a lost hand-over is swept up."""

import json

from mercato.store.models import NotificationTarget
from tests.commerce.selling import buy
from tests.ordering.trigger_receiver import receiving


def test_a_committed_purchase_reaches_the_provider_through_the_workers(
    session, sold, committing, queue_settings, worker
):
    with receiving() as receiver:
        sold.notification, sold.notification_url = NotificationTarget.OWN, receiver.url
        session.commit()
        with committing() as writer:
            buy(writer, queue_settings, sold.offer_id, "ref-1")
            writer.commit()

        [call] = receiver.wait_for(1)

    assert json.loads(call.body)["reference"] == "ref-1"


def test_a_rolled_back_purchase_enqueues_nothing(session, sold, committing, queue, queue_settings):
    sold.notification, sold.notification_url = NotificationTarget.OWN, "http://127.0.0.1:9/"
    session.commit()
    with committing() as writer:
        buy(writer, queue_settings, sold.offer_id, "ref-1")
        writer.rollback()
        assert queue.huey.pending_count() == 0
        buy(writer, queue_settings, sold.offer_id, "ref-2")
        writer.commit()

    assert queue.huey.pending_count() == 1
    assert queue.sweep(always=True) == 1
