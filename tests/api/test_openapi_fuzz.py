"""Property-based run of the OpenAPI document: no 5xx, no response outside its schema.

schemathesis generates requests for every operation in `/api/v1/openapi.json` (valid and
invalid bodies, odd query strings, random ids) and sends them with real patient and staff tokens;
and negative data (what the document says is invalid) to every public operation, which must be
refused with a 4xx.
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from tests import factories as f

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
EXAMPLES_PER_OPERATION = 25


def _tokens() -> dict[str, dict[str, str]]:
    acct = f.account()
    resident = f.profile(acct)
    org = f.organization()
    f.sign(f.staff(org), resident)
    return {"mp": f.bearer(f.account_token(acct)),
            "admin": f.bearer(f.staff_token(f.staff(org, role="hospital_admin")))}


def _fuzz(operation, tokens, sent: list[str]) -> None:
    audience = "admin" if operation.path.startswith("/api/v1/admin") else "mp"
    # Logging out would end the shared session for the operations that follow.
    headers = None if operation.path.endswith("/logout") else tokens[audience]

    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case):
        sent.append(operation.label)
        case.call_and_validate(headers=headers, checks=CHECKS)

    run()


def test_every_operation_conforms_to_the_openapi_document(app, ctx):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15
    tokens, sent = _tokens(), []
    for operation in operations:
        _fuzz(operation, tokens, sent)
    assert len(sent) >= 300
    paths = {label.split()[1] for label in sent}
    assert {"/api/v1/mp/profiles", "/api/v1/admin/residents"} <= paths


NEGATIVE_EXAMPLES_PER_OPERATION = 200


def test_invalid_requests_to_public_operations_are_refused_with_a_4xx(app, ctx):
    """Negative data (wrong types, missing fields, bad formats, odd headers) to every operation
    a stranger can reach without a token: every answer is a documented 4xx, never a 5xx."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    public = [op for op in (result.ok() for result in schema.get_all_operations())
              if not op.definition.raw.get("security")]
    labels = {op.label for op in public}
    assert {"POST /api/v1/mp/auth/wechat", "POST /api/v1/admin/auth/login",
            "GET /api/v1/mp/hospitals/{hospital_id}/schedules"} <= labels
    sent: list[str] = []
    for operation in public:
        try:
            _fuzz_negative(operation, sent)
        except Unsatisfiable:  # no parameters and no body: nothing can be made invalid
            assert not operation.definition.raw.get("requestBody"), operation.label
    assert len(sent) >= 500
    assert {"POST /api/v1/mp/auth/wechat", "POST /api/v1/mp/auth/alipay",
            "POST /api/v1/admin/auth/login",
            "GET /api/v1/mp/hospitals/{hospital_id}/schedules"} <= set(sent)


def _fuzz_negative(operation, sent: list[str]) -> None:
    @given(case=operation.as_strategy(generation_mode=GenerationMode.NEGATIVE))
    @settings(max_examples=NEGATIVE_EXAMPLES_PER_OPERATION, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case):
        sent.append(operation.label)
        case.call_and_validate(checks=[not_a_server_error, negative_data_rejection,
                                       status_code_conformance])

    run()
