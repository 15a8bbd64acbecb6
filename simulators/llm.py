"""Local language-model APIs: DashScope's text generation and OpenAI's chat completions.

Each speaks its vendor's HTTP protocol and JSON shapes, so our adapters reach it through the real
SDKs (`dashscope`, `openai`) over real HTTP on loopback:

- DashScope: ``POST /api/v1/services/aigc/text-generation/generation`` (the SDK appends
  ``/services/aigc/text-generation/generation`` to its base address, so point it at
  ``server.url + "/api/v1"``). Body ``{"model", "input": {"messages"}, "parameters"}``; answers
  ``{"output": {"choices": [{"finish_reason", "message"}]}, "usage", "request_id"}`` with
  ``result_format: "message"`` (else ``{"output": {"text", "finish_reason"}}``). Errors are HTTP
  4xx/5xx with ``{"code", "message", "request_id"}``, e.g. 401 ``InvalidApiKey``.
- OpenAI: ``POST /v1/chat/completions`` (point the client at ``server.url + "/v1"``); answers a
  ``chat.completion`` object; errors are ``{"error": {"message", "type", "param", "code"}}``.

Both check ``Authorization: Bearer <key>`` against `api_keys`, and, like the real services, reject
``response_format: {"type": "json_object"}`` unless the messages mention "json".

The "model" is a tiny deterministic one that understands Front Door's two prompts
(`conversations.llm.extraction`): for slot extraction it finds the allow-listed concepts' terms
in the patient's words (with simple negation, durations, 0-10 scores, a few chronic diseases and
"对…过敏"); for narrative polishing it echoes the draft. Anything else gets "好的。".

Control endpoints for tests and the demo (not part of either API):

- ``POST /_sim/script`` ``{"mode": "ok"|"garbage"|"invalid_json_schema"|"slow"|"error500"|
  "error429"|"unknown_concept"|"fixed", "delay"?: seconds, "content"?: str}``: how to answer
  from now on. ``slow`` waits ``delay`` (default 5) seconds, then answers as ``ok``; any mode
  waits ``delay`` first if given. ``fixed`` replies ``content`` verbatim.
- ``POST /_sim/reset``: back to ``ok``, forget received requests, release waiting requests.
- ``GET  /_sim/requests`` -> ``{"requests": [{"path", "body", "raw"}, ...]}``: every vendor API
  request received (authorised or not), oldest first; ``raw`` is the body as sent.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any

from flask import Flask, Response, request

# The prompt's landmarks, as the assistant writes them (`conversations.llm.extraction`): the
# simulator reads the request text like a model would and imports nothing of the assistant, so
# it cannot share a bug with it. `tests/simulators/test_llm_protocol.py` keeps the two in step.
EXTRACTION_TASK_MARKER = "【任务：病史信息抽取】"
NARRATIVE_TASK_MARKER = "【任务：病历润色】"
UTTERANCE_TAG = "患者原话"
DRAFT_TAG = "病历草稿"
ALLOW_LIST_HEADING = "可用症状概念（id：名称与常见说法）："
OUTPUT_FORMAT_HEADING = "输出格式（键名固定，不得增加其他键）："

DASHSCOPE_GENERATION_PATH = "/api/v1/services/aigc/text-generation/generation"
OPENAI_CHAT_PATH = "/v1/chat/completions"

MODES = ("ok", "garbage", "invalid_json_schema", "slow", "error500", "error429",
         "unknown_concept", "fixed")
DEFAULT_SLOW_DELAY = 5.0
UNKNOWN_CONCEPT_ID = "not_in_allow_list"
GARBAGE_REPLY = "好的，根据您的描述，我来帮您整理一下：您主要是不舒服……"
SCHEMA_INVALID_REPLY = json.dumps(
    {"symptoms": "头痛", "duration_days": "三天", "severity": 42, "diagnosis": "偏头痛"},
    ensure_ascii=False)

_CHRONIC_DISEASES = ("高血压", "糖尿病", "冠心病", "哮喘", "慢阻肺", "脑梗", "甲亢", "痛风")
_FOODS = ("海鲜", "鸡蛋", "牛奶", "花生", "芒果", "虾", "蟹", "坚果", "小麦")
_NEGATION_BEFORE = re.compile(r"(没有|没|不|无|否认|未)[^，。；,;！!？?\s]{0,2}$")
_CN_NUMBERS = {"半": 0.5, "一": 1, "两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
               "八": 8, "九": 9, "十": 10}
_DURATION = re.compile(r"(\d+(?:\.\d+)?|[半一两二三四五六七八九十])\s*(?:个)?(天|日|周|星期|月)")
_UNIT_DAYS = {"天": 1, "日": 1, "周": 7, "星期": 7, "月": 30}
_SEVERITY = re.compile(r"(\d+)\s*分")
_ALLERGY = re.compile(r"对([^，。；,;！!？?\s]{1,8}?)过敏")


# -- the tiny model -------------------------------------------------------------------------------


def _between(text: str, tag: str) -> str | None:
    match = re.search(f"<{tag}>\\n?(.*?)\\n?</{tag}>", text, re.DOTALL)
    return match.group(1) if match else None


def _allow_list(system: str) -> dict[str, list[str]]:
    start = system.find(ALLOW_LIST_HEADING)
    if start < 0:
        return {}
    end = system.find(OUTPUT_FORMAT_HEADING, start)
    allowed: dict[str, list[str]] = {}
    for line in system[start + len(ALLOW_LIST_HEADING): end if end >= 0 else None].splitlines():
        match = re.match(r"^- (\S+?)：(.+)$", line.strip())
        if match:
            allowed[match.group(1)] = [t for t in match.group(2).split("、") if t]
    return allowed


def _negated(utterance: str, position: int) -> bool:
    return bool(_NEGATION_BEFORE.search(utterance[:position]))


def _extract(system: str, user: str) -> dict[str, Any]:
    utterance = _between(user, UTTERANCE_TAG) or user
    symptoms = []
    for concept, terms in _allow_list(system).items():
        positions = [utterance.find(t) for t in sorted(terms, key=len, reverse=True)
                     if t in utterance]
        if positions:
            symptoms.append({"concept": concept, "negated": _negated(utterance, min(positions))})
    duration = None
    if match := _DURATION.search(utterance):
        amount = match.group(1)
        number = float(amount) if amount[0].isdigit() else _CN_NUMBERS[amount]
        duration = number * _UNIT_DAYS[match.group(2)]
        duration = int(duration) if float(duration).is_integer() else duration
    severity = None
    for match in _SEVERITY.finditer(utterance):
        if 0 <= int(match.group(1)) <= 10:
            severity = int(match.group(1))
            break
    chronic = [d for d in _CHRONIC_DISEASES
               if d in utterance and not _negated(utterance, utterance.find(d))]
    drugs, foods = [], []
    for match in _ALLERGY.finditer(utterance):
        for name in re.split(r"[和、与及]", re.sub(r"(也|都)$", "", match.group(1))):
            if name:
                (foods if any(food in name for food in _FOODS) else drugs).append(name)
    return {"symptoms": symptoms, "duration_days": duration, "severity": severity,
            "chronic_diseases": chronic, "drug_allergies": drugs, "food_allergies": foods}


def tiny_model(messages: list[dict[str, Any]], mode: str = "ok") -> str:
    """The simulators' deterministic reply to `messages` in `mode` (one of the content modes)."""
    system = "\n".join(str(m.get("content", "")) for m in messages if m.get("role") == "system")
    user = "\n".join(str(m.get("content", "")) for m in messages if m.get("role") == "user")
    if mode == "garbage":
        return GARBAGE_REPLY
    if mode == "invalid_json_schema":
        return SCHEMA_INVALID_REPLY
    if EXTRACTION_TASK_MARKER in system:
        slots = _extract(system, user)
        if mode == "unknown_concept":
            slots["symptoms"].append({"concept": UNKNOWN_CONCEPT_ID, "negated": False})
        return json.dumps(slots, ensure_ascii=False)
    if NARRATIVE_TASK_MARKER in system:
        draft = _between(user, DRAFT_TAG)
        return draft.strip() if draft is not None else ""
    return "好的。"


