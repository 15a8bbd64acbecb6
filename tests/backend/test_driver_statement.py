"""The hot SELECTs fetched on the driver's cursor answer exactly what Core answers: the same
values of the same types (UTC datetimes, decrypted identifiers, UUIDs, JSON), in order."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from backend import auth
from backend.driver_statement import DriverStatement
from backend.extensions import db
from backend.models import AuthSession, Organization, PatientProfile
from backend.services import access, audit, booking_hold_start
from backend.timeutil import utcnow
from tests import booking_support as b
from tests import factories as f


def _same_as_core(statement: DriverStatement, params: dict) -> tuple:
    fetched = statement.rows(params)
    through_core = [tuple(row) for row in
                    db.session.connection().execute(statement.statement, params)]
    assert [tuple(row) for row in fetched] == through_core
    for row, core_row in zip(fetched, through_core, strict=True):
        assert [type(value) for value in row] == [type(value) for value in core_row]
    assert fetched, "the comparison needs a row"
    return fetched[0]


def test_a_session_a_profile_and_a_holds_start_match_core(client, ctx):
    clinic = b.open_clinic(client)
    account = f.account()
    person = f.profile(account, phone="13812345678")
    f.account_token(account)
    session = db.session.execute(select(AuthSession).where(
        AuthSession.account_id == account.id)).scalar_one()
    row = _same_as_core(auth._SESSION_ROW, {"session_id": session.external_id})
    assert row.kind == "account" and row.expires_at.utcoffset().total_seconds() == 0
    params = {"account_id": account.id, "external_id": person.external_id}
    profile = _same_as_core(access._OWN_PROFILE, params)
    assert profile.document_number == person.document_number  # decrypted
    assert profile.phone == "13812345678"
    start = _same_as_core(booking_hold_start._START, {
        "slot_id": uuid.UUID(clinic.slot_ids[0]), "patient_id": person.external_id,
        "account_id": account.id, "key": None})
    assert start[-1] is None  # no twin booking


def test_no_row_and_more_rows_than_one(ctx):
    for code in ("A1", "A2"):
        f.organization(code=code)
    organizations = DriverStatement(select(Organization.id, Organization.booking_rules))
    with pytest.raises(ValueError, match="more than one row"):
        organizations.one_or_none({})
    nobody = DriverStatement(select(PatientProfile.id).where(PatientProfile.id == -1))
    assert nobody.one_or_none({}) is None


def test_a_driver_error_is_raised_as_sqlalchemys(ctx):
    """A unique violation on the cursor is the IntegrityError that Core would raise (the hold
    and the API's error handler catch that one)."""
    row = {"seq": 7, "occurred_at": utcnow(), "actor_kind": "system", "actor_id": None,
           "actor_role": None, "action": "test.event", "subject_kind": "thing",
           "subject_id": "1", "request_id": None, "client_ip": None, "detail": {"a": 1},
           "key_id": None, "organization_id": None, "mac": "m"}
    audit._INSERT.run(row)
    with pytest.raises(IntegrityError):
        audit._INSERT.run(row)
    db.session.rollback()
