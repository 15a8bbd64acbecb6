"""Hospital admins see dead-lettered notes and alerts for their own organization and redrive."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from backend.extensions import db
from backend.models import AdminAlert, ConversationSession, EmrDelivery, PreVisitNote
from backend.timeutil import utcnow
from tests import factories as f


def _dead_delivery(org):
    acct = f.account()
    profile = f.profile(acct)
    session = ConversationSession(account_id=acct.id, patient_id=profile.id,
                                  organization_id=org.id, mode="pre_consultation", stage="done",
                                  state={}, last_turn={}, version=1)
    db.session.add(session)
    db.session.flush()
    note = PreVisitNote(session_id=session.id, patient_id=profile.id, version=1, slots=[],
                        narrative="主诉：头痛3天。", confirmed_at=utcnow())
    db.session.add(note)
    db.session.flush()
    now = utcnow()
    delivery = EmrDelivery(note_id=note.id, organization_id=org.id, status="dead", attempts=3,
                           next_attempt_at=now, retry_until=now - timedelta(hours=1),
                           last_status_code=422, last_error="HTTP 422: rejected",
                           dead_at=now)
    db.session.add(delivery)
    db.session.add(AdminAlert(organization_id=org.id, kind="emr_dead_letter",
                              subject_id=str(note.external_id), message="预问诊记录未能送达EMR"))
    db.session.commit()
    return delivery


def test_admin_lists_acknowledges_and_redrives_only_their_own(client, ctx):
    org, other = f.organization(), f.organization()
    delivery = _dead_delivery(org)
    _dead_delivery(other)
    admin = f.bearer(f.staff_token(f.staff(org, role="hospital_admin")))
    dead = client.get("/api/v1/admin/emr/deliveries?status=dead", headers=admin).json["data"]
    assert [d["id"] for d in dead] == [str(delivery.external_id)]
    assert dead[0]["last_status_code"] == 422
    alerts = client.get("/api/v1/admin/alerts", headers=admin).json["data"]
    assert len(alerts) == 1 and alerts[0]["kind"] == "emr_dead_letter"
    acked = client.post(f"/api/v1/admin/alerts/{alerts[0]['id']}/acknowledge", headers=admin)
    assert acked.status_code == 200 and acked.json["data"]["acknowledged_at"]
    assert client.get("/api/v1/admin/alerts", headers=admin).json["data"] == []

    redriven = client.post(f"/api/v1/admin/emr/deliveries/{delivery.external_id}/redrive",
                           headers=admin)
    assert redriven.status_code == 200
    assert redriven.json["data"]["status"] == "pending"
    assert redriven.json["data"]["attempts"] == 0
    again = client.post(f"/api/v1/admin/emr/deliveries/{delivery.external_id}/redrive",
                        headers=admin)
    assert again.status_code == 409
    foreign = db.session.execute(select(EmrDelivery).where(
        EmrDelivery.organization_id == other.id)).scalar_one()
    assert client.post(f"/api/v1/admin/emr/deliveries/{foreign.external_id}/redrive",
                       headers=admin).status_code == 404
    doctor = f.bearer(f.staff_token(f.staff(org)))
    assert client.get("/api/v1/admin/alerts", headers=doctor).status_code == 403