# -- state ----------------------------------------------------------------------------------------


@dataclass
class Script:
    mode: str = "ok"
    delay: float = 0.0
    content: str = ""


class VendorError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


class ControlError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class LlmSimulatorState:
    """A simulator's script and received requests; every method is thread-safe."""

    def __init__(self, api_keys: set[str]) -> None:
        self.api_keys = frozenset(api_keys)
        self._lock = threading.Lock()
        self._script = Script()
        self._requests: list[dict[str, Any]] = []
        self._release = threading.Event()

    def set_script(self, mode: str, delay: float = 0.0, content: str = "") -> Script:
        with self._lock:
            self._script = Script(mode, delay, content)
            return self._script

    def script(self) -> Script:
        with self._lock:
            return Script(self._script.mode, self._script.delay, self._script.content)

    def reset(self) -> None:
        with self._lock:
            self._script = Script()
            self._requests = []
            release, self._release = self._release, threading.Event()
        release.set()

    def record(self, path: str, raw: str, body: Any) -> None:
        with self._lock:
            self._requests.append({"path": path, "body": body, "raw": raw})

    def requests(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(entry) for entry in self._requests]

    def wait(self, seconds: float) -> None:
        """Sleep up to `seconds`; a reset wakes every sleeper early."""
        if seconds > 0:
            with self._lock:
                release = self._release
            release.wait(seconds)

    def authorised(self, header: str | None) -> bool:
        if not header or not header.startswith("Bearer "):
            return False
        key = header[len("Bearer "):].strip().encode()
        return any(secrets.compare_digest(key, known.encode()) for known in self.api_keys)


