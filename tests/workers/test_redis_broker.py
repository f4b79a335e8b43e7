"""The Redis broker's consumers: one holding all the messages it may waits for one to be acked, then
takes the next at once (not after a sleep)."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import dramatiq
import pytest
import redis
from dramatiq.broker import Consumer, MessageProxy

from tests.support.engines import REDIS_URL, redis_answers
from workers.redis_broker import PromptRedisBroker

pytestmark = pytest.mark.skipif(not redis_answers(), reason=f"no Redis at {REDIS_URL} (.ci/run starts one)")

QUEUE = "files"
A_MINUTE_MS = 60_000


@pytest.fixture
def broker() -> Iterator[PromptRedisBroker]:
    namespace = f"test-prompt-{uuid.uuid4().hex[:8]}"
    broker = PromptRedisBroker(url=REDIS_URL, namespace=namespace)  # type: ignore[no-untyped-call]
    yield broker
    broker.close()
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(match=f"{namespace}*"))
    if keys:
        client.delete(*keys)


def _send(broker: PromptRedisBroker, *numbers: int) -> None:
    broker.declare_queue(QUEUE)
    for number in numbers:
        broker.enqueue(
            dramatiq.Message(queue_name=QUEUE, actor_name="part", args=(number,), kwargs={}, options={})
        )


def _next_message(consumer: Consumer) -> MessageProxy:
    while (message := next(consumer)) is None:
        pass
    assert isinstance(message, MessageProxy)
    return message


def test_a_consumer_holding_its_messages_waits_for_an_ack_and_then_takes_the_next(
    broker: PromptRedisBroker,
) -> None:
    # given two queued messages and a consumer that may hold one, holding the first; its idle
    # timeout is a minute, so only the ack can end its wait
    _send(broker, 1, 2)
    consumer = broker.consume(QUEUE, prefetch=1, timeout=A_MINUTE_MS)
    first = _next_message(consumer)
    acked = threading.Event()
    seen: dict[str, Any] = {}

    def ask() -> None:
        seen["answer"] = next(consumer)
        seen["after_the_ack"] = acked.is_set()
        seen["then"] = _next_message(consumer)

    asking = threading.Thread(target=ask)
    asking.start()
    # when the first message is acked (a moment later, while the consumer waits)
    time.sleep(0.2)
    acked.set()
    consumer.ack(first)
    asking.join(timeout=30)
    # then the consumer's wait ended with the ack (not before), and the second message came next
    assert not asking.is_alive()
    assert seen["answer"] is None
    assert seen["after_the_ack"] is True
    assert (first.args, seen["then"].args) == ((1,), (2,))
