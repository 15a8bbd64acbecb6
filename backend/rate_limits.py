"""Rate limits (限流): fixed windows counted in Redis with one script call per request.

Why our own: flask-limiter resolved every endpoint's limits in Python on each request before
its Redis call, a sixth of the CPU of a 就诊人 read. The rules are the same as before: every
endpoint has the default limit per client address (its own count per endpoint) unless it is
exempt or declares its own limit (`@limiter.limit`, which then replaces the default for the
methods it names); counts live in Redis, so every worker shares them; while Redis is
unreachable they are counted in this process instead of switched off. A refusal raises
`RateLimited` (429 with Retry-After, the seconds left in the window).
"""

from __future__ import annotations

import functools
import logging
import math
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import redis
from flask import Flask, current_app, request
from werkzeug.exceptions import TooManyRequests

log = logging.getLogger(__name__)

KEY_PREFIX = "frontdoor:ratelimit"
_LIMITS_ATTR = "_frontdoor_rate_limits"
_EXEMPT_ATTR = "_frontdoor_rate_limit_exempt"
_UNITS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
_ONE = re.compile(r"^\s*(\d+)\s*(?:per|/)\s*(\d+)?\s*(second|minute|hour|day)s?\s*$")

# For each counter (KEYS[i], window ARGV[i] ms): count this request, start the window on its
# first request; answer every count with the milliseconds left in its window.
_FIXED_WINDOWS = """
local answer = {}
for i, key in ipairs(KEYS) do
  local count = redis.call('INCR', key)
  local left = redis.call('PTTL', key)
  if left < 0 then
    left = tonumber(ARGV[i])
    redis.call('PEXPIRE', key, left)
  end
  answer[#answer + 1] = count
  answer[#answer + 1] = left
end
return answer
"""


class RateLimited(TooManyRequests):
    """Too many requests in a window; `retry_after` seconds until it ends."""

    def __init__(self, limit: Limit, retry_after: int) -> None:
        super().__init__(f"{limit.amount} per {limit.seconds} seconds")
        self.limit, self.retry_after = limit, retry_after


@dataclass(frozen=True)
class Limit:
    amount: int
    seconds: int


@functools.lru_cache(maxsize=64)
def parse_limits(text: str) -> tuple[Limit, ...]:
    """"300 per minute", "10/hour", "5 per 10 seconds"; several joined by ';' or ','."""
    limits = []
    for part in filter(str.strip, re.split(r"[;,]", text)):
        match = _ONE.match(part.lower())
        if not match:
            raise ValueError(f"not a rate limit: {part!r} (e.g. '300 per minute')")
        amount, multiple, unit = match.groups()
        limits.append(Limit(int(amount), int(multiple or 1) * _UNITS[unit]))
    if not limits:
        raise ValueError(f"no rate limit in {text!r}")
    return tuple(limits)


class _LocalCounts:
    """Fixed windows in this process: used while Redis is unreachable (or absent)."""

    def __init__(self) -> None:
        self._counts: dict[str, tuple[int, float]] = {}
        self._lock = threading.Lock()

    def hit(self, keys: list[str], windows: list[int]) -> list[tuple[int, float]]:
        now = time.monotonic()
        answers = []
        with self._lock:
            if len(self._counts) > 10_000:  # forget windows that ended
                self._counts = {k: v for k, v in self._counts.items() if v[1] > now}
            for key, seconds in zip(keys, windows, strict=True):
                count, ends = self._counts.get(key, (0, 0.0))
                if ends <= now:
                    count, ends = 0, now + seconds
                self._counts[key] = (count + 1, ends)
                answers.append((count + 1, ends - now))
        return answers


