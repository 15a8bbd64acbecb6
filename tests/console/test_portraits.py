"""Health portraits: built by rules with evidence on every statement, reviewed by the family
doctor (corrected, left out, approved or rejected with a reason), visible to the resident only
once approved, stale and re-queued when new results arrive; nobody else's resident reachable."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import time_machine
from sqlalchemy import select

from backend.extensions import db
from backend.models import Account, AuditEntry, HealthPortrait
from backend.services.portraits import service
from tests import factories as f
from tests import followup_support as fs
from tests import report_support as rs
from tests.console.console_support import csrf_token, hgb_later, login, receive

WITHOUT_HBA1C = rs.edited("lipids_glucose",
                          ("\rOBX|6|NM|HBA1C^糖化血红蛋白^L||6.9|%|4.0-6.0|H|||F", ""))


def _resident_with_reports(*messages):
    rs.hospital()
    account = f.account()
    patient = rs.zhang(account)
    receive(*messages)
    doctor = f.staff(f.organization(), username="doctor.p")
    f.sign(doctor, patient)
    return patient, account, doctor


def _build(client, patient) -> HealthPortrait:
    page = client.get(f"/console/residents/{patient.external_id}").get_data(as_text=True)
    assert "生成健康画像" in page
    response = client.post(f"/console/residents/{patient.external_id}/portrait",
                           data={"csrf_token": csrf_token(page)})
    assert response.status_code == 302
    return db.session.execute(select(HealthPortrait).order_by(
        HealthPortrait.version.desc())).scalars().first()


def _patient_view(client, account, patient):
    headers = f.bearer(f.account_token(db.session.get(Account, account.id)))
    return client.get(f"/api/v1/mp/portrait?patient_id={patient.external_id}", headers=headers)


def test_every_statement_rests_on_records_and_says_what_they_say(ctx, client):
    patient, _, _ = _resident_with_reports("cbc", hgb_later(), WITHOUT_HBA1C)
    login(client, "doctor.p")
    portrait = _build(client, patient)
    by_key = {s["key"]: s for s in portrait.statements}
    assert all(s["evidence"] and all(e["date"] and e["id"] for e in s["evidence"])
               for s in portrait.statements)
    assert by_key["problem:LDL-C"]["text"].startswith("低密度脂蛋白胆固醇 3.91mmol/L")
    assert by_key["risk:age"]["text"] == "年龄73岁（65岁及以上）。"
    assert "血脂偏高" in by_key["risk:LDL-C"]["text"] and "血糖偏高" in by_key["risk:GLU"]["text"]
    assert by_key["control:HGB"]["text"].startswith("血红蛋白最近2次：118→121g/L")
    assert len(by_key["control:HGB"]["evidence"]) == 2
    assert by_key["gap:hba1c"]["text"] == "血糖偏高，但近6个月没有糖化血红蛋白结果。"
    assert by_key["action:gap:hba1c"]["text"] == "建议检测糖化血红蛋白。"
    assert "gap:annual" not in by_key  # he had results this year
    page = client.get(f"/console/residents/{patient.external_id}").get_data(as_text=True)
    assert "审核通过，发布给居民" in page and "依据：" in page
    worklist = client.get("/console/worklist").get_data(as_text=True)
    assert 'data-count="portraits_review">\n    <span class="count-number">1' in worklist
    assert "portrait.built" in {e.action for e in db.session.execute(select(AuditEntry))
                                .scalars()}


def test_the_resident_sees_only_the_approved_words(ctx, client):
    patient, account, doctor = _resident_with_reports("lipids_glucose")
    login(client, "doctor.p")
    portrait = _build(client, patient)
    assert _patient_view(client, account, patient).status_code == 404  # not yet approved
    keys = [s["key"] for s in portrait.statements]
    page = client.get(f"/console/residents/{patient.external_id}").get_data(as_text=True)
    form = {"csrf_token": csrf_token(page)}
    for index, statement in enumerate(portrait.statements):
        form[f"text-{index}"] = statement["plain"]
    edited, dropped = keys.index("problem:TG"), keys.index("risk:age")
    form[f"text-{edited}"] = "甘油三酯 2.10mmol/L，略高，少吃油腻。"
    form[f"leave-{dropped}"] = "1"
    response = client.post(f"/console/portraits/{portrait.external_id}/approve", data=form)
    assert response.status_code == 302
    shown = _patient_view(client, account, patient)
    assert shown.status_code == 200, shown.json
    texts = [s["text"] for section in shown.json["data"]["sections"]
             for s in section["statements"]]
    assert "甘油三酯 2.10mmol/L，略高，少吃油腻。" in texts
    assert not any(t.startswith("年龄") for t in texts)
    evidence = shown.json["data"]["sections"][0]["statements"][0]["evidence"][0]
    assert evidence["date"] == "2026-12-01" and "血脂+血糖" in evidence["label"]
    approved = db.session.execute(select(AuditEntry).where(
        AuditEntry.action == "portrait.approved")).scalar_one()
    assert approved.detail["edited"] == ["problem:TG"]
    assert approved.detail["left_out"] == ["risk:age"]
    assert approved.actor_id == str(doctor.external_id)
    again = client.post(f"/console/portraits/{portrait.external_id}/approve", data=form)
    assert again.status_code == 409  # reviewed once; a new version is a new review


def test_a_rejection_needs_a_reason_and_shows_nothing(ctx, client):
    patient, account, _ = _resident_with_reports("lipids_glucose")
    login(client, "doctor.p")
    portrait = _build(client, patient)
    page = client.get(f"/console/residents/{patient.external_id}").get_data(as_text=True)
    token = csrf_token(page)
    empty = client.post(f"/console/portraits/{portrait.external_id}/reject",
                        data={"csrf_token": token, "reason": "  "})
    assert empty.status_code == 422 and "请写明退回的原因" in empty.get_data(as_text=True)
    client.post(f"/console/portraits/{portrait.external_id}/reject",
                data={"csrf_token": token, "reason": "血脂结果要等复查后再写"})
    db.session.refresh(portrait)
    assert portrait.status == "rejected" and portrait.rejection_reason == "血脂结果要等复查后再写"
    assert _patient_view(client, account, patient).status_code == 404


def test_new_results_make_it_stale_and_queue_a_new_draft(ctx, client):
    patient, account, _ = _resident_with_reports("lipids_glucose")
    login(client, "doctor.p")
    portrait = _build(client, patient)
    page = client.get(f"/console/residents/{patient.external_id}").get_data(as_text=True)
    client.post(f"/console/portraits/{portrait.external_id}/approve",
                data={"csrf_token": csrf_token(page)})
    assert service.stale_candidates() == []
    receive("cbc")
    assert service.stale_candidates() == [patient.id]
    assert service.refresh(patient.id) == "requeued"
    assert service.refresh(patient.id) == "unchanged"  # safe to run twice
    versions = db.session.execute(select(HealthPortrait).order_by(HealthPortrait.version))\
        .scalars().all()
    assert [(p.version, p.status, p.stale) for p in versions] == \
        [(1, "approved", True), (2, "draft", False)]
    assert any(s["key"] == "problem:HGB" for s in versions[1].statements)
    shown = _patient_view(client, account, patient).json["data"]
    assert shown["version"] == 1 and shown["updating"] is True


def test_the_resident_must_have_consented(ctx, client):
    patient, account, _ = _resident_with_reports("lipids_glucose")
    login(client, "doctor.p")
    portrait = _build(client, patient)
    page = client.get(f"/console/residents/{patient.external_id}").get_data(as_text=True)
    client.post(f"/console/portraits/{portrait.external_id}/approve",
                data={"csrf_token": csrf_token(page)})
    row = db.session.get(Account, account.id)
    row.privacy_consented_at = None
    db.session.commit()
    refused = _patient_view(client, account, patient)
    assert refused.status_code == 403 and refused.json["error"]["code"] == "consent_required"


def test_another_doctor_can_neither_build_nor_review(ctx, client):
    patient, _, _ = _resident_with_reports("lipids_glucose")
    login(client, "doctor.p")
    portrait = _build(client, patient)
    f.staff(f.organization(), username="doctor.q")
    login(client, "doctor.q")
    token = csrf_token(client.get("/console/worklist").get_data(as_text=True))
    assert client.post(f"/console/residents/{patient.external_id}/portrait",
                       data={"csrf_token": token}).status_code == 404
    assert client.post(f"/console/portraits/{portrait.external_id}/approve",
                       data={"csrf_token": token}).status_code == 404
    stranger = f.account()
    f.profile(stranger)
    headers = f.bearer(f.account_token(stranger))
    assert client.get(f"/api/v1/mp/portrait?patient_id={patient.external_id}",
                      headers=headers).status_code == 404


def test_blood_pressure_from_the_programme_file_and_a_new_reading_re_queues(ctx, client):
    """A resident in the hypertension programme: the course of home readings, three in a row
    above target, the overdue follow-up; a newer home reading makes the portrait stale."""
    now = datetime(2026, 12, 5, 2, 0, tzinfo=UTC)
    with time_machine.travel(now, tick=False):
        world = fs.resident_with_account()
        world["doctor"].username = "doctor.bp"
        f.sign(world["doctor"], world["profile"])
        fs.enrol(world["person"], world["doctor"], next_due_on=date(2026, 11, 28))

        def reading(systolic, diastolic, days_ago):
            answer = client.post("/api/v1/mp/vitals", headers=world["me"], json={
                "patient_id": str(world["profile"].external_id), "kind": "blood_pressure",
                "systolic": systolic, "diastolic": diastolic,
                "measured_at": (now - timedelta(days=days_ago)).isoformat()})
            assert answer.status_code == 201, answer.json

        for systolic, days_ago in ((152, 9), (156, 6), (158, 3)):
            reading(systolic, 92, days_ago)
        login(client, "doctor.bp")
        portrait = _build(client, world["profile"])
        made = {s["key"]: s for s in portrait.statements}
        assert made["control:blood_pressure"]["text"] == \
            "血压最近3次：152/92→156/92→158/92mmHg；目标低于150/90mmHg，3次未达标。"
        assert [e["kind"] for e in made["gap:bp_uncontrolled"]["evidence"]] == ["reading"] * 3
        overdue = [k for k in made if k.startswith("gap:overdue:")]
        assert made[overdue[0]]["text"] == "高血压随访已逾期：应在2026-11-28随访。"
        assert service.stale_candidates() == []
    with time_machine.travel(now + timedelta(hours=1), tick=False):
        reading(138, 84, 0)
        assert service.stale_candidates() == [world["profile"].id]
        assert service.refresh(world["profile"].id) == "requeued"
