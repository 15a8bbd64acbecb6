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

Delivery receipts (状态报告) as Alibaba Cloud gives them: ``x-acs-action: QuerySendDetails``
(PhoneNumber, BizId, SendDate yyyyMMdd; SendStatus 1 waiting, 2 failed, 3 delivered), and the
HTTP batch push (SmsReport): a JSON array of ``{phone_number, send_time, report_time, success,
err_code, err_msg, sms_size, biz_id, out_id}`` POSTed to the receiving URL, which must answer
HTTP 200 with a numeric ``code``; anything else is pushed again next time.

Control endpoints for tests and the demo (not part of Alibaba Cloud):

- ``POST /_sim/unreachable`` ``{"phone"}``: the carrier reports this number as not in service.
- ``POST /_sim/undeliverable`` ``{"phone", "code"}``: sends succeed, receipts say failed with
  this code (e.g. MOBILE_NOT_ON_SERVICE).
- ``POST /_sim/hold-receipts`` ``{"phone"}``: the carrier never reports (SendStatus stays 1).
- ``POST /_sim/report-url`` ``{"url"}``, then ``POST /_sim/push-reports``: push the receipts
  not yet taken -> ``{"pushed", "status"}``.
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
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import quote

import requests
from flask import Flask, request

ALGORITHM = "ACS3-HMAC-SHA256"
BEIJING = timezone(timedelta(hours=8))
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
        self._undeliverable: dict[str, str] = {}
        self._held: set[str] = set()
        self.report_url: str | None = None

    def mark_undeliverable(self, phone: str, code: str) -> None:
        with self._lock:
            self._undeliverable[phone] = code

    def hold_receipts(self, phone: str) -> None:
        with self._lock:
            self._held.add(phone)

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
            sent = _beijing(self.clock())
            for phone in phones:
                failed = self._undeliverable.get(phone)
                receipt = None if phone in self._held else {
                    "success": failed is None, "err_code": failed or "DELIVERED",
                    "err_msg": "用户接收失败" if failed else "用户接收成功", "report_time": sent}
                self._messages.append({"phone": phone, "sign_name": sign, "template_code": code,
                                       "params": params, "text": f"【{sign}】{text}",
                                       "out_id": query.get("OutId"), "biz_id": biz_id,
                                       "send_time": sent, "receipt": receipt, "pushed": False})
        return {"Code": "OK", "Message": "OK", "BizId": biz_id}

    def query_send_details(self, query: dict[str, str]) -> dict[str, Any]:
        phone, day = query.get("PhoneNumber", ""), query.get("SendDate", "")
        if not phone or not re.fullmatch(r"\d{8}", day):
            raise SmsRefusal("MissingParameter", "PhoneNumber and SendDate are required.", 400)
        size = min(max(int(query.get("PageSize") or 10), 1), 50)
        page = max(int(query.get("CurrentPage") or 1), 1)
        with self._lock:
            found = [m for m in self._messages if m["phone"] == phone
                     and m["send_time"][:10].replace("-", "") == day
                     and query.get("BizId") in (None, "", m["biz_id"])]
        details = [{"PhoneNum": m["phone"], "TemplateCode": m["template_code"],
                    "Content": m["text"], "SendDate": m["send_time"], "OutId": m["out_id"],
                    "SendStatus": 1 if m["receipt"] is None else
                    3 if m["receipt"]["success"] else 2,
                    "ErrCode": (m["receipt"] or {}).get("err_code", ""),
                    "ReceiveDate": (m["receipt"] or {}).get("report_time", "")}
                   for m in found[(page - 1) * size:page * size]]
        return {"Code": "OK", "Message": "OK", "TotalCount": len(found),
                "SmsSendDetailDTOs": {"SmsSendDetailDTO": details}}

    def reports_to_push(self) -> list[dict[str, Any]]:
        """The SmsReport items not yet taken by the receiver, in Alibaba Cloud's push format."""
        with self._lock:
            return [{"phone_number": m["phone"], "send_time": m["send_time"],
                     "report_time": m["receipt"]["report_time"],
                     "success": m["receipt"]["success"], "err_code": m["receipt"]["err_code"],
                     "err_msg": m["receipt"]["err_msg"], "sms_size": "1",
                     "biz_id": m["biz_id"], "out_id": m["out_id"] or ""}
                    for m in self._messages if m["receipt"] is not None and not m["pushed"]]

    def taken(self, reports: list[dict[str, Any]]) -> None:
        keys = {(r["biz_id"], r["phone_number"]) for r in reports}
        with self._lock:
            for m in self._messages:
                if (m["biz_id"], m["phone"]) in keys:
                    m["pushed"] = True


