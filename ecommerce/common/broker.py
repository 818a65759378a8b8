"""Celery's Redis transport, sending each message through one reused Redis client.

kombu's Redis channel builds a new ``redis.Redis`` client (with its response callbacks, about
200 µs of CPU) for every message it publishes (``Channel.conn_or_acquire``); no setting turns
that off. Here the channel keeps one client per connection pool: a ``redis.Redis`` on a pool
holds no connection of its own (each command borrows one from the pool and gives it back), so
sharing it changes nothing but the cost. A new pool (after a fork or a reconnect) gets a new
client. Chosen by ``CELERY_BROKER_TRANSPORT`` for ``redis://`` and ``rediss://`` brokers
(``ecommerce/settings/base.py``); measured in docs/benchmarks.md (issue #14).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from kombu.transport import redis as kombu_redis


class Channel(kombu_redis.Channel):
    _shared_client: Any = None

    @contextmanager
    def conn_or_acquire(self, client: Any = None) -> Iterator[Any]:
        if client:
            yield client
            return
        pool = self.pool
        shared = self._shared_client
        if shared is None or shared.connection_pool is not pool:
            shared = self._shared_client = self._create_client()
        yield shared


class Transport(kombu_redis.Transport):
    Channel = Channel
