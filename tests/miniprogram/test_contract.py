"""The mini-program's calls stay in step with the backend's OpenAPI document.

`miniprogram/services/endpoints.json` is the only list of requests the mini-program can make
(its request wrapper refuses anything else, and a jest test checks that every endpoint name in
the code is in the table). Here every row is checked against `/api/v1/openapi.json`: the
method and path must exist, and so must every query parameter and body field the row declares,
the Idempotency-Key header of rows that send one, and a public row must not need a token.

The Alipay build (`npm run build:alipay`, built here afresh with Node) is checked too: it ships
the same table, every endpoint its scripts name is a row, its login is the Alipay row
(`auth_code`) and its payments ask for the `alipay` channel the backend accepts.

Needs no database: the document is built from `create_app` on in-memory SQLite.
Run alone with `pytest --noconftest tests/miniprogram`.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from backend.app import create_app

ROOT = Path(__file__).resolve().parents[2]
TABLE = ROOT / "miniprogram" / "services" / "endpoints.json"
API_PREFIX = "/api/v1"  # miniprogram/config/env.js apiPrefix
ENDPOINTS: dict[str, dict[str, Any]] = json.loads(TABLE.read_text(encoding="utf-8"))


def _normalise(path: str) -> str:
    """`/mp/bookings/{booking_id}` and `/mp/bookings/{id}` are the same route."""
    return re.sub(r"\{[^}]+\}", "{}", path)


@cache
def _document() -> dict[str, Any]:
    app = create_app({"DATABASE_URL": "sqlite://", "REDIS_URL": "", "FRONTDOOR_ENV": "development",
                      "LOG_LEVEL": "WARNING", "LOG_JSON": False})
    response = app.test_client().get(f"{API_PREFIX}/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def _operation(name: str) -> dict[str, Any]:
    spec = ENDPOINTS[name]
    paths = {_normalise(path): item for path, item in _document()["paths"].items()}
    item = paths.get(_normalise(API_PREFIX + spec["path"]))
    operation = item.get(spec["method"].lower()) if item else None
    if operation is None:
        pytest.fail(f"{name}: the mini-program sends {spec['method']} {API_PREFIX}{spec['path']}, "
                    "which the backend's OpenAPI document does not describe")
    return operation


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        *_, component = schema["$ref"].split("/")
        schema = _document()["components"]["schemas"][component]
    return schema


def _body_fields(operation: dict[str, Any]) -> set[str]:
    content = operation.get("requestBody", {}).get("content", {})
    schema = content.get("application/json", {}).get("schema")
    if schema is None:
        return set()
    schema = _resolve(schema)
    fields = set(schema.get("properties", {}))
    for part in schema.get("allOf", []):
        fields |= set(_resolve(part).get("properties", {}))
    return fields


def _parameters(operation: dict[str, Any], location: str) -> set[str]:
    return {p["name"].lower() if location == "header" else p["name"]
            for p in operation.get("parameters", []) if p.get("in") == location}


def test_table_is_not_empty_and_names_are_unique_routes():
    routes = [(spec["method"], _normalise(spec["path"])) for spec in ENDPOINTS.values()]
    assert routes
    assert len(routes) == len(set(routes)), "two endpoint names for one route"


@pytest.mark.parametrize("name", sorted(ENDPOINTS))
def test_route_exists(name):
    _operation(name)


@pytest.mark.parametrize("name", sorted(n for n, s in ENDPOINTS.items() if s.get("query")))
def test_query_parameters_are_described(name):
    missing = set(ENDPOINTS[name]["query"]) - _parameters(_operation(name), "query")
    assert not missing, f"{name}: query parameters not in the document: {sorted(missing)}"


@pytest.mark.parametrize("name", sorted(n for n, s in ENDPOINTS.items() if s.get("body")))
def test_body_fields_are_described(name):
    missing = set(ENDPOINTS[name]["body"]) - _body_fields(_operation(name))
    assert not missing, f"{name}: body fields not in the document: {sorted(missing)}"


@pytest.mark.parametrize("name", sorted(n for n, s in ENDPOINTS.items() if s.get("upload")))
def test_upload_fields_are_described(name):
    """uploadFile sends multipart/form-data: the file under its field name (other values go
    in the query string, checked with the query parameters)."""
    upload = ENDPOINTS[name]["upload"]
    content = _operation(name).get("requestBody", {}).get("content", {})
    schema = content.get("multipart/form-data", {}).get("schema")
    assert schema, f"{name}: the backend does not take multipart/form-data here"
    fields = set(_resolve(schema).get("properties", {}))
    missing = {upload["file"]} - fields
    assert not missing, f"{name}: upload fields not in the document: {sorted(missing)}"


@pytest.mark.parametrize("name", sorted(n for n, s in ENDPOINTS.items() if s.get("idempotent")))
def test_idempotency_key_header_is_described(name):
    assert "idempotency-key" in _parameters(_operation(name), "header"), (
        f"{name}: the mini-program sends an Idempotency-Key header; the document must say the "
        "backend takes it")


@pytest.mark.parametrize("name", sorted(n for n, s in ENDPOINTS.items() if s.get("auth") is False))
def test_public_rows_need_no_token(name):
    assert not _operation(name).get("security"), (
        f"{name}: the mini-program calls it without a token, but the backend requires one")


# -- the Alipay build ------------------------------------------------------------------------

MINIPROGRAM = ROOT / "miniprogram"
# call('x.y', …), send('x.y', …) and send(alipay ? 'x.y' : 'x.z', …), as the jest check reads them
_CALLED = re.compile(r"\b(?:call|send)\(\s*(?:alipay \? )?'([a-z]+\.[a-zA-Z]+)'"
                     r"(?:\s*:\s*'([a-z]+\.[a-zA-Z]+)')?")


@pytest.fixture(scope="module")
def alipay_build(tmp_path_factory) -> Path:
    node = shutil.which("node")
    if node is None:
        pytest.fail("the Alipay build needs Node.js (20, as the jest suite)")
    out = tmp_path_factory.mktemp("alipay")
    done = subprocess.run([node, "build/alipay/index.js", str(out)], cwd=MINIPROGRAM,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return out


def _called_in(build: Path) -> dict[str, str]:
    called: dict[str, str] = {}
    for script in sorted(build.rglob("*.js")):
        if script.parts[len(build.parts)] == "platform":
            continue  # the host adapters: their call('login') helpers are not endpoints
        for match in _CALLED.finditer(script.read_text(encoding="utf-8")):
            for name in filter(None, match.groups()):
                called[name] = str(script.relative_to(build))
    return called


def test_alipay_build_has_every_page_of_the_wechat_app_json(alipay_build):
    app = json.loads((MINIPROGRAM / "app.json").read_text("utf-8"))
    pages = list(app["pages"]) + [f"{package['root']}/{page}" for package in app["subpackages"]
                                  for page in package["pages"]]
    missing = [f"{page}.{ext}" for page in pages for ext in ("js", "json", "axml", "acss")
               if not (alipay_build / f"{page}.{ext}").is_file()]
    assert not missing, f"pages missing from the Alipay build: {missing}"


def test_alipay_build_ships_the_same_endpoint_table(alipay_build):
    shipped = json.loads((alipay_build / "services" / "endpoints.json").read_text("utf-8"))
    assert shipped == ENDPOINTS


def test_every_endpoint_the_alipay_build_calls_is_a_checked_row(alipay_build):
    called = _called_in(alipay_build)
    assert "auth.alipay" in called, "the Alipay build no longer logs in through auth.alipay"
    undeclared = {name: where for name, where in called.items() if name not in ENDPOINTS}
    assert not undeclared, f"the Alipay build calls endpoints the table lacks: {undeclared}"
    for name in called:
        _operation(name)  # and each exists in the backend's document


def test_alipay_login_sends_the_auth_code_the_backend_takes(alipay_build):
    spec = ENDPOINTS["auth.alipay"]
    assert spec["body"] == ["auth_code"]
    assert spec.get("auth") is False
    assert "auth_code" in _body_fields(_operation("auth.alipay"))
    auth = (alipay_build / "services" / "auth.js").read_text("utf-8")
    assert "{ auth_code: code }" in auth


def test_alipay_payments_ask_for_a_channel_the_backend_accepts(alipay_build):
    content = _operation("bookings.pay")["requestBody"]["content"]["application/json"]
    channel = _resolve(content["schema"])["properties"]["channel"]
    assert "alipay" in channel.get("enum", []), channel
    checkout = (alipay_build / "booking" / "services" / "checkout.js").read_text("utf-8")
    assert "platform.name === 'alipay' ? 'alipay'" in checkout
    adapter = (alipay_build / "platform" / "alipay.js").read_text("utf-8")
    assert "tradePay" in adapter and "tradeNO: params.tradeNO" in adapter
