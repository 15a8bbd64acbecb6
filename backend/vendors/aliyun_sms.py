"""Text messages (短信) to residents' phones through Alibaba Cloud SMS, with its official SDK
(`alibabacloud_dysmsapi20170525`, which signs every request with ACS3-HMAC-SHA256).

Used for residents who agreed to SMS and do not use the mini-program. The signature name (签名)
and templates (模板) are the ones the hospital had approved by Alibaba Cloud; a template's text
lives there, so only its variables are sent from here.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from urllib.parse import urlsplit

from alibabacloud_dysmsapi20170525.client import Client
from alibabacloud_dysmsapi20170525.models import QuerySendDetailsRequest, SendSmsRequest
from alibabacloud_tea_openapi.exceptions import AlibabaCloudException, ThrottlingException
from alibabacloud_tea_openapi.utils_models import Config
from darabonba.runtime import RuntimeOptions

from backend.vendors.errors import VendorError, VendorUnavailable

log = logging.getLogger(__name__)

VENDOR = "aliyun_sms"
DEFAULT_ENDPOINT = "https://dysmsapi.aliyuncs.com"
# The number cannot take messages (空号, 停机, not a mainland mobile): stop texting it.
UNREACHABLE_CODES = frozenset({"isv.MOBILE_NUMBER_ILLEGAL", "isv.MOBILE_COUNT_OVER_LIMIT"})
TRANSIENT_CODES = frozenset({"isp.SYSTEM_ERROR", "isv.BUSINESS_LIMIT_CONTROL",
                             "ServiceUnavailable", "Throttling.User", "Throttling"})
# Receipt (状态报告) codes that say the number itself does not work (停机, 空号): stop texting
# it, as for UNREACHABLE_CODES at sending. Our reading of Alibaba Cloud's receipt codes; any
# other failure only fails this message.
DEAD_NUMBER_RECEIPTS = frozenset({"MOBILE_NOT_ON_SERVICE", "MOBILE_NUMBER_ILLEGAL",
                                  "MOBILE_ACCOUNT_ABNORMAL", "MOBILE_SEND_LIMIT_EXPIRED"})
DELIVERED = "DELIVERED"
BEIJING = timezone(timedelta(hours=8))
# QuerySendDetails' SendStatus: 1 waiting for the carrier's receipt, 2 failed, 3 delivered.
SEND_STATUS = {1: "waiting", 2: "undelivered", 3: "delivered"}


@dataclass(frozen=True)
class SmsReceipt:
    """One message's carrier receipt, from the HTTP push (SmsReport) or QuerySendDetails.
    `outcome` is waiting | delivered | undelivered; `phone` as Alibaba Cloud gives it (the
    push masks the last four digits)."""

    biz_id: str
    out_id: str | None
    phone: str
    outcome: str
    code: str | None
    reported_at: datetime | None


def parse_time(text: str | None) -> datetime | None:
    """"2017-01-01 00:00:00" (Beijing time, as Alibaba Cloud writes it) → aware datetime."""
    if not text:
        return None
    try:
        return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=BEIJING)
    except ValueError:
        return None


MAX_REPORTS = 1000  # items in one push; more is refused (Alibaba Cloud pushes in batches)


def parse_report(payload: object) -> list[SmsReceipt]:
    """An SmsReport push (a JSON array of receipts) → receipts; ValueError names what is
    wrong, so the push is refused whole rather than half applied."""
    if not isinstance(payload, list) or len(payload) > MAX_REPORTS:
        raise ValueError(f"SmsReport is a JSON array of at most {MAX_REPORTS} receipts")
    receipts = []
    for index, item in enumerate(payload):
        if not isinstance(item, dict) or not isinstance(item.get("biz_id"), str) \
                or not isinstance(item.get("phone_number"), str) \
                or not isinstance(item.get("success"), bool):
            raise ValueError(f"receipt {index}: needs biz_id, phone_number and success")
        receipts.append(SmsReceipt(
            item["biz_id"], str(item.get("out_id") or "") or None, item["phone_number"],
            "delivered" if item["success"] else "undelivered",
            str(item.get("err_code") or "") or None, parse_time(item.get("report_time"))))
    return receipts


class AliyunSms:
    """One AccessKey's SMS service. Building it never touches the network."""

    def __init__(self, access_key_id: str, access_key_secret: str, sign_name: str,
                 endpoint: str = DEFAULT_ENDPOINT, timeout_ms: int = 5000) -> None:
        url = urlsplit(endpoint if "://" in endpoint else f"https://{endpoint}")
        self.sign_name = sign_name
        self._client = Client(Config(access_key_id=access_key_id,
                                     access_key_secret=access_key_secret,
                                     endpoint=url.netloc, protocol=url.scheme))
        self._runtime = RuntimeOptions(autoretry=False, read_timeout=timeout_ms,
                                       connect_timeout=timeout_ms)

    def send(self, phone: str, template_code: str, params: dict[str, str],
             out_id: str) -> str:
        """Send one templated message; returns Alibaba Cloud's BizId (回执 id).

        Raises VendorUnavailable when a later try may succeed, VendorError(code) otherwise
        (`code` in UNREACHABLE_CODES: the number cannot be texted)."""
        request = SendSmsRequest(phone_numbers=phone, sign_name=self.sign_name,
                                 template_code=template_code,
                                 template_param=json.dumps(params, ensure_ascii=False),
                                 out_id=out_id)
        body = self._answer(lambda: self._client.send_sms_with_options(request, self._runtime))
        log.info("sms sent", extra={"out_id": out_id, "biz_id": body.biz_id})
        return body.biz_id

    def receipts(self, phone: str, biz_id: str, sent_on: date) -> list[SmsReceipt]:
        """The receipts of one send (QuerySendDetails by number, BizId and send date in Beijing
        time). Raises VendorUnavailable / VendorError as `send` does."""
        request = QuerySendDetailsRequest(phone_number=phone, biz_id=biz_id,
                                          send_date=sent_on.strftime("%Y%m%d"), page_size=10,
                                          current_page=1)
        body = self._answer(lambda: self._client.query_send_details_with_options(
            request, self._runtime))
        details = body.sms_send_detail_dtos.sms_send_detail_dto \
            if body.sms_send_detail_dtos and body.sms_send_detail_dtos.sms_send_detail_dto else []
        return [SmsReceipt(biz_id, d.out_id, d.phone_num or phone,
                           SEND_STATUS.get(int(d.send_status or 1), "waiting"), d.err_code,
                           parse_time(d.receive_date)) for d in details]

    @staticmethod
    def _answer(call):
        """The body of an SDK call whose Code is OK; VendorUnavailable when a later try may
        succeed, VendorError(code) otherwise."""
        try:
            body = call().body
        except ThrottlingException as error:
            raise VendorUnavailable(VENDOR, "throttled", error.code) from error
        except AlibabaCloudException as error:
            code = getattr(error, "code", None)
            status = getattr(error, "status_code", None) or 0
            if status >= 500 or code in TRANSIENT_CODES:
                raise VendorUnavailable(VENDOR, f"HTTP {status}", code) from error
            raise VendorError(VENDOR, f"refused (HTTP {status})", code) from error
        except Exception as error:  # the SDK surfaces network failures as plain exceptions
            raise VendorUnavailable(VENDOR, f"unreachable: {type(error).__name__}") from error
        if body.code != "OK":
            if body.code in TRANSIENT_CODES:
                raise VendorUnavailable(VENDOR, body.message or "busy", body.code)
            raise VendorError(VENDOR, body.message or "refused", body.code)
        return body
