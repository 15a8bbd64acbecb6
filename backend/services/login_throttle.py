"""Failed staff logins, counted per (username, source address), with a growing wait.

Why: a hard account lock lets anyone lock any staff member out by typing their username five
times, and its distinct answer (423, instantly) told strangers which usernames exist. Here a
source that keeps failing for one username waits before its next try (30 s, doubling, up to
STAFF_LOCKOUT_MINUTES), while the real user at another address is not affected. Unknown
usernames are counted exactly like known ones, so the answers cannot be told apart.

Counts live in Redis (shared by all web processes) and, while Redis is unreachable, in this
process, so the brake never switches off.
"""

from __future__ import annotations

import hashlib
import logging
import math
import threading
import time
from dataclasses import dataclass

import redis
from flask import current_app

from backend.extensions import get_redis

log = logging.getLogger(__name__)
FIRST_WAIT_SECONDS = 30
_PREFIX = "frontdoor:staff-login"


@dataclass(frozen=True)
class Throttle:
    failures: int
    wait_seconds: int


class _LocalCounts:
    """The in-process stand-in while Redis is away: {key: (failures, blocked_until, expires)}."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rows: dict[str, tuple[int, float, float]] = {}

    def blocked_for(self, key: str, now: float) -> float:
        with self._lock:
            _failures, until, expires = self._rows.get(key, (0, 0.0, 0.0))
            return max(0.0, until - now) if expires > now else 0.0

    def fail(self, key: str, now: float, window: int, wait_for) -> Throttle:
        with self._lock:
            failures, _until, expires = self._rows.get(key, (0, 0.0, 0.0))
            failures = failures + 1 if expires > now else 1
            wait = wait_for(failures)
            self._rows[key] = (failures, now + wait, now + window)
            return Throttle(failures, wait)

    def clear(self, key: str) -> None:
        with self._lock:
            self._rows.pop(key, None)


def _local() -> _LocalCounts:
    return current_app.extensions.setdefault("staff_login_local_counts", _LocalCounts())


def _key(username: str, source: str) -> str:
    digest = hashlib.sha256(f"{username}\x1f{source}".encode()).hexdigest()[:32]
    return f"{_PREFIX}:{digest}"


def _wait_for(failures: int) -> int:
    """No wait for the first STAFF_LOCKOUT_ATTEMPTS - 1 failures, then 30 s doubling per
    failure, never more than STAFF_LOCKOUT_MINUTES."""
    config = current_app.config
    over = failures - config["STAFF_LOCKOUT_ATTEMPTS"]
    if over < 0:
        return 0
    return min(FIRST_WAIT_SECONDS * 2 ** min(over, 20), config["STAFF_LOCKOUT_MINUTES"] * 60)


def _window() -> int:
    """Failures are forgotten after four times the longest wait without another one."""
    return current_app.config["STAFF_LOCKOUT_MINUTES"] * 60 * 4


def wait_seconds(username: str, source: str) -> int:
    """How long this source must still wait before trying this username again (0: go on)."""
    key, client, now = _key(username, source), get_redis(), time.time()
    if client is not None:
        try:
            until = client.get(key + ":until")
            return max(0, math.ceil(float(until) - now)) if until else 0
        except redis.RedisError:
            log.warning("redis unreachable: staff login throttle counts in this process")
    return math.ceil(_local().blocked_for(key, now))


def record_failure(username: str, source: str) -> Throttle:
    key, client, now = _key(username, source), get_redis(), time.time()
    if client is not None:
        try:
            with client.pipeline() as pipe:
                pipe.incr(key + ":failures")
                pipe.expire(key + ":failures", _window())
                failures = int(pipe.execute()[0])
            wait = _wait_for(failures)
            if wait:
                client.set(key + ":until", now + wait, ex=wait)
            return Throttle(failures, wait)
        except redis.RedisError:
            log.warning("redis unreachable: staff login throttle counts in this process")
    return _local().fail(key, now, _window(), _wait_for)


def record_success(username: str, source: str) -> None:
    key, client = _key(username, source), get_redis()
    _local().clear(key)
    if client is not None:
        try:
            client.delete(key + ":failures", key + ":until")
        except redis.RedisError:
            log.warning("redis unreachable: staff login throttle not cleared")