class _Counter:
    """Redis when it answers; after a failure, this process's counts for a while (doubling up
    to a minute) before Redis is tried again."""

    def __init__(self, url: str | None) -> None:
        self._redis = (redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
                       if url else None)
        self._script = self._redis.register_script(_FIXED_WINDOWS) if self._redis else None
        self._local = _LocalCounts()
        self._retry_at, self._backoff = 0.0, 0.0

    def hit(self, keys: list[str], windows: list[int]) -> list[tuple[int, float]]:
        """(count including this request, seconds left in the window) of each key."""
        if self._script is not None and time.monotonic() >= self._retry_at:
            try:
                flat = self._script(keys=keys, args=[seconds * 1000 for seconds in windows])
            except (redis.ConnectionError, redis.TimeoutError) as exc:
                self._backoff = min(max(self._backoff * 2, 1.0), 60.0)
                self._retry_at = time.monotonic() + self._backoff
                log.warning("rate limits counted in this process: Redis unreachable",
                            extra={"error": str(exc), "retry_in_s": self._backoff})
            else:
                self._backoff = 0.0
                return [(flat[i], flat[i + 1] / 1000) for i in range(0, len(flat), 2)]
        return self._local.hit(keys, windows)


@dataclass(frozen=True)
class _RouteLimit:
    limit_text: Callable[[], str]
    key: Callable[[], str]
    methods: frozenset[str] | None


class RateLimiter:
    """The app's rate limiter; `limit` and `exempt` decorate views, `init_app` binds it."""

    def __init__(self, key_func: Callable[[], str]) -> None:
        self.key_func = key_func

    def init_app(self, app: Flask) -> None:
        app.extensions["rate_limits"] = _Counter(app.config["REDIS_URL"] or None)
        app.extensions["rate_limit_routes"] = {}  # endpoint -> (exempt, own methods)
        if app.config["RATELIMIT_ENABLED"]:
            app.before_request(self._check_default)

    def limit(self, limit_text: Callable[[], str], key_func: Callable[[], str] | None = None,
              methods: Iterable[str] | None = None):
        """The view's own limit (instead of the default) for `methods` (all when None),
        checked where the decorator sits: below `require_…`, after authentication."""
        route = _RouteLimit(limit_text, key_func or self.key_func,
                            frozenset(m.upper() for m in methods) if methods else None)

        def decorator(view):
            @functools.wraps(view)
            def limited(*args: Any, **kwargs: Any):
                if route.methods is None or request.method in route.methods:
                    self.check(route.limit_text(), route.key())
                return view(*args, **kwargs)

            setattr(limited, _LIMITS_ATTR, route)
            return limited

        return decorator

    @staticmethod
    def exempt(view):
        """No limit at all (health checks, the gateways' signed callbacks)."""
        setattr(view, _EXEMPT_ATTR, True)
        return view

    def check(self, limit_text: str, key: str, scope: str | None = None) -> None:
        """Count this request against `limit_text` for `key` in `scope` (the endpoint)."""
        if not current_app.config["RATELIMIT_ENABLED"]:
            return
        limits = parse_limits(limit_text)
        scope = scope or request.endpoint
        keys = [f"{KEY_PREFIX}:{scope}:{key}:{lim.amount}/{lim.seconds}" for lim in limits]
        counts = current_app.extensions["rate_limits"].hit(keys, [lim.seconds for lim in limits])
        for lim, (count, left) in zip(limits, counts, strict=True):
            if count > lim.amount:
                raise RateLimited(lim, max(1, math.ceil(left)))

    def _check_default(self) -> None:
        endpoint = request.endpoint
        if endpoint is None or endpoint.rpartition(".")[2] == "static":
            return  # no route (a 404) or a static file
        routes = current_app.extensions["rate_limit_routes"]
        policy = routes.get(endpoint)
        if policy is None:
            view = current_app.view_functions[endpoint]
            own = getattr(view, _LIMITS_ATTR, None)
            policy = routes[endpoint] = (
                getattr(view, _EXEMPT_ATTR, False),
                None if own is None else (own.methods or frozenset({"*"})))
        exempt, own_methods = policy
        if exempt or (own_methods is not None
                      and ("*" in own_methods or request.method in own_methods)):
            return
        self.check(current_app.config["RATELIMIT_DEFAULT"], self.key_func(), endpoint)
