"""Events across processes through Redis: what a worker publishes reaches every API process."""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest

from service.events import RECEIVED_AT, EventBus
from tests.support.engines import REDIS_URL, redis_answers

pytestmark = pytest.mark.skipif(not redis_answers(), reason=f"no Redis at {REDIS_URL} (.ci/run starts one)")


async def test_an_event_published_in_one_process_reaches_subscribers_of_others() -> None:
    prefix = f"test-{uuid.uuid4().hex}"  # this run's channels only
    api_one, api_two, worker = EventBus(), EventBus(), EventBus()
    worker.use_redis(REDIS_URL, prefix=prefix)
    async with (
        api_one.relaying(REDIS_URL, prefix=prefix),
        api_two.relaying(REDIS_URL, prefix=prefix),
        api_one.subscribe("certificate-file-job:7") as first,
        api_two.subscribe("certificate-file-job:7") as second,
        api_two.subscribe("certificate-file-job:8") as other,
    ):
        await asyncio.sleep(0.2)  # the relays' subscriptions are in place

        worker.publish("certificate-file-job:7", {"jobId": 7, "recognitionId": 3})

        for queue in (first, second):
            event = await asyncio.wait_for(queue.get(), 5)
            received_at = event.pop(RECEIVED_AT)
            assert (event, received_at <= time.monotonic()) == ({"jobId": 7, "recognitionId": 3}, True)
        await asyncio.sleep(0.2)
        assert other.empty()


def test_publishing_without_redis_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    worker = EventBus()
    worker.use_redis("redis://127.0.0.1:1/0")  # nothing listens there

    worker.publish("certificate-file-job:7", {"jobId": 7})

    assert [record.getMessage().split(": ")[0] for record in caplog.records] == [
        "event for certificate-file-job:7 not published"
    ]