def _json(payload: Any, status: int = 200) -> Response:
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return Response(body, status=status, mimetype="application/json")


def _received(state: LlmSimulatorState) -> Any:
    raw = request.get_data(as_text=True)
    try:
        body = json.loads(raw) if raw else None
    except ValueError:
        body = None
    state.record(request.path, raw, body)
    return body


def _checked_messages(body: Any, messages: Any, response_format: Any) -> list[dict[str, Any]]:
    if not isinstance(body, dict) or not isinstance(body.get("model"), str) or not body["model"]:
        raise VendorError(400, "InvalidParameter", "model is required")
    if not isinstance(messages, list) or not messages:
        raise VendorError(400, "InvalidParameter", "messages must be a non-empty list")
    for message in messages:
        if (not isinstance(message, dict)
                or message.get("role") not in ("system", "user", "assistant")
                or not isinstance(message.get("content"), str)):
            raise VendorError(400, "InvalidParameter", "invalid message in messages")
    if isinstance(response_format, dict) and response_format.get("type") == "json_object":
        if not any("json" in m["content"].lower() for m in messages):
            raise VendorError(
                400, "InvalidParameter",
                "'messages' must contain the word 'json' in some form, to use "
                "'response_format' of type 'json_object'.")
    return messages


def _scripted_reply(state: LlmSimulatorState, messages: list[dict[str, Any]]) -> str:
    """The reply text, after the scripted delay; raises VendorError for the error modes."""
    script = state.script()
    delay = script.delay or (DEFAULT_SLOW_DELAY if script.mode == "slow" else 0.0)
    state.wait(delay)
    if script.mode == "error500":
        raise VendorError(500, "InternalError", "An internal error has occured, please try "
                          "again later or contact service support.")
    if script.mode == "error429":
        raise VendorError(429, "Throttling.RateQuota",
                          "Requests rate limit exceeded, please try again later.")
    if script.mode == "fixed":
        return script.content
    return tiny_model(messages, "ok" if script.mode == "slow" else script.mode)


