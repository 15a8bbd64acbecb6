"""Put the rules the request guards enforce into the OpenAPI document, so clients can see them.

Every operation with a JSON body may answer 400 (`json_too_deep`: nested deeper than the limit)
and 415 (`unsupported_media_type`: a body in another format); an `Idempotency-Key` is 8–64
visible ASCII characters. Written as an apispec plugin so every operation gets them, none missed.
"""

from __future__ import annotations

from typing import Any

from apispec import BasePlugin
from marshmallow import fields

from backend.request_guards import MAX_JSON_DEPTH

IDEMPOTENCY_KEY_SCHEMA = {"type": "string", "minLength": 8, "maxLength": 64,
                          "pattern": "^[!-~]{8,64}$"}

API_DESCRIPTION = (
    "Every request body is JSON (`Content-Type: application/json`); another format is refused "
    f"with 415. Arrays and objects may nest at most {MAX_JSON_DEPTH} levels (deeper: 400 "
    "`json_too_deep`). Text may not contain NUL or unpaired surrogates (422). Integers are JSON "
    "integers: `1.5` and `\"1\"` are refused (422). Unknown fields are refused (422). "
    "Every error is the `Error` envelope."
)

_ERROR_REF = {"$ref": "#/components/schemas/Error"}
_BODY_REFUSALS = {
    "400": {"description": f"The JSON nests deeper than {MAX_JSON_DEPTH} levels "
                           "(`json_too_deep`) or does not parse.",
            "content": {"application/json": {"schema": _ERROR_REF}}},
    "415": {"description": "The body is not `application/json` (`unsupported_media_type`).",
            "content": {"application/json": {"schema": _ERROR_REF}}},
}


class EnforcedRulesPlugin(BasePlugin):
    def operation_helper(self, path: str | None = None, operations: dict | None = None,
                         **_kwargs: Any) -> None:
        for operation in (operations or {}).values():
            if not isinstance(operation, dict):
                continue
            if "requestBody" in operation:
                responses = operation.setdefault("responses", {})
                for status, response in _BODY_REFUSALS.items():
                    responses.setdefault(status, response)
            for parameter in operation.get("parameters", []):
                if isinstance(parameter, dict) and parameter.get("name") == "Idempotency-Key":
                    parameter["schema"] = dict(IDEMPOTENCY_KEY_SCHEMA)


def object_sizes(self, field: fields.Field, ret: dict[str, Any], **_kwargs: Any) -> dict:
    """apispec writes a mapping's Length validator as minLength/maxLength, which mean nothing
    for an object: say minProperties/maxProperties, as enforced."""
    if isinstance(field, fields.Dict):
        for length, size in (("minLength", "minProperties"), ("maxLength", "maxProperties")):
            if length in ret:
                ret[size] = ret.pop(length)
    return {}
