"""Critical values messaged to the people responsible, on WeCom (企业微信), through an outbox.

Each step of an alert's escalation names its people: the ordering clinician, the department's
other clinicians, the department head, the hospital's medical affairs (its admins). A message
row per person is written in the transaction that raises or escalates the alert, and sent by a
job (the minute's scan resends what is still pending). When nobody at the current step can be
reached (no WeCom account, WeCom refused, retries spent), the alert is made due at once, so the
next person is asked now rather than after the full wait. The console shows every alert from
the start whatever happens to the messages.
"""

from __future__ import annotations

import logging

from flask import current_app
from sqlalchemy import select

from backend.extensions import db
from backend.models import (
    ClinicianMessage,
    CriticalAlert,
    PatientProfile,
    Report,
    StaffRole,
    StaffUser,
)
from backend.services import audit
from backend.services.deferred import commit, defer
from backend.timeutil import CLINIC_TZ, as_utc, utcnow
from backend.vendor_clients import vendor_clients
from backend.vendors.errors import VendorError, VendorUnavailable

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
SEND_JOB = "backend.jobs.reports:send_clinician_message"
STEP_WORDS = ("", "开单医生尚未确认，现通知科室医生。",
              "科室尚未确认，现上报科室主任。", "临床尚未确认，现上报医务科。")


def enabled() -> bool:
    """WeCom is configured; without it the console is the clinician channel."""
    config = current_app.config
    return bool(config["WECOM_CORP_ID"] and config["WECOM_SECRET"])


def recipients(alert: CriticalAlert) -> list[StaffUser]:
    """Who is responsible at the alert's current step (levels of critical.LEVELS)."""
    active = select(StaffUser).where(StaffUser.organization_id == alert.organization_id,
                                     StaffUser.is_active.is_(True)).order_by(StaffUser.id)
    if alert.level == 0:
        staff = db.session.get(StaffUser, alert.assigned_staff_id) \
            if alert.assigned_staff_id else None
        return [staff] if staff else []
    if alert.level == 1:
        if not alert.department_code:
            return []
        orderer = alert.report.ordering_clinician_code
        return [s for s in db.session.execute(active.where(
            StaffUser.department_code == alert.department_code,
            StaffUser.role == StaffRole.CLINICIAN.value)).scalars()
            if not orderer or s.his_code != orderer]
    if alert.level == 2:
        staff = db.session.get(StaffUser, alert.assigned_staff_id) \
            if alert.assigned_staff_id else None
        return [staff] if staff else []
    return list(db.session.execute(active.where(
        StaffUser.role == StaffRole.HOSPITAL_ADMIN.value)).scalars())


def queue_step(alert: CriticalAlert) -> int:
    """Write a message for each person of the alert's current step (in the caller's
    transaction); returns how many can go out. None reachable: the alert is due now."""
    if not enabled():
        return 0
    reachable = 0
    for staff in recipients(alert):
        key = f"critical:{alert.id}:{alert.level}:{staff.id}"
        if db.session.execute(select(ClinicianMessage.id).where(
                ClinicianMessage.dedupe_key == key)).scalar_one_or_none() is not None:
            reachable += 1
            continue
        message = ClinicianMessage(dedupe_key=key, critical_alert_id=alert.id,
                                   staff_id=staff.id, level=alert.level, channel="wecom",
                                   status="pending", attempts=0)
        if not staff.wecom_userid:
            message.status, message.last_error = "skipped", "没有企业微信账号"
        db.session.add(message)
        db.session.flush()
        if message.status == "pending":
            reachable += 1
            defer(SEND_JOB, message.id)
    if reachable == 0:
        _unreachable(alert, "这一级没有能收到企业微信消息的人")
    return reachable


def _unreachable(alert: CriticalAlert, why: str) -> None:
    from backend.services.reports.critical import LEVELS  # one module owns the chain

    if alert.status != "open" or alert.level >= len(LEVELS) - 1:
        return  # medical affairs also see the admin alert; nothing higher to ask
    alert.next_escalation_at = utcnow()
    audit.record("critical_value.unreachable", "critical_alert", str(alert.external_id),
                 {"level": LEVELS[alert.level], "reason": why}, actor_kind="system",
                 actor_id="critical-values")
    log.error("critical value could not be messaged; escalating now",
              extra={"alert": str(alert.external_id), "step": LEVELS[alert.level]})


