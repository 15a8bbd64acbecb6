"""A resident chooses in the mini-program whether the follow-up team may text or call them;
the next reminder follows that choice, and nobody else can change it."""

from __future__ import annotations

from datetime import date

from backend.extensions import db
from backend.models import AuditEntry, Resident
from backend.services.followup.due_scan import scan
from backend.services.followup.reminders import queue_reminders
from tests import followup_support as fs

URL = "/api/v1/mp/followup/reminder-consent"


def test_agreeing_to_texts_makes_the_next_reminder_an_sms(client, ctx):
    world = fs.resident_with_account()
    fs.enrol(world["person"], world["doctor"], next_due_on=date(2026, 12, 10))
    patient = str(world["profile"].external_id)
    before = client.get(URL, headers=world["me"], query_string={"patient_id": patient})
    assert before.status_code == 200, before.json
    assert before.json["data"] == {"sms": False, "call": False, "phone": "139****0001",
                                   "phone_unreachable": False}
    agreed = client.put(URL, headers=world["me"], json={"patient_id": patient, "sms": True})
    assert agreed.status_code == 200 and agreed.json["data"]["sms"] is True
    scan(date(2026, 12, 5))
    assert queue_reminders(date(2026, 12, 5))["followup_due"]["sms"] == 1
    assert db.session.query(AuditEntry).filter_by(action="followup.reminder_consent").count() == 1


def test_withdrawing_consent_stops_texts(client, ctx):
    world = fs.resident_with_account()
    fs.enrol(world["person"], world["doctor"], next_due_on=date(2026, 12, 10))
    patient = str(world["profile"].external_id)
    client.put(URL, headers=world["me"], json={"patient_id": patient, "sms": True, "call": True})
    client.put(URL, headers=world["me"], json={"patient_id": patient, "sms": False})
    db.session.remove()
    person = db.session.get(Resident, world["person"].id)
    assert person.sms_consented_at is None and person.call_consented_at is not None
    scan(date(2026, 12, 5))
    assert queue_reminders(date(2026, 12, 5))["followup_due"]["sms"] == 0


def test_another_account_cannot_read_or_change_the_choice(client, ctx):
    world = fs.resident_with_account()
    fs.enrol(world["person"], world["doctor"], next_due_on=date(2026, 12, 10))
    patient = str(world["profile"].external_id)
    assert client.get(URL, headers=world["stranger"],
                      query_string={"patient_id": patient}).status_code == 404
    assert client.put(URL, headers=world["stranger"],
                      json={"patient_id": patient, "sms": True}).status_code == 404
    db.session.remove()
    assert db.session.get(Resident, world["person"].id).sms_consented_at is None
    bad = client.put(URL, headers=world["me"], json={"patient_id": patient, "sms": "maybe"})
    assert bad.status_code == 422 and "sms" in str(bad.json)
