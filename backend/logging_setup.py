"""Structured logs: one JSON object per line, with the request id, identifiers masked.

Masking happens in a filter on the handler, so a careless `log.info(f"... {id_number}")` anywhere
still reaches the log file masked.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import TextIO

from backend.request_context import current_request_id
from backend.security.masking import mask_text

_STANDARD_ATTRS = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class MaskingFilter(logging.Filter):
    """Masks ID numbers and mobile numbers in the message and in structured extras."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask_text(record.getMessage())
        record.args = None
        for key, value in list(vars(record).items()):
            if key not in _STANDARD_ATTRS and isinstance(value, str):
                setattr(record, key, mask_text(value))
        if not getattr(record, "request_id", None):
            record.request_id = current_request_id()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRS and value is not None:
                entry[key] = value
        if record.exc_info:
            entry["exc"] = mask_text(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")


class _FrontDoorHandler(logging.StreamHandler):
    """Marks the handler we own, so a second app factory replaces it instead of doubling it."""


def configure_logging(level: str, json_lines: bool, stream: TextIO | None = None) -> None:
    """Install one handler (stderr by default) on the root logger, replacing an earlier one."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, _FrontDoorHandler):
            root.removeHandler(handler)
    handler = _FrontDoorHandler(stream or sys.stderr)
    handler.addFilter(MaskingFilter())
    handler.setFormatter(JsonFormatter() if json_lines else TextFormatter())
    root.addHandler(handler)
    root.setLevel(level.upper())
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
