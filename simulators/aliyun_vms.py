"""A local Aliyun 语音服务 (VMS) for the 智能外呼 (SmartCall) path of the AI follow-up caller.

The OpenAPI endpoint checks every request as Aliyun does: a known AccessKeyId, the RPC
signature 1.0 (HMAC-SHA1 of the sorted, percent-encoded parameters under secret + "&"), a
Timestamp within 15 minutes and a SignatureNonce never seen before — else the error codes
Aliyun answers (InvalidAccessKeyId.NotFound, SignatureDoesNotMatch, InvalidTimeStamp.Expired,
SignatureNonceUsed). `SmartCall` returns a CallId, then a scripted callee plays out in a thread:
busy or no answer become a VoiceReport (回执) POSTed as JSON to `report_url`; an answered call
POSTs each thing the callee says to `callback_url` (the 智能外呼回调 form: call_id, timestamp,
content_type, content) and follows the action in the answer (play, hangup, transfer).
`GET /_sim/calls` lists what happened, for tests and the demo.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
import uuid
from dataclasses import asdict, dataclass, field

import requests
from flask import Flask, jsonify, request

from followup.calls.telephony.aliyun import signature


@dataclass
class TextCallee:
    attempts: list[str]  # per dial: answer | busy | no_answer (the last repeats)
    replies: list[str] = field(default_factory=list)
    dialled: int = 0


@dataclass
class SmartCallLog:
    call_id: str
    number: str
    out_id: str
    attempt: str
    said: list[str] = field(default_factory=list)
    actions: list[dict] = field(default_factory=list)
    transferred_to: str | None = None
    ended_by: str | None = None


class AliyunVmsSimulator:
    def __init__(self, access_keys: dict[str, str], *, callback_url: str = "",
                 report_url: str = "") -> None:
        self.access_keys = access_keys
        self.callback_url, self.report_url = callback_url, report_url
        self.callees: dict[str, TextCallee] = {}
        self.calls: dict[str, SmartCallLog] = {}
        self._nonces: set[str] = set()
        self._threads: dict[str, threading.Thread] = {}
        self._lock = threading.Lock()
        self.app = self._build()

    def _build(self) -> Flask:
        app = Flask("aliyun-vms-simulator")

        @app.post("/")
        def openapi():
            params = request.form.to_dict()
            problem = self._check(params)
            if problem:
                return jsonify({"Code": problem, "Message": problem,
                                "RequestId": uuid.uuid4().hex}), 400
            if params.get("Action") != "SmartCall":
                return jsonify({"Code": "InvalidAction.NotFound"}), 404
            return jsonify(self._smart_call(params))

        @app.get("/_sim/calls")
        def calls():
            return jsonify({"calls": [asdict(c) for c in self.calls.values()]})

        return app

    def _check(self, params: dict[str, str]) -> str | None:
        secret = self.access_keys.get(params.get("AccessKeyId", ""))
        if secret is None:
            return "InvalidAccessKeyId.NotFound"
        given = params.pop("Signature", "")
        if signature(params, secret) != given:
            return "SignatureDoesNotMatch"
        try:
            stamp = dt.datetime.strptime(params["Timestamp"], "%Y-%m-%dT%H:%M:%SZ").replace(
                tzinfo=dt.UTC)
        except (KeyError, ValueError):
            return "InvalidTimeStamp.Format"
        if abs((dt.datetime.now(dt.UTC) - stamp).total_seconds()) > 900:
            return "InvalidTimeStamp.Expired"
        with self._lock:
            if params.get("SignatureNonce") in self._nonces:
                return "SignatureNonceUsed"
            self._nonces.add(params.get("SignatureNonce", ""))
        for required in ("CalledNumber", "CalledShowNumber", "VoiceCode"):
            if not params.get(required):
                return f"MissingParameter.{required}"
        return None

    def _smart_call(self, params: dict[str, str]) -> dict:
        call_id = f"{int(time.time() * 1000)}^{uuid.uuid4().int % 10**10}"
        callee = self.callees.get(params["CalledNumber"]) or TextCallee(["no_answer"])
        attempt = callee.attempts[min(callee.dialled, len(callee.attempts) - 1)]
        callee.dialled += 1
        log = self.calls[call_id] = SmartCallLog(call_id, params["CalledNumber"],
                                                 params.get("OutId", ""), attempt)
        thread = self._threads[call_id] = threading.Thread(
            target=self._play, args=(log, list(callee.replies)), daemon=True)
        thread.start()
        return {"Code": "OK", "Message": "OK", "RequestId": uuid.uuid4().hex, "CallId": call_id}

    def finished(self, number: str, timeout: float = 30) -> SmartCallLog:
        """The last call to `number`, once its callee has played out."""
        log = [c for c in self.calls.values() if c.number == number][-1]
        self._threads[log.call_id].join(timeout)
        return log

    def _play(self, log: SmartCallLog, replies: list[str]) -> None:
        time.sleep(0.05)
        if log.attempt != "answer":
            code = {"busy": "200002", "no_answer": "200005"}.get(log.attempt, "200010")
            self._report(log, code)
            return
        words = ["喂，你好", *replies]
        silences = 0
        while True:
            if words:
                text = words.pop(0)
                log.said.append(text)
                action = self._callback(log, "normal", {"words": text, "begin_offset": "0",
                                                        "end_offset": "1000"})
            else:
                silences += 1
                if silences > 2:
                    log.ended_by = "callee"
                    self._report(log, "200000")
                    return
                action = self._callback(log, "mute", {})
            log.actions.append(action)
            if action.get("action") == "hangup":
                log.ended_by = "caller"
                return
            if action.get("action") == "transfer":
                log.transferred_to = action.get("number")
                return

    def _callback(self, log: SmartCallLog, kind: str, content: dict) -> dict:
        form = {"call_id": log.call_id, "timestamp": str(int(time.time() * 1000)),
                "content_type": kind, "content": json.dumps(content, ensure_ascii=False)}
        try:
            return requests.post(self.callback_url, data=form, timeout=10).json()
        except (requests.RequestException, ValueError):
            return {"action": "hangup"}

    def _report(self, log: SmartCallLog, status_code: str) -> None:
        report = [{"call_id": log.call_id, "out_id": log.out_id, "status_code": status_code,
                   "status_msg": status_code, "callee": log.number}]
        try:
            requests.post(self.report_url, json=report, timeout=10)
        except requests.RequestException:
            pass