def _beijing(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, BEIJING).strftime("%Y-%m-%d %H:%M:%S")


def _parse_authorization(value: str | None) -> tuple[str, str, str]:
    if not value or not value.startswith(ALGORITHM + " "):
        raise SmsRefusal("MissingAuthorization", "Authorization header is missing or not "
                         f"{ALGORITHM}.", 400)
    parts = dict(part.strip().partition("=")[::2]
                 for part in value[len(ALGORITHM) + 1:].split(","))
    if not all(parts.get(key) for key in ("Credential", "SignedHeaders", "Signature")):
        raise SmsRefusal("IncompleteSignature", "Authorization is incomplete.", 400)
    return parts["Credential"], parts["SignedHeaders"], parts["Signature"]


ACTIONS: dict[str, Callable[[SmsAccount, dict[str, str]], dict[str, Any]]] = {
    "SendSms": SmsAccount.send_sms, "QuerySendDetails": SmsAccount.query_send_details}


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
            action = ACTIONS.get(headers.get("x-acs-action", ""))
            if action is None or headers.get("x-acs-version") != "2017-05-25":
                raise SmsRefusal("InvalidAction.NotFound", "Specified api is not found.", 404)
            return action(account, query)
        return answer(call)

    @app.post("/_sim/unreachable")
    def unreachable():
        phone = (request.get_json(force=True, silent=True) or {}).get("phone")
        if not isinstance(phone, str) or not phone:
            return {"error": "phone required"}, 400
        account.mark_unreachable(phone)
        return {"phone": phone}

    @app.post("/_sim/undeliverable")
    def undeliverable():
        body = request.get_json(force=True, silent=True) or {}
        if not isinstance(body.get("phone"), str) or not isinstance(body.get("code"), str):
            return {"error": "phone and code required"}, 400
        account.mark_undeliverable(body["phone"], body["code"])
        return body

    @app.post("/_sim/hold-receipts")
    def hold_receipts():
        phone = (request.get_json(force=True, silent=True) or {}).get("phone")
        if not isinstance(phone, str) or not phone:
            return {"error": "phone required"}, 400
        account.hold_receipts(phone)
        return {"phone": phone}

    @app.post("/_sim/report-url")
    def report_url():
        url = (request.get_json(force=True, silent=True) or {}).get("url")
        if not isinstance(url, str) or not url.startswith("http://127."):
            return {"error": "a loopback http URL is required"}, 400
        account.report_url = url
        return {"url": url}

    @app.post("/_sim/push-reports")
    def push_reports():
        """One push of what is waiting, as SmsReport does (it retries after 1, 5, 10 minutes;
        here the next call is the retry)."""
        if account.report_url is None:
            return {"error": "no report URL set"}, 409
        reports = account.reports_to_push()
        if not reports:
            return {"pushed": 0, "status": None}
        try:
            answer = requests.post(account.report_url, json=reports, timeout=10)
            accepted = answer.status_code == 200 and isinstance(answer.json().get("code"), int)
        except (requests.RequestException, ValueError, AttributeError):
            return {"pushed": 0, "status": None}
        if accepted:
            account.taken(reports)
        return {"pushed": len(reports) if accepted else 0, "status": answer.status_code}

    @app.post("/_sim/outage")
    def outage():
        times = int((request.get_json(force=True, silent=True) or {}).get("times", 1))
        account.fail_next(times)
        return {"times": times}

    @app.get("/_sim/messages")
    def messages():
        return {"messages": account.messages(request.args.get("phone"))}

    return app
