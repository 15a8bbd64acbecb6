"""gunicorn embedded, so `frontdoor serve` needs no extra launcher script."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger

from backend.logging_setup import MaskingFilter

# Refusals that leave the request body unread: the connection cannot carry another request.
_CLOSING_STATUSES = ("413",)


def close_after_unread_body(app: Callable[..., Iterable[bytes]]) -> Callable[..., Iterable[bytes]]:
    """Tell gunicorn to close the connection after a refusal that left the body unread.

    Why: gunicorn answers `Connection: keep-alive`, then gives up draining a large unread body
    and drops the socket, so the client sees a reset on its next request. A WSGI app cannot set
    hop-by-hop headers; gunicorn's response object (the owner of `start_response`) can close.
    """

    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            owner = getattr(start_response, "__self__", None)
            if status.startswith(_CLOSING_STATUSES) and hasattr(owner, "force_close"):
                owner.force_close()
            return start_response(status, headers, exc_info)

        return app(environ, start)

    return wsgi


# The path without its query string (which may carry a phone number or a login code), no referer.
ACCESS_LOG_FORMAT = ('%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms "%(a)s" '
                     "%({x-request-id}o)s")


class MaskedAccessLogger(Logger):
    """gunicorn's logger, with the access log passed through the same masking as ours."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        self.access_log.addFilter(MaskingFilter())

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any
              ) -> dict[str, Any]:
        """Only what ACCESS_LOG_FORMAT shows: gunicorn's own copies every request and response
        header and every environ variable into the dict, on every request."""
        if self.cfg.access_log_format != ACCESS_LOG_FORMAT:
            return super().atoms(resp, req, environ, request_time)
        status = resp.status
        if isinstance(status, str):
            status = status.split(None, 1)[0]
        request_id = next((value for name, value in resp.headers
                           if name.lower() == "x-request-id"), "-")
        return {"h": environ.get("REMOTE_ADDR", "-"), "t": self.now(),
                "m": environ.get("REQUEST_METHOD"), "U": environ.get("PATH_INFO"),
                "H": environ.get("SERVER_PROTOCOL"), "s": status,
                "B": getattr(resp, "sent", None),
                "M": request_time.seconds * 1000 + request_time.microseconds // 1000,
                "a": environ.get("HTTP_USER_AGENT", "-"), "{x-request-id}o": request_id}


class GunicornApp(BaseApplication):
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from backend.app import create_app  # built in each worker after the fork

        return close_after_unread_body(create_app(web_threads=self.options["threads"]))
