"""What can go wrong when calling a vendor, in terms the services can act on."""

from __future__ import annotations


class VendorError(Exception):
    """A vendor rejected a call or answered something we cannot use.

    `vendor` is "wechat" or "alipay"; `code` is the vendor's own error code as a string (WeChat's
    errcode such as "43101", Alipay's sub_code such as "isv.code-invalid"), or None when there is
    none (network failures, malformed answers); `message` is safe to log: it never holds a login
    code, session key, secret or token.
    """

    def __init__(self, vendor: str, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.vendor = vendor
        self.code = code
        self.message = message

    def __str__(self) -> str:
        where = f"{self.vendor} {self.code}" if self.code else self.vendor
        return f"{where}: {self.message}"

    def __reduce__(self):
        return type(self), (self.vendor, self.message, self.code)


class VendorAuthError(VendorError):
    """The login code was invalid, already used, expired, or refused for this user: the user
    should log in again (a code is single-use, never retry it)."""


class VendorUnavailable(VendorError):
    """Transient: network error, timeout, 5xx, rate limit or vendor "system busy"; retrying the
    operation later may succeed (a login needs a fresh code from the client though)."""
