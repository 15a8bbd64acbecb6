"""Aliyun 语音服务 (VMS) 智能外呼 as a call provider: Aliyun dials, plays, recognises and
barges in itself; we exchange text with it.

- `SmartCall` (OpenAPI, RPC style, version 2017-05-25) starts the call; every request is signed
  as Aliyun's RPC signature method 1.0 prescribes (HMAC-SHA1 over the sorted, percent-encoded
  parameters with the AccessKey secret + "&"), with a fresh SignatureNonce and a UTC Timestamp.
- The 智能外呼回调 HTTP interface then POSTs each thing the resident says (`call_id`,
  `timestamp`, `content_type` normal | mute | …, `content` JSON with `words`) and takes the next
  action in the answer. Our reading of that answer's fields (`action` play | hangup | transfer,
  `action_code`, `action_code_param`, `action_code_break`, `number`) must be checked with the
  console's test button before going live.
- Call results (busy, no answer …) arrive as 回执 messages (VoiceReport `status_code`).

The callback is answered by a web process while the dialogue runs in a worker, so the two meet
through an `Exchange` (Redis in the backend, queues in tests): the callback puts what was heard
and waits briefly for the dialogue's reply.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import queue
import threading
import uuid
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import quote

import requests

from followup.calls.policy import Disposition
from followup.calls.telephony.base import (
    AnsweredCall,
    CallRequest,
    Dialled,
    Heard,
    SpeechAudio,
    TelephonyError,
    TelephonyGateway,
)

API_VERSION = "2017-05-25"
# VoiceReport status codes (回执) → how ringing ended.
STATUS = {"200000": Disposition.ANSWERED, "200002": Disposition.BUSY,
          "200005": Disposition.NO_ANSWER, "200003": Disposition.NO_ANSWER,
          "200010": Disposition.FAILED, "200011": Disposition.FAILED}


def percent_encode(value: str) -> str:
    return quote(str(value), safe="~")


def signature(params: dict[str, str], secret: str, method: str = "POST") -> str:
    """Aliyun RPC signature 1.0 of `params` (without Signature)."""
    canonical = "&".join(f"{percent_encode(k)}={percent_encode(v)}"
                         for k, v in sorted(params.items()))
    to_sign = f"{method}&{percent_encode('/')}&{percent_encode(canonical)}"
    digest = hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


class VmsClient:
    """The few VMS OpenAPI actions the caller uses, signed, over HTTPS."""

    def __init__(self, access_key_id: str, access_key_secret: str, *,
                 endpoint: str = "https://dyvmsapi.aliyuncs.com/", region: str = "cn-hangzhou",
                 timeout: float = 10.0) -> None:
        if not access_key_id or not access_key_secret:
            raise ValueError("an AccessKey id and secret are required")
        self.key_id, self._secret = access_key_id, access_key_secret
        self.endpoint, self.region, self.timeout = endpoint, region, timeout

    def call(self, action: str, **params: str) -> dict:
        signed = {"Action": action, "Format": "JSON", "Version": API_VERSION,
                  "AccessKeyId": self.key_id, "SignatureMethod": "HMAC-SHA1",
                  "SignatureVersion": "1.0", "SignatureNonce": uuid.uuid4().hex,
                  "Timestamp": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                  "RegionId": self.region, **{k: str(v) for k, v in params.items()}}
        signed["Signature"] = signature(signed, self._secret)
        try:
            response = requests.post(self.endpoint, data=signed, timeout=self.timeout)
            body = response.json()
        except (requests.RequestException, ValueError) as exc:
            raise TelephonyError(f"Aliyun VMS unreachable: {type(exc).__name__}") from exc
        if body.get("Code") != "OK":
            transient = response.status_code >= 500 or body.get("Code") == "Throttling.User"
            raise TelephonyError(f"Aliyun VMS refused {action}: {body.get('Code')}",
                                 transient=transient)
        return body

    def smart_call(self, *, called_number: str, show_number: str, voice_code: str,
                   out_id: str, record: bool = True) -> str:
        body = self.call("SmartCall", CalledNumber=called_number, CalledShowNumber=show_number,
                         VoiceCode=voice_code, OutId=out_id[:15], RecordFlag=str(record).lower(),
                         ActionCodeBreak="true", PauseTime="800", MuteTime="8000")
        return body["CallId"]


@dataclass(frozen=True)
class CallEvent:
    """What the provider said about a call: words heard, silence, or that it ended."""

    kind: str  # words | mute | ended
    text: str = ""
    disposition: Disposition | None = None


class Exchange(Protocol):
    """Where the callback side and the dialogue side of one call meet."""

    def put_event(self, call_id: str, event: CallEvent) -> None: ...
    def next_event(self, call_id: str, timeout: float) -> CallEvent | None: ...
    def put_reply(self, call_id: str, reply: dict) -> None: ...
    def next_reply(self, call_id: str, timeout: float) -> dict | None: ...


class QueueExchange:
    """An `Exchange` inside one process (tests, a single-process deployment)."""

    def __init__(self) -> None:
        self._queues: dict[tuple[str, str], queue.Queue] = {}
        self._lock = threading.Lock()

    def _queue(self, call_id: str, kind: str) -> queue.Queue:
        with self._lock:
            return self._queues.setdefault((call_id, kind), queue.Queue())

    def put_event(self, call_id: str, event: CallEvent) -> None:
        self._queue(call_id, "event").put(event)

    def next_event(self, call_id: str, timeout: float) -> CallEvent | None:
        try:
            return self._queue(call_id, "event").get(timeout=timeout)
        except queue.Empty:
            return None

    def put_reply(self, call_id: str, reply: dict) -> None:
        self._queue(call_id, "reply").put(reply)

    def next_reply(self, call_id: str, timeout: float) -> dict | None:
        try:
            return self._queue(call_id, "reply").get(timeout=timeout)
        except queue.Empty:
            return None


WAIT_FOR_REPLY = 4.0  # seconds a callback waits for the dialogue (Aliyun waits a few seconds)
CONTINUE = {"action": "continue"}  # nothing new to say: keep listening


def answer_callback(exchange: Exchange, form: dict[str, str]) -> dict:
    """Answer one 智能外呼回调: hand over what was heard, return the dialogue's next action."""
    call_id = form.get("call_id", "")
    if not call_id:
        raise ValueError("call_id is missing")
    try:
        content = json.loads(form.get("content") or "{}")
    except ValueError as exc:
        raise ValueError("content is not JSON") from exc
    kind = form.get("content_type", "normal")
    if kind == "normal":
        exchange.put_event(call_id, CallEvent("words", str(content.get("words", ""))))
    elif kind == "mute":
        exchange.put_event(call_id, CallEvent("mute"))
    else:
        return CONTINUE
    return exchange.next_reply(call_id, WAIT_FOR_REPLY) or CONTINUE


