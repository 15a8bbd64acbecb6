"""A local Alibaba Cloud SMS (阿里云短信服务, dysmsapi.aliyuncs.com, API version 2017-05-25).

Speaks the OpenAPI the official SDK (`alibabacloud_dysmsapi20170525`) uses: an RPC-style
``POST /`` with ``x-acs-action: SendSms`` and the parameters in the query string, signed with
the V3 scheme (``Authorization: ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=…,Signature=…``
over the canonical request). The simulator recomputes the signature with the AccessKey secret
and answers like Alibaba Cloud:

- success: HTTP 200 ``{"Code": "OK", "Message": "OK", "BizId", "RequestId"}``;
- a refused request (bad signature, unknown AccessKey, stale date, reused nonce): HTTP 4xx with
  ``{"Code": "SignatureDoesNotMatch" | "InvalidAccessKeyId.NotFound" | …, "Message"}``;
- a business refusal: HTTP 200 with ``Code`` ``isv.MOBILE_NUMBER_ILLEGAL``,
  ``isv.SMS_TEMPLATE_ILLEGAL``, ``isv.SMS_SIGNATURE_ILLEGAL``, ``isv.TEMPLATE_MISSING_PARAMETERS``;
- an outage: HTTP 503 ``ServiceUnavailable``.

Control endpoints for tests and the demo (not part of Alibaba Cloud):

- ``POST /_sim/unreachable`` ``{"phone"}``: the carrier reports this number as not in service.
- ``POST /_sim/outage`` ``{"times": n}``: the next n sends answer 503.
- ``GET  /_sim/messages[?phone=]`` -> ``{"messages": [...]}`` sent, oldest first, with the text
  as the phone shows it (【签名】 and the template filled in).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from flask import Flask, request

ALGORITHM = "ACS3-HMAC-SHA256"
MAX_CLOCK_SKEW = 15 * 60  # seconds, as Alibaba Cloud allows
MAINLAND_MOBILE = re.compile(r"^(?:\+?86)?1[3-9]\d{9}$")
PLACEHOLDER = re.compile(r"\$\{(\w+)\}")


class SmsRefusal(Exception):
    def __init__(self, code: str, message: str, status: int = 200) -> None:
        super().__init__(code)
        self.code, self.message, self.status = code, message, status


class SmsAccount:
    """One Alibaba Cloud account's SMS service: its AccessKey, approved signatures and
    templates (code → text with ${name} placeholders). Thread-safe."""

    def __init__(self, access_keys: dict[str, str], signatures: set[str],
                 templates: dict[str, str], clock: Callable[[], float] = time.time) -> None:
        self.access_keys, self.signatures, self.templates = access_keys, signatures, templates
        self.clock = clock
        self._lock = threading.Lock()
        self._nonces: dict[str, float] = {}
        self._unreachable: set[str] = set()
        self._messages: list[dict[str, Any]] = []
        self._outage = 0

    def mark_unreachable(self, phone: str) -> None:
        with self._lock:
            self._unreachable.add(phone)

    def fail_next(self, times: int) -> None:
        with self._lock:
            self._outage = max(0, times)

    def messages(self, phone: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(m) for m in self._messages if phone in (None, m["phone"])]

    def authenticate(self, method: str, path: str, query: dict[str, str],
                     headers: dict[str, str], body: bytes) -> None:
        """Check the V3 signature, the payload hash, the date and the nonce."""
        credential, signed_names, signature = _parse_authorization(headers.get("authorization"))
        secret = self.access_keys.get(credential)
        if secret is None:
            raise SmsRefusal("InvalidAccessKeyId.NotFound", "Specified access key is not found.",
                             404)
        if headers.get("x-acs-content-sha256") != hashlib.sha256(body).hexdigest():
            raise SmsRefusal("InvalidParameter.ContentSHA256",
                             "x-acs-content-sha256 does not match the body.", 400)
        names = signed_names.split(";")
        if not {"host", "x-acs-action", "x-acs-date", "x-acs-signature-nonce",
                "x-acs-content-sha256"} <= set(names):
            raise SmsRefusal("IncompleteSignature", "Required headers are not signed.", 400)
        canonical = "\n".join([
            method, path or "/",
            "&".join(f"{k}={quote(query[k], safe='~')}" for k in sorted(query)),
            "".join(f"{name}:{headers.get(name, '').strip()}\n" for name in names),
            signed_names, headers["x-acs-content-sha256"]])
        to_sign = f"{ALGORITHM}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
        expected = hmac.new(secret.encode(), to_sign.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, signature):
            raise SmsRefusal("SignatureDoesNotMatch",
                             "Specified signature is not matched with our calculation.", 400)
        try:
            sent = datetime.strptime(headers["x-acs-date"], "%Y-%m-%dT%H:%M:%SZ")
        except ValueError as error:
            raise SmsRefusal("InvalidTimeStamp.Format", "x-acs-date is malformed.", 400) from error
        now = self.clock()
        if abs(sent.replace(tzinfo=UTC).timestamp() - now) > MAX_CLOCK_SKEW:
            raise SmsRefusal("InvalidTimeStamp.Expired", "Specified time stamp is expired.", 400)
        nonce = headers["x-acs-signature-nonce"]
        with self._lock:
            self._nonces = {n: t for n, t in self._nonces.items() if t > now - MAX_CLOCK_SKEW}
            if nonce in self._nonces:
                raise SmsRefusal("SignatureNonceUsed", "Specified signature nonce was used "
                                 "already.", 400)
            self._nonces[nonce] = now

    def send_sms(self, query: dict[str, str]) -> dict[str, Any]:
        phones = [p for p in query.get("PhoneNumbers", "").split(",") if p]
        sign, code = query.get("SignName", ""), query.get("TemplateCode", "")
        if not phones or not sign or not code:
            raise SmsRefusal("MissingParameter", "PhoneNumbers, SignName and TemplateCode are "
                             "required.", 400)
        if sign not in self.signatures:
            raise SmsRefusal("isv.SMS_SIGNATURE_ILLEGAL", "该账号下找不到对应签名")
        template = self.templates.get(code)
        if template is None:
            raise SmsRefusal("isv.SMS_TEMPLATE_ILLEGAL", "该账号下找不到对应模板")
        try:
            params = json.loads(query.get("TemplateParam") or "{}")
        except ValueError as error:
            raise SmsRefusal("isv.INVALID_JSON_PARAM", "JSON参数不合法") from error
        missing = [name for name in PLACEHOLDER.findall(template) if name not in params]
        if missing:
            raise SmsRefusal("isv.TEMPLATE_MISSING_PARAMETERS", "模版缺少变量")
        with self._lock:
            if self._outage:
                self._outage -= 1
                raise SmsRefusal("ServiceUnavailable", "The request has failed due to a "
                                 "temporary failure of the server.", 503)
            for phone in phones:
                if not MAINLAND_MOBILE.match(phone) or phone in self._unreachable:
                    raise SmsRefusal("isv.MOBILE_NUMBER_ILLEGAL", "非法手机号")
            biz_id = f"{secrets.randbelow(10**6):06d}^{secrets.randbelow(10**10):010d}"
            text = PLACEHOLDER.sub(lambda m: str(params[m.group(1)]), template)
            for phone in phones:
                self._messages.append({"phone": phone, "sign_name": sign, "template_code": code,
                                       "params": params, "text": f"【{sign}】{text}",
                                       "out_id": query.get("OutId"), "biz_id": biz_id})
        return {"Code": "OK", "Message": "OK", "BizId": biz_id}


def _parse_authorization(value: str | None) -> tuple[str, str, str]:
    if not value or not value.startswith(ALGORITHM + " "):
        raise SmsRefusal("MissingAuthorization", "Authorization header is missing or not "
                         f"{ALGORITHM}.", 400)
    parts = dict(part.strip().partition("=")[::2]
                 for part in value[len(ALGORITHM) + 1:].split(","))
    if not all(parts.get(key) for key in ("Credential", "SignedHeaders", "Signature")):
        raise SmsRefusal("IncompleteSignature", "Authorization is incomplete.", 400)
    return parts["Credential"], parts["SignedHeaders"], parts["Signature"]


def create_aliyun_sms_simulator(access_keys: dict[str, str], signatures: set[str],
                                templates: dict[str, str]) -> Flask:
    account = SmsAccount(access_keys, signatures, templates)
    app = Flask("aliyun-sms-simulator")
    app.config["SMS_ACCOUNT"] = account

    def answer(call: Callable[[], dict[str, Any]]):
        request_id = str(uuid.uuid4()).upper()
        try:
            return {**call(), "RequestId": request_id}
        except SmsRefusal as refusal:
            return ({"Code": refusal.code, "Message": refusal.message, "RequestId": request_id},
                    refusal.status)

    @app.post("/")
    def openapi():
        def call() -> dict[str, Any]:
            headers = {k.lower(): v for k, v in request.headers.items()}
            query = request.args.to_dict()
            account.authenticate("POST", request.path, query, headers, request.get_data())
            if headers.get("x-acs-action") != "SendSms" or \
                    headers.get("x-acs-version") != "2017-05-25":
                raise SmsRefusal("InvalidAction.NotFound", "Specified api is not found.", 404)
            return account.send_sms(query)
        return answer(call)

    @app.post("/_sim/unreachable")
    def unreachable():
        phone = (request.get_json(force=True, silent=True) or {}).get("phone")
        if not isinstance(phone, str) or not phone:
            return {"error": "phone required"}, 400
        account.mark_unreachable(phone)
        return {"phone": phone}

    @app.post("/_sim/outage")
    def outage():
        times = int((request.get_json(force=True, silent=True) or {}).get("times", 1))
        account.fail_next(times)
        return {"times": times}

    @app.get("/_sim/messages")
    def messages():
        return {"messages": account.messages(request.args.get("phone"))}

    return app
