"""The hold's first statement (Core): its rows become the session's own mapped objects."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from backend.auth import Principal
from backend.extensions import db
from backend.models import Account, PatientProfile, PrincipalKind, Slot
from backend.services import booking_hold
from tests import booking_support as b


def _principal(profile_id: str) -> Principal:
    profile = db.session.execute(select(PatientProfile).where(
        PatientProfile.external_id == uuid.UUID(profile_id))).scalar_one()
    account = db.session.get(Account, profile.account_id)
    return Principal(kind=PrincipalKind.ACCOUNT, session_id=0, account_id=account.id,
                     actor_external_id=str(account.external_id))


def test_a_hold_answers_from_loaded_rows_and_loads_the_rest_on_use(client, ctx):
    clinic = b.open_clinic(client)
    who = b.patient()
    principal = _principal(who.profile_id)
    db.session.expunge_all()  # nothing held: every object comes from the one statement
    booking, created = booking_hold.hold(principal, {"patient_id": who.profile_id,
                                                     "slot_id": clinic.slot_ids[0]}, None)
    assert created and booking.status == "held"
    assert str(booking.slot.external_id) == clinic.slot_ids[0]
    assert booking.schedule is booking.slot.schedule
    assert booking.department.code == "CARD"  # a column the statement did not read
    assert booking.patient.document_number  # decrypted, as the ORM loads it
    assert booking.organization.code == "H001"


def test_objects_the_session_already_holds_are_the_ones_used(client, ctx):
    clinic = b.open_clinic(client)
    who = b.patient()
    principal = _principal(who.profile_id)
    person = db.session.execute(select(PatientProfile).where(
        PatientProfile.external_id == uuid.UUID(who.profile_id))).scalar_one()
    slot = db.session.execute(select(Slot).where(
        Slot.external_id == uuid.UUID(clinic.slot_ids[1]))).scalar_one()
    booking, created = booking_hold.hold(principal, {"patient_id": who.profile_id,
                                                     "slot_id": clinic.slot_ids[1]}, "k-12345678")
    assert created
    assert booking.patient is person and booking.slot is slot
    again, created = booking_hold.hold(principal, {"patient_id": who.profile_id,
                                                   "slot_id": clinic.slot_ids[1]}, "k-12345678")
    assert not created and again.id == booking.id  # the key's twin, found by the same start
