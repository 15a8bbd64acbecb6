"""Property-based run of the OpenAPI document: no 5xx, no response outside its schema.

schemathesis generates requests for every operation in `/api/v1/openapi.json` (valid and
invalid bodies, odd query strings, random ids) and sends them with real patient and staff tokens.
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
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
