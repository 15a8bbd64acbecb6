"""Text messages (短信) to residents' phones through Alibaba Cloud SMS, with its official SDK
(`alibabacloud_dysmsapi20170525`, which signs every request with ACS3-HMAC-SHA256).

Used for residents who agreed to SMS and do not use the mini-program. The signature name (签名)
and templates (模板) are the ones the hospital had approved by Alibaba Cloud; a template's text
lives there, so only its variables are sent from here.
"""

from __future__ import annotations

import json
import logging
from urllib.parse import urlsplit

from alibabacloud_dysmsapi20170525.client import Client
from alibabacloud_dysmsapi20170525.models import SendSmsRequest
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
        try:
            body = self._client.send_sms_with_options(request, self._runtime).body
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
        log.info("sms sent", extra={"out_id": out_id, "biz_id": body.biz_id})
        return body.biz_id
