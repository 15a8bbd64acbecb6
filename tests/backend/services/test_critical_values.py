"""Critical values (危急值): the clinician first, in the console and on WeCom, then up the chain
every 10 minutes until someone acknowledges; the patient only after the clinician; every step
audited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import requests
import time_machine
from sqlalchemy import select

from backend.extensions import db
from backend.jobs.reports import dispatch_critical_escalations
from backend.models import (
    AdminAlert,
    AuditEntry,
    ClinicianMessage,
    CriticalAlert,
    PatientMessage,
)
from tests import factories as f
from tests import report_support as rs

T0 = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


def _alert() -> CriticalAlert:
    db.session.expire_all()
    return db.session.execute(select(CriticalAlert)).scalar_one()


def _actions(prefix: str) -> list[str]:
    return list(db.session.execute(select(AuditEntry.action).where(
        AuditEntry.action.like(f"{prefix}%")).order_by(AuditEntry.seq)).scalars())


def _sent_to() -> list[tuple[int, int]]:
    """(step, staff id) of every clinician message WeCom delivered."""
    return [tuple(row) for row in db.session.execute(
        select(ClinicianMessage.level, ClinicianMessage.staff_id)
        .where(ClinicianMessage.status == "sent").order_by(ClinicianMessage.id))]


def _listed(client, staff) -> list[dict]:
    response = client.get("/api/v1/admin/critical-values",
                          headers=f.bearer(f.staff_token(staff)))
    assert response.status_code == 200, response.json
    return response.json["data"]


def test_escalates_every_ten_minutes_until_acknowledged(rctx, mllp):
    hospital = rs.hospital()
    rs.zhang()
    client = rctx.test_client()
    with time_machine.travel(T0, tick=False) as clock:
        [ack] = rs.send(mllp.port, rs.fixture("electrolytes_critical"))
        assert rs.msa(ack)[0] == "AA"
        alert = _alert()
        assert (alert.test_code, alert.value, alert.level, alert.status) == ("K", "6.8", 0, "open")
        assert alert.assigned_staff_id == hospital.clinician.id
        assert alert.department_code == "CARD"
        assert alert.clinician_notified_at <= alert.patient_notified_at
        message = db.session.execute(select(PatientMessage).where(
            PatientMessage.kind == "critical_value")).scalar_one()
        assert message.status in {"sent", "skipped"}  # the calm message went its way
        [paged] = rs.wecom_messages(hospital.clinician)
        assert "【危急值】患者张*（男，73岁） 钾 6.8mmol/L" in paged  # no full name on a phone
        assert "报告号 L20261201007，电解质" in paged and "请立即处理" in paged
        assert _sent_to() == [(0, hospital.clinician.id)]

        seen = _listed(client, hospital.clinician)
        assert [a["test_code"] for a in seen] == ["K"] and seen[0]["patient_name"] == "张伟"
        assert [a["level"] for a in _listed(client, hospital.colleague)] == \
            ["ordering_clinician"]  # the department sees it from the start
        assert _listed(client, hospital.other_department) == []

        clock.shift(timedelta(minutes=9))
        assert dispatch_critical_escalations() == 0
        clock.shift(timedelta(minutes=1))
        assert dispatch_critical_escalations() == 1
        assert (_alert().level, _alert().assigned_staff_id) == (1, None)
        [colleague] = rs.wecom_messages(hospital.colleague)
        assert "开单医生尚未确认，现通知科室医生" in colleague
        assert rs.wecom_messages(hospital.other_department) == []
        clock.shift(timedelta(minutes=10))
        dispatch_critical_escalations()
        assert (_alert().level, _alert().assigned_staff_id) == (2, hospital.head.id)
        assert "上报科室主任" in rs.wecom_messages(hospital.head)[0]
        clock.shift(timedelta(minutes=10))
        dispatch_critical_escalations()
        assert _alert().level == 3
        assert "上报医务科" in rs.wecom_messages(hospital.admin)[0]
        assert _sent_to() == [(0, hospital.clinician.id), (1, hospital.colleague.id),
                              (2, hospital.head.id), (3, hospital.admin.id)]
        admin_alert = db.session.execute(select(AdminAlert).where(
            AdminAlert.kind == "critical_value")).scalar_one()
        assert "危急值未确认" in admin_alert.message

        alert_id = str(_alert().external_id)
        refused = client.post(f"/api/v1/admin/critical-values/{alert_id}/acknowledge",
                              headers=f.bearer(f.staff_token(hospital.other_department)),
                              json={})
        assert refused.status_code == 404  # another department cannot close it
        done = client.post(f"/api/v1/admin/critical-values/{alert_id}/acknowledge",
                           headers=f.bearer(f.staff_token(hospital.head)),
                           json={"note": "已电话通知患者到急诊复查"})
        assert done.status_code == 200, done.json
        assert done.json["data"]["status"] == "acknowledged"
        assert [(m["level"], m["status"]) for m in done.json["data"]["messages"]] == [
            ("ordering_clinician", "sent"), ("department", "sent"), ("department_head", "sent"),
            ("medical_affairs", "sent")]
        assert _alert().acknowledged_by == hospital.head.id
        clock.shift(timedelta(hours=1))
        assert dispatch_critical_escalations() == 0
    assert _actions("critical_value.") == [
        "critical_value.raised", "critical_value.messaged", "critical_value.list",
        "critical_value.list", "critical_value.list", "critical_value.escalated",
        "critical_value.messaged", "critical_value.escalated", "critical_value.messaged",
        "critical_value.escalated", "critical_value.messaged", "critical_value.acknowledged"]


def test_the_clinician_acknowledging_stops_the_chain(rctx, mllp):
    hospital = rs.hospital()
    rs.zhang()
    client = rctx.test_client()
    with time_machine.travel(T0, tick=False) as clock:
        rs.send(mllp.port, rs.fixture("electrolytes_critical"))
        alert_id = str(_alert().external_id)
        clock.shift(timedelta(minutes=3))
        response = client.post(f"/api/v1/admin/critical-values/{alert_id}/acknowledge",
                               headers=f.bearer(f.staff_token(hospital.clinician)), json={})
        assert response.status_code == 200
        assert response.json["data"]["acknowledged_at"].startswith("2026-12-01T01:03")
        clock.shift(timedelta(minutes=30))
        assert dispatch_critical_escalations() == 0
    assert _alert().level == 0


def test_a_replay_or_an_unchanged_correction_raises_no_second_alert(rctx, mllp):
    rs.hospital()
    rs.zhang()
    corrected = rs.edited("electrolytes_critical", ("|LIS0006|", "|LIS0006C|"),
                          ("||136|mmol/L|", "||135|mmol/L|"),
                          ("||20261201083000||LAB|F", "||20261201090000||LAB|C"))
    rs.send(mllp.port, rs.fixture("electrolytes_critical"),
            rs.fixture("electrolytes_critical"), corrected)
    assert len(db.session.execute(select(CriticalAlert)).scalars().all()) == 1


def test_unknown_orderer_and_department_go_to_medical_affairs_at_once(rctx, mllp):
    hospital = rs.hospital()
    rs.zhang()
    message = rs.edited("electrolytes_critical", ("|D001^李^明|", "|X999^某^医生|"),
                        ("PV1|1|O|CARD^心血管内科^H001||||D001^李^明\r", ""))
    rs.send(mllp.port, message)
    assert _alert().level == 3 and _alert().assigned_staff_id is None
    assert db.session.execute(select(AdminAlert.kind)).scalars().all() == ["critical_value"]
    [paged] = rs.wecom_messages(hospital.admin)  # medical affairs, on WeCom at once
    assert "开单医生不在本院名单中" in paged and "尚未确认" not in paged
    assert rs.wecom_messages(hospital.clinician) == []


def test_a_hospitals_own_table_decides(rctx, mllp):
    hospital = rs.hospital()
    rs.zhang()
    hospital.organization.report_rules = {"critical_values": [
        {"test": "NA", "age": ["18y", "130y"], "low": 137, "source": "本院危急值表（2026版）"}]}
    db.session.commit()
    message = rs.edited("electrolytes_critical",
                        ("||6.8|mmol/L|3.5-5.3|HH|", "||4.1|mmol/L|3.5-5.3||"))
    rs.send(mllp.port, message)
    assert _alert().test_code == "NA"  # 136 is critical by the hospital's own table


def _wecom_outage(times: int) -> None:
    requests.post(f"{rs.wecom_url()}/_sim/outage", json={"times": times},
                  timeout=5).raise_for_status()


def _patient_told() -> bool:
    return db.session.execute(select(PatientMessage.id).where(
        PatientMessage.kind == "critical_value")).first() is not None


def test_a_clinician_wecom_cannot_reach_is_skipped_at_once(rctx, mllp):
    hospital = rs.hospital()
    rs.zhang()
    hospital.clinician.wecom_userid = None
    db.session.commit()
    with time_machine.travel(T0, tick=False) as clock:
        rs.send(mllp.port, rs.fixture("electrolytes_critical"))
        assert _alert().next_escalation_at == T0  # due now, not in 10 minutes
        clock.shift(timedelta(minutes=1))
        assert dispatch_critical_escalations() == 1
        assert _alert().level == 1
        assert len(rs.wecom_messages(hospital.colleague)) == 1
    assert "critical_value.unreachable" in _actions("critical_value.")
    skipped = db.session.execute(select(ClinicianMessage).where(
        ClinicianMessage.staff_id == hospital.clinician.id)).scalar_one()
    assert (skipped.status, skipped.last_error) == ("skipped", "没有企业微信账号")
    assert _patient_told()  # the chain has fired: the patient may now be told


def test_wecom_busy_is_retried_and_the_patient_waits_for_the_clinician(rctx, mllp):
    hospital = rs.hospital()
    rs.zhang()
    _wecom_outage(2)
    with time_machine.travel(T0, tick=False) as clock:
        rs.send(mllp.port, rs.fixture("electrolytes_critical"))
        message = db.session.execute(select(ClinicianMessage)).scalar_one()
        assert (message.status, message.attempts) == ("pending", 1)
        assert not _patient_told()  # never the patient before the clinician
        clock.shift(timedelta(minutes=1))
        dispatch_critical_escalations()  # busy again
        assert not _patient_told()
        clock.shift(timedelta(minutes=1))
        dispatch_critical_escalations()
        db.session.expire_all()
        assert (message.status, message.attempts) == ("sent", 3)
        assert len(rs.wecom_messages(hospital.clinician)) == 1
        assert _patient_told()
        assert _alert().level == 0  # sent in time: the normal 10 minutes stand


def test_wecom_down_for_good_moves_the_alert_up_now(rctx, mllp):
    hospital = rs.hospital()
    rs.zhang()
    _wecom_outage(5)
    with time_machine.travel(T0, tick=False) as clock:
        rs.send(mllp.port, rs.fixture("electrolytes_critical"))
        for _ in range(4):
            clock.shift(timedelta(minutes=1))
            dispatch_critical_escalations()
        message = db.session.execute(select(ClinicianMessage).where(
            ClinicianMessage.staff_id == hospital.clinician.id)).scalar_one()
        assert (message.status, message.attempts) == ("failed", 5)
        assert _alert().level == 1  # moved up at the fifth failure (4 minutes), not at 10
        assert len(rs.wecom_messages(hospital.colleague)) == 1
    assert "critical_value.unreachable" in _actions("critical_value.")


def test_acknowledged_before_the_message_leaves_it_is_withdrawn(rctx, mllp):
    hospital = rs.hospital()
    rs.zhang()
    client = rctx.test_client()
    _wecom_outage(1)
    with time_machine.travel(T0, tick=False) as clock:
        rs.send(mllp.port, rs.fixture("electrolytes_critical"))
        response = client.post(f"/api/v1/admin/critical-values/{_alert().external_id}"
                               "/acknowledge", headers=f.bearer(f.staff_token(hospital.clinician)),
                               json={"note": "在工作台看到，已处理"})
        assert response.status_code == 200
        clock.shift(timedelta(minutes=1))
        dispatch_critical_escalations()
    message = db.session.execute(select(ClinicianMessage)).scalar_one()
    assert message.status == "withdrawn"
    assert rs.wecom_messages(hospital.clinician) == []
    assert _patient_told()  # acknowledged: the clinician has it
