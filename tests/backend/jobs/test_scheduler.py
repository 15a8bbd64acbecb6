"""One scheduler leads; when it dies a standby takes over within the lease TTL."""

from __future__ import annotations

import signal
import time

import redis

from backend.scheduler import LOCK_KEY, LeaderLease
from tests.conftest import REDIS_URL
from tests.helpers_process import frontdoor


def _holder(client: redis.Redis) -> str | None:
    value = client.get(LOCK_KEY)
    return value.decode() if value else None


def _wait_for(predicate, seconds: float):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.1)
    return None


def test_lease_is_exclusive_and_only_the_holder_renews(app):
    client = redis.Redis.from_url(REDIS_URL)
    first, second = LeaderLease(client, 5), LeaderLease(client, 5)
    assert first.acquire() is True
    assert second.acquire() is False
    assert second.renew() is False
    assert first.renew() is True
    second.release()
    assert _holder(client) == first.token
    first.release()
    assert _holder(client) is None
    assert second.acquire() is True


def test_a_standby_scheduler_takes_over_when_the_leader_dies(app):
    client = redis.Redis.from_url(REDIS_URL)
    processes = [frontdoor("scheduler", SCHEDULER_LOCK_TTL_SECONDS="2") for _ in range(2)]
    try:
        leader_token = _wait_for(lambda: _holder(client), 20)
        assert leader_token, "no scheduler became leader"
        pids = {p.pid: p for p in processes}
        leader_pid = int(leader_token.split(":")[1])
        assert leader_pid in pids
        time.sleep(2.5)
        assert _holder(client) == leader_token, "the leader must keep renewing its lease"
        pids[leader_pid].send_signal(signal.SIGKILL)
        new_token = _wait_for(lambda: (h := _holder(client)) and h != leader_token and h, 10)
        assert new_token, "the standby did not take over"
        standby_pid = int(new_token.split(":")[1])
        assert standby_pid != leader_pid and standby_pid in pids
        pids[standby_pid].send_signal(signal.SIGTERM)
        pids[standby_pid].wait(timeout=10)
        assert _holder(client) is None, "a stopping leader hands the lease back at once"
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=10)
