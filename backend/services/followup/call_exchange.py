"""Where Aliyun's 智能外呼回调 (answered by any web process) meets the dialogue (running in a
`calls` worker): two Redis lists per call, what was heard and what to say next, each expiring
an hour after its last use."""

from __future__ import annotations

import json
from dataclasses import asdict

import redis

from followup.calls.policy import Disposition
from followup.calls.telephony.aliyun import CallEvent

PREFIX = "frontdoor:call:"
TTL_SECONDS = 3600


class RedisExchange:
    def __init__(self, client: redis.Redis) -> None:
        self.client = client

    def _push(self, key: str, value: dict) -> None:
        with self.client.pipeline() as pipe:
            pipe.rpush(key, json.dumps(value, ensure_ascii=False))
            pipe.expire(key, TTL_SECONDS)
            pipe.execute()

    def _pop(self, key: str, timeout: float) -> dict | None:
        found = self.client.blpop([key], timeout=max(1, round(timeout)))
        return json.loads(found[1]) if found else None

    def put_event(self, call_id: str, event: CallEvent) -> None:
        self._push(f"{PREFIX}{call_id}:event", asdict(event))

    def next_event(self, call_id: str, timeout: float) -> CallEvent | None:
        found = self._pop(f"{PREFIX}{call_id}:event", timeout)
        if found is None:
            return None
        disposition = found.get("disposition")
        return CallEvent(found["kind"], found.get("text", ""),
                         Disposition(disposition) if disposition else None)

    def put_reply(self, call_id: str, reply: dict) -> None:
        self._push(f"{PREFIX}{call_id}:reply", reply)

    def next_reply(self, call_id: str, timeout: float) -> dict | None:
        return self._pop(f"{PREFIX}{call_id}:reply", timeout)