def text(alert: CriticalAlert) -> str:
    """Enough to find the patient in the HIS (accession, masked name, sex, age) and act."""
    report: Report = alert.report
    patient = db.session.get(PatientProfile, report.patient_id) if report.patient_id else None
    who = "患者（待匹配）"
    if patient is not None:
        sex = {"male": "男", "female": "女"}.get(patient.sex or "", "")
        when = as_utc(report.collected_at or report.reported_at or alert.created_at)
        age = ""
        if patient.birth_date:
            years = (when.astimezone(CLINIC_TZ).date() - patient.birth_date).days // 365
            age = f"{years}岁"
        who = f"患者{patient.name[:1]}{'*' * max(1, len(patient.name) - 1)}" + \
            (f"（{'，'.join(p for p in (sex, age) if p)}）" if sex or age else "")
    raised = as_utc(alert.created_at).astimezone(CLINIC_TZ)
    lines = [f"【危急值】{who} {alert.test_name} {alert.value}{alert.unit or ''}",
             f"报告号 {report.accession}，{report.title}，{raised:%m-%d %H:%M} 报出。"]
    if any(m.level < alert.level for m in alert.messages):
        lines.append(STEP_WORDS[alert.level])  # it went up the chain to reach this person
    elif alert.level > 0:
        lines.append("报告上的开单医生不在本院名单中，直接通知您。")
    lines.append("请立即处理，并在工作台“危急值”中确认。")
    return "\n".join(lines)


def send(message_id: int) -> str:
    """Send one message if its alert is still open; safe to run twice."""
    message = db.session.execute(select(ClinicianMessage).where(
        ClinicianMessage.id == message_id).with_for_update(skip_locked=True)).scalar_one_or_none()
    if message is None or message.status != "pending":
        db.session.rollback()
        return "not-pending"
    alert = db.session.get(CriticalAlert, message.critical_alert_id)
    if alert.status != "open":
        return _finish(message, alert, "withdrawn", "已确认，无需再发")
    staff = db.session.get(StaffUser, message.staff_id)
    client = vendor_clients().wecom
    if client is None or not staff.wecom_userid or not staff.is_active:
        return _finish(message, alert, "skipped",
                       "未配置企业微信" if client is None else "没有企业微信账号")
    message.attempts += 1
    try:
        invalid = client.send_text([staff.wecom_userid], text(alert))
    except VendorUnavailable as exc:
        if message.attempts < MAX_ATTEMPTS:
            log.warning("critical value message not sent, will retry",
                        extra={"clinician_message": message_id, "attempts": message.attempts})
            return _finish(message, alert, "pending", str(exc)[:500])
        return _finish(message, alert, "failed", str(exc)[:500])
    except VendorError as exc:
        return _finish(message, alert, "failed", str(exc)[:500])
    if invalid:
        return _finish(message, alert, "failed", "企业微信账号无效")
    return _finish(message, alert, "sent")


def _finish(message: ClinicianMessage, alert: CriticalAlert, status: str,
            error: str | None = None) -> str:
    from backend.services.reports.critical import tell_patient  # it needs this module too

    message.status, message.last_error = status, error
    if status == "sent":
        message.sent_at = utcnow()
        audit.record("critical_value.messaged", "critical_alert", str(alert.external_id),
                     {"staff": str(db.session.get(StaffUser, message.staff_id).external_id),
                      "level": message.level, "channel": message.channel},
                     actor_kind="system", actor_id="critical-values",
                     organization_id=alert.organization_id)
    if status in ("sent", "failed", "skipped"):
        tell_patient(alert)  # the clinician channel has fired
    if status in ("failed", "skipped") and message.level == alert.level \
            and not _step_still_reachable(alert):
        _unreachable(alert, f"消息未送达：{error}")
    commit()
    if status == "failed":
        log.error("critical value message failed", extra={"clinician_message": message.id,
                                                          "error": error})
    return status


def _step_still_reachable(alert: CriticalAlert) -> bool:
    return db.session.execute(select(ClinicianMessage.id).where(
        ClinicianMessage.critical_alert_id == alert.id, ClinicianMessage.level == alert.level,
        ClinicianMessage.status.in_(("pending", "sent"))).limit(1)).first() is not None


def pending_ids(limit: int = 500) -> list[int]:
    return list(db.session.execute(select(ClinicianMessage.id).where(
        ClinicianMessage.status == "pending").order_by(ClinicianMessage.id)
        .limit(limit)).scalars())
