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
from workers.redis_broker import PromptConsumer, PromptRedisBroker

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


def test_closing_a_consumer_ends_its_wait_and_it_waits_no_more(broker: PromptRedisBroker) -> None:
    # given a consumer (made with keyword arguments) holding all it may, waiting in another thread;
    # its idle timeout is a minute, so only the close can end the wait
    _send(broker, 1, 2)
    consumer = PromptConsumer(broker=broker, queue_name=QUEUE, prefetch=1, timeout=A_MINUTE_MS)
    assert (consumer.queue_name, consumer.prefetch, consumer.timeout) == (QUEUE, 1, A_MINUTE_MS)
    _next_message(consumer)
    closed = threading.Event()
    seen: dict[str, Any] = {}

    def ask() -> None:
        seen["answer"] = next(consumer)
        seen["after_the_close"] = closed.is_set()
        seen["again"] = next(consumer)

    asking = threading.Thread(target=ask)
    asking.start()
    # when it is closed (a moment later, while it waits)
    time.sleep(0.2)
    closed.set()
    consumer.close()
    asking.join(timeout=30)
    # then its wait ended with the close, and asked again it answers at once (nothing to give)
    assert not asking.is_alive()
    assert seen == {"answer": None, "after_the_close": True, "again": None}


def test_an_idle_consumer_is_woken_by_a_message_sent_to_its_queue(broker: PromptRedisBroker) -> None:
    # given a consumer with nothing to do, waiting; its idle timeout is a minute, so only the
    # message's wake-up can end its wait early
    broker.declare_queue(QUEUE)
    consumer = broker.consume(QUEUE, prefetch=1, timeout=A_MINUTE_MS)
    sent = threading.Event()
    seen: dict[str, Any] = {}

    def ask() -> None:
        seen["answer"] = next(consumer)
        seen["after_the_send"] = sent.is_set()
        seen["then"] = next(consumer)

    asking = threading.Thread(target=ask)
    asking.start()
    # when a message is sent to its queue (a moment later, while the consumer waits)
    time.sleep(0.2)
    sent.set()
    _send(broker, 7)
    asking.join(timeout=30)
    # then the wait ended with the send (not before), and the message came next
    assert not asking.is_alive()
    assert (seen["answer"], seen["after_the_send"]) == (None, True)
    assert seen["then"].args == (7,)
    consumer.close()


def test_an_idle_consumer_still_finds_a_message_queued_without_a_wake_up(
    broker: PromptRedisBroker,
) -> None:
    # given a message put back into the queue the way a dead worker's are (no wake-up), and a
    # consumer that looks every 50 ms
    broker.declare_queue(QUEUE)
    message: dramatiq.Message[Any] = dramatiq.Message(
        queue_name=QUEUE, actor_name="part", args=(8,), kwargs={}, options={"redis_message_id": "dead-1"}
    )
    consumer = broker.consume(QUEUE, prefetch=1, timeout=50)
    assert next(consumer) is None  # nothing yet: it waited its timeout
    broker.do_enqueue(QUEUE, message.options["redis_message_id"], message.encode())
    # when it looks again, then it finds the message
    assert _next_message(consumer).args == (8,)
    consumer.close()
