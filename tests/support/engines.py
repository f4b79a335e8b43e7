"""The services engines the at-scale tests use, from the environment (`make test-services` sets them).

PORTAL_TEST_BROKER_URL (redis://… or amqp://…) and PORTAL_TEST_PUBSUB_URL (redis://…) make every
test's app use that broker and pub/sub, under a namespace of its own that is removed afterwards.
"""

from __future__ import annotations

import os

import redis

from service.settings import Settings
from workers.broker import QUEUES

REDIS_URL = os.environ.get("PORTAL_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
BROKER_URL = os.environ.get("PORTAL_TEST_BROKER_URL", "")
PUBSUB_URL = os.environ.get("PORTAL_TEST_PUBSUB_URL", "")


def redis_answers(url: str = REDIS_URL) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_timeout=1).ping())
    except redis.RedisError:
        return False


def remove_namespace(settings: Settings) -> None:
    """Delete what a test left in Redis and RabbitMQ under its namespace."""
    for url in {settings.broker_url, settings.pubsub_url}:
        if url.startswith("redis"):
            client = redis.Redis.from_url(url)
            keys = list(client.scan_iter(match=f"{settings.namespace}*", count=1000))
            if keys:
                client.delete(*keys)
        elif url.startswith("amqp"):
            import pika

            connection = pika.BlockingConnection(pika.URLParameters(url))
            try:
                channel = connection.channel()
                for queue in QUEUES:
                    for suffix in ("", ".DQ", ".XQ"):
                        channel.queue_delete(f"{settings.namespace}.{queue}{suffix}")
            finally:
                connection.close()