def _token_count(text: str) -> int:
    return max(1, len(text) // 2)


def _install_control(app: Flask, state: LlmSimulatorState) -> None:
    @app.errorhandler(ControlError)
    def _control_error(exc: ControlError) -> Response:
        return _json({"error": exc.message}, exc.status)

    @app.post("/_sim/script")
    def script() -> Response:
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            raise ControlError(400, "expected a JSON object")
        mode, delay, content = body.get("mode", "ok"), body.get("delay", 0), body.get("content", "")
        if mode not in MODES:
            raise ControlError(400, f"mode must be one of {', '.join(MODES)}")
        if isinstance(delay, bool) or not isinstance(delay, int | float) or delay < 0:
            raise ControlError(400, "delay must be a non-negative number of seconds")
        if not isinstance(content, str):
            raise ControlError(400, "content must be a string")
        current = state.set_script(mode, float(delay), content)
        return _json({"mode": current.mode, "delay": current.delay})

    @app.post("/_sim/reset")
    def reset() -> Response:
        state.reset()
        return _json({"mode": "ok"})

    @app.get("/_sim/requests")
    def received() -> Response:
        return _json({"requests": state.requests()})


def create_dashscope_simulator(api_keys: set[str]) -> Flask:
    """A WSGI app simulating DashScope text generation for callers holding one of `api_keys`.

    The state object is at ``app.extensions["llm_simulator"]`` (an LlmSimulatorState).
    """
    app = Flask(__name__)
    state = LlmSimulatorState(api_keys)
    app.extensions["llm_simulator"] = state
    _install_control(app, state)

    @app.errorhandler(VendorError)
    def _vendor_error(exc: VendorError) -> Response:
        return _json({"code": exc.code, "message": exc.message,
                      "request_id": str(uuid.uuid4())}, exc.status)

    @app.post(DASHSCOPE_GENERATION_PATH)
    def generation() -> Response:
        body = _received(state)
        if not state.authorised(request.headers.get("Authorization")):
            raise VendorError(401, "InvalidApiKey", "Invalid API-key provided.")
        model_input = body.get("input") if isinstance(body, dict) else None
        parameters = (body.get("parameters") if isinstance(body, dict) else None) or {}
        if not isinstance(parameters, dict):
            raise VendorError(400, "InvalidParameter", "parameters must be an object")
        messages = _checked_messages(
            body, model_input.get("messages") if isinstance(model_input, dict) else None,
            parameters.get("response_format"))
        reply = _scripted_reply(state, messages)
        prompt_tokens = _token_count("".join(m["content"] for m in messages))
        usage = {"input_tokens": prompt_tokens, "output_tokens": _token_count(reply),
                 "total_tokens": prompt_tokens + _token_count(reply)}
        if parameters.get("result_format") == "message":
            output: dict[str, Any] = {"choices": [{
                "finish_reason": "stop",
                "message": {"role": "assistant", "content": reply},
            }]}
        else:
            output = {"text": reply, "finish_reason": "stop"}
        return _json({"output": output, "usage": usage, "request_id": str(uuid.uuid4())})

    return app


def create_openai_simulator(api_keys: set[str]) -> Flask:
    """A WSGI app simulating OpenAI chat completions for callers holding one of `api_keys`.

    The state object is at ``app.extensions["llm_simulator"]`` (an LlmSimulatorState).
    """
    app = Flask(__name__)
    state = LlmSimulatorState(api_keys)
    app.extensions["llm_simulator"] = state
    _install_control(app, state)
    error_types = {400: "invalid_request_error", 401: "invalid_request_error",
                   429: "requests", 500: "server_error"}
    error_codes = {"InvalidApiKey": "invalid_api_key",
                   "Throttling.RateQuota": "rate_limit_exceeded"}

    @app.errorhandler(VendorError)
    def _vendor_error(exc: VendorError) -> Response:
        message = {"InvalidApiKey": "Incorrect API key provided.",
                   "InternalError": "The server had an error while processing your request. "
                                    "Sorry about that!"}.get(exc.code, exc.message)
        return _json({"error": {"message": message,
                                "type": error_types.get(exc.status, "invalid_request_error"),
                                "param": None, "code": error_codes.get(exc.code)}}, exc.status)

    @app.post(OPENAI_CHAT_PATH)
    def chat_completions() -> Response:
        body = _received(state)
        if not state.authorised(request.headers.get("Authorization")):
            raise VendorError(401, "InvalidApiKey", "Incorrect API key provided.")
        messages = _checked_messages(
            body, body.get("messages") if isinstance(body, dict) else None,
            body.get("response_format") if isinstance(body, dict) else None)
        reply = _scripted_reply(state, messages)
        prompt_tokens = _token_count("".join(m["content"] for m in messages))
        return _json({
            "id": "chatcmpl-" + uuid.uuid4().hex,
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body["model"],
            "choices": [{
                "index": 0,
                "message": {"role": "assistant", "content": reply},
                "logprobs": None,
                "finish_reason": "stop",
            }],
            "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": _token_count(reply),
                      "total_tokens": prompt_tokens + _token_count(reply)},
        })

    return app
