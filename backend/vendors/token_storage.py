"""Where the WeChat access token is cached: Redis for all workers, this process while it is down.

Why: wechatpy's RedisStorage lets `redis.ConnectionError` escape from every call that needs the
token (code2session included), so a Redis outage turned every new patient login into a 500.
The token is only a cache of something WeChat hands out again on request: while Redis is
unreachable each process keeps its own copy (fetched again when it has none) and logins go on.
"""

from __future__ import annotations

import logging
from typing import Any

import redis
from wechatpy.session import SessionStorage
from wechatpy.session.memorystorage import MemoryStorage
from wechatpy.session.redisstorage import RedisStorage

log = logging.getLogger(__name__)


class RedisWithLocalFallback(SessionStorage):
    """wechatpy session storage: Redis first, an in-process copy always and as the fallback."""

    def __init__(self, client: redis.Redis, prefix: str) -> None:
        self._shared = RedisStorage(client, prefix=prefix)
        self._local = MemoryStorage()

    def get(self, key: str, default: Any = None) -> Any:
        try:
            value = self._shared.get(key)
        except redis.RedisError as exc:
            log.warning("redis unreachable: wechat token from this process",
                        extra={"error": type(exc).__name__})
            return self._local.get(key, default)
        return default if value is None else value

    def set(self, key: str, value: Any, ttl: int | None = None) -> None:
        self._local.set(key, value, ttl)
        try:
            self._shared.set(key, value, ttl)
        except redis.RedisError as exc:
            log.warning("redis unreachable: wechat token kept in this process only",
                        extra={"error": type(exc).__name__})

    def delete(self, key: str) -> None:
        self._local.delete(key)
        try:
            self._shared.delete(key)
        except redis.RedisError as exc:
            log.warning("redis unreachable: wechat token not deleted there",
                        extra={"error": type(exc).__name__})