def report_ended(exchange: Exchange, call_id: str, status_code: str) -> None:
    """A VoiceReport (回执) for the call: how it ended."""
    exchange.put_event(call_id, CallEvent("ended", disposition=STATUS.get(
        str(status_code), Disposition.FAILED)))


class AliyunSmartCallGateway(TelephonyGateway):
    name = "aliyun"
    speaks_itself = True

    def __init__(self, client: VmsClient, exchange: Exchange, *, show_number: str,
                 voice_code: str) -> None:
        self.client, self.exchange = client, exchange
        self.show_number, self.voice_code = show_number, voice_code

    def dial(self, request: CallRequest) -> Dialled:
        call_id = self.client.smart_call(called_number=request.number,
                                         show_number=self.show_number,
                                         voice_code=self.voice_code, out_id=request.call_id)
        event = self.exchange.next_event(call_id, request.ring_seconds + 30)
        if event is None:
            return Dialled(Disposition.FAILED, cause="no callback from Aliyun")
        if event.kind == "ended":
            return Dialled(event.disposition or Disposition.FAILED, cause=call_id)
        return Dialled(Disposition.ANSWERED, AliyunCall(self, call_id, first=event), call_id)


class AliyunCall(AnsweredCall):
    """Turns of an answered 智能外呼: each reply goes back on the pending callback."""

    LISTEN_SECONDS = 20.0

    def __init__(self, gateway: AliyunSmartCallGateway, call_id: str, first: CallEvent) -> None:
        self.gateway, self.call_id = gateway, call_id
        self._first: CallEvent | None = first
        self._last_words = ""
        self.ended = False

    def say(self, text: str, audio: SpeechAudio | None, *, listen: bool,
            wait_ms: int | None = None) -> Heard:
        if self.ended:
            return Heard(hung_up=True)
        if not text and self._first is not None:  # the resident's first words ("喂")
            first, self._first = self._first, None
            return Heard(text=first.text)
        self._first = None
        if text and not listen:
            self._last_words = text  # said with the closing action (hang_up / transfer)
            return Heard()
        if text:
            self.gateway.exchange.put_reply(self.call_id, {
                "action": "play", "action_code": self.gateway.voice_code,
                "action_code_param": json.dumps({"text": text}, ensure_ascii=False),
                "action_code_break": True})
        event = self.gateway.exchange.next_event(self.call_id, self.LISTEN_SECONDS)
        if event is None or event.kind == "ended":
            self.ended = True
            return Heard(hung_up=True)
        return Heard(text=event.text if event.kind == "words" else "")

    def transfer(self, destination: str) -> None:
        self._close({"action": "transfer", "number": destination})

    def hang_up(self) -> None:
        self._close({"action": "hangup"})

    def _close(self, reply: dict) -> None:
        if self.ended:
            return
        words = self._last_words
        if words:
            reply = {**reply, "action_code": self.gateway.voice_code,
                     "action_code_param": json.dumps({"text": words}, ensure_ascii=False)}
        self.gateway.exchange.put_reply(self.call_id, reply)
        self.ended = True

    def recording(self) -> bytes | None:
        return None  # Aliyun keeps it; fetched with its recording API when the hospital asks
