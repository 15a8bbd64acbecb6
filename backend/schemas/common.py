"""The response envelope, the error envelope and shared field shapes."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, pre_load

from backend.security.identifiers import mask_identifiers

_UNSAFE = re.compile("[\x00\ud800-\udfff]")


def _unsafe_text(value: Any) -> bool:
    """NUL and unpaired surrogates cannot be stored (PostgreSQL text) or logged as UTF-8."""
    if isinstance(value, str):
        return _UNSAFE.search(value) is not None
    if isinstance(value, dict):
        return any(_unsafe_text(k) or _unsafe_text(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_unsafe_text(item) for item in value)
    return False


class StrictSchema(Schema):
    """Unknown input fields are an error the client hears about, never silently dropped."""

    class Meta:
        unknown = RAISE

    @pre_load(pass_collection=True)
    def _refuse_unsafe_text(self, data: Any, **_kwargs: Any) -> Any:
        if isinstance(data, Mapping):
            for key, value in data.items():
                if _unsafe_text(key) or _unsafe_text(value):
                    raise ValidationError("含有无法识别的字符。", field_name=str(key))
        return data


class MaskedText(fields.String):
    """Text a patient may have typed an identifier into: masked on the way out, whatever was
    stored (records written before identifiers were masked on the way in included)."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        text = super()._serialize(value, attr, obj, **kwargs)
        return mask_identifiers(text).text if text else text


class ErrorDetailSchema(Schema):
    code = fields.String(required=True, metadata={"description": "Stable machine-readable code."})
    message = fields.String(required=True, metadata={"description": "Chinese, for people."})
    field = fields.String(metadata={"description": "The first offending input field."})
    request_id = fields.String(required=True)
    field_errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()),
                               data_key="fields", attribute="fields",
                               metadata={"description": "Every offending field and why."})


class ErrorSchema(Schema):
    error = fields.Nested(ErrorDetailSchema, required=True)


@cache
def envelope(schema: type[Schema], many: bool = False) -> type[Schema]:
    """`{"data": <schema>}` — every success response has the same outer shape."""
    name = f"{schema.__name__.removesuffix('Schema')}{'List' if many else ''}Envelope"
    return Schema.from_dict(
        {"data": fields.Nested(schema, many=many, required=True)}, name=name
    )


class OkSchema(Schema):
    ok = fields.Boolean(required=True)
