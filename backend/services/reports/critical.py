"""Critical values (危急值): to a responsible clinician at once, escalated until acknowledged.

When a result is critical, an alert row is written in the transaction that stores it: it names
the ordering clinician (OBR-16 matched to a clinician's 工号) and their department, who see it
in the console at once and get a WeCom message (`paging`). Unacknowledged after the hospital's
minutes (default CRITICAL_ESCALATION_MINUTES), or at once when nobody at a step can be messaged,
it goes to the department's other clinicians, then the department head, then the hospital's
medical affairs (hospital admins), each step messaged and audited. The due time is a column
scanned every minute by the scheduler, so a restart never loses an open alert. The patient is
told calmly only after the clinician channel has fired, never instead of it.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import or_, select

from backend.auth import Principal
from backend.errors import NotFound
from backend.extensions import db
from backend.models import (
    AdminAlert,
    ClinicianMessage,
    CriticalAlert,
    Organization,
    PatientProfile,
    Report,
    StaffRole,
    StaffUser,
)
from backend.schemas.report_admin import ESCALATION_LEVELS
from backend.services import audit
from backend.services.access import parse_id
from backend.services.deferred import commit
from backend.services.reports import delivery, paging
from backend.services.reports.rules import escalation_minutes
from backend.timeutil import utcnow
from reports.flags import assess
from reports.knowledge import Knowledge
from reports.model import PatientContext, PatientIdentifiers, ResultIn
from reports.values import display

log = logging.getLogger(__name__)
LEVELS = ESCALATION_LEVELS
LEVEL_WORDS = ("开单医生", "科室其他医生", "科室主任", "医务科")
CLINICAL_ROLES = (StaffRole.CLINICIAN.value, StaffRole.DEPARTMENT_HEAD.value)


def patient_context(report: Report, ids: PatientIdentifiers | None) -> PatientContext:
    """Age and sex on the day of the sample: the hospital's own record first, then ours."""
    sex = ids.sex if ids else None
    birth = ids.birth_date if ids else None
    if (sex is None or birth is None) and report.patient_id:
        profile = db.session.get(PatientProfile, report.patient_id)
        sex, birth = sex or profile.sex, birth or profile.birth_date
    when = (report.collected_at or report.reported_at or utcnow()).date()
    return PatientContext.on(sex, birth, when)


def result_in(row) -> ResultIn:
    return ResultIn(seq=row.seq, code=row.code, name=row.name, value_type=row.value_type,
                    value=row.value, unit=row.unit or "", reference_range=row.reference_range
                    or "", lab_flag=row.lab_flag or "", status=row.status, loinc=row.loinc)


def raise_alerts(report: Report, results: list[ResultIn], ids: PatientIdentifiers | None,
                 knowledge: Knowledge) -> None:
    """Open an alert for each critical value among the report's results (as stored)."""
    context = patient_context(report, ids)
    critical_rows = [result for result in results
                     if assess(result, knowledge.find(result.code, result.name, result.loinc),
                               context, knowledge).critical]
    if not critical_rows:
        return
    db.session.flush()  # the report's id names the alert
    organization = db.session.get(Organization, report.organization_id)
    for row in critical_rows:
        key = f"{report.id}:{row.code}:{row.value}"[:120]
        if db.session.execute(select(CriticalAlert.id).where(
                CriticalAlert.dedupe_key == key)).scalar_one_or_none() is not None:
            continue
        _open(report, organization, row, key)


def _open(report: Report, organization: Organization, row: ResultIn, key: str
          ) -> CriticalAlert:
    now = utcnow()
    clinician = None
    if report.ordering_clinician_code:
        clinician = db.session.execute(select(StaffUser).where(
            StaffUser.organization_id == organization.id,
            StaffUser.his_code == report.ordering_clinician_code,
            StaffUser.role.in_(CLINICAL_ROLES), StaffUser.is_active.is_(True))).scalars().first()
    department = report.department_code or (clinician.department_code if clinician else None)
    alert = CriticalAlert(
        dedupe_key=key, report_id=report.id, organization_id=organization.id,
        department_code=department, test_code=row.code[:64], test_name=row.name[:100],
        value=display(row.value_type, row.value)[:64], unit=row.unit or None, status="open",
        level=0 if clinician else 1, assigned_staff_id=clinician.id if clinician else None,
        clinician_notified_at=now,
        next_escalation_at=now + timedelta(minutes=escalation_minutes(organization)))
    if clinician is None and department is None:
        alert.level = len(LEVELS) - 1  # nobody to name: medical affairs at once
        db.session.add(AdminAlert(
            organization_id=organization.id, kind="critical_value", subject_id=key[:64],
            message=f"危急值：{alert.test_name} {alert.value}{alert.unit or ''}，报告 "
                    f"{report.accession} 没有可通知的开单医生或科室，请医务科立即处理。"[:500]))
    db.session.add(alert)
    db.session.flush()
    audit.record("critical_value.raised", "critical_alert", str(alert.external_id),
                 {"report": str(report.external_id), "test": row.code, "value": alert.value,
                  "level": LEVELS[alert.level],
                  "staff": str(clinician.external_id) if clinician else None},
                 actor_kind="system", actor_id="critical-values")
    log.warning("critical value raised", extra={"alert": str(alert.external_id),
                                                "step": LEVELS[alert.level]})
    paging.queue_step(alert)
    if not paging.enabled():
        tell_patient(alert)  # the console is the only clinician channel, and it has fired
    return alert


def clinician_channel_fired(alert: CriticalAlert) -> bool:
    """A message went (or could not go) to a clinician, or someone has acknowledged."""
    if alert.status != "open" or not paging.enabled() or alert.patient_notified_at:
        return True
    return db.session.execute(select(ClinicianMessage.id).where(
        ClinicianMessage.critical_alert_id == alert.id,
        ClinicianMessage.status.in_(("sent", "failed", "skipped"))).limit(1)).first() is not None


def tell_patient(alert: CriticalAlert) -> None:
    """The calm message to a matched patient, once; confidential results are never pushed."""
    report = alert.report
    if alert.patient_notified_at is None and report.patient_id is not None \
            and not report.confidential:
        delivery.critical_notice(report, alert)


def due_ids(limit: int = 500) -> list[int]:
    return list(db.session.execute(select(CriticalAlert.id).where(
        CriticalAlert.status == "open", CriticalAlert.next_escalation_at <= utcnow())
        .order_by(CriticalAlert.next_escalation_at).limit(limit)).scalars())


def escalate(alert_id: int) -> str:
    """One step up the chain if still unacknowledged and due; safe to run twice."""
    alert = db.session.execute(select(CriticalAlert).where(CriticalAlert.id == alert_id)
                               .with_for_update(skip_locked=True)).scalar_one_or_none()
    now = utcnow()
    if alert is None or alert.status != "open" or alert.next_escalation_at is None \
            or alert.next_escalation_at > now:
        db.session.rollback()
        return "not-due"
    organization = db.session.get(Organization, alert.organization_id)
    alert.level = min(alert.level + 1, len(LEVELS) - 1)
    alert.assigned_staff_id = None
    if LEVELS[alert.level] == "department_head":
        head = db.session.execute(select(StaffUser).where(
            StaffUser.organization_id == alert.organization_id,
            StaffUser.department_code == alert.department_code,
            StaffUser.role == StaffRole.DEPARTMENT_HEAD.value,
            StaffUser.is_active.is_(True))).scalars().first()
        if head is None:
            alert.level = len(LEVELS) - 1  # no head on record: straight to medical affairs
        else:
            alert.assigned_staff_id = head.id
    if LEVELS[alert.level] == "medical_affairs":
        db.session.add(AdminAlert(
            organization_id=alert.organization_id, kind="critical_value",
            subject_id=str(alert.external_id),
            message=f"危急值未确认：{alert.test_name} {alert.value}{alert.unit or ''}，"
                    f"报告 {alert.report.accession}，请医务科立即联系临床处理。"[:500]))
    alert.next_escalation_at = now + timedelta(minutes=escalation_minutes(organization))
    audit.record("critical_value.escalated", "critical_alert", str(alert.external_id),
                 {"level": LEVELS[alert.level]}, actor_kind="system",
                 actor_id="critical-values")
    paging.queue_step(alert)
    tell_patient(alert)  # the previous step's clinicians were asked and did not answer
    commit()
    log.warning("critical value escalated", extra={"alert": str(alert.external_id),
                                                   "step": LEVELS[alert.level]})
    return LEVELS[alert.level]


def _staff(principal: Principal) -> StaffUser:
    return db.session.get(StaffUser, principal.staff_id)


def _visible(principal: Principal):
    query = select(CriticalAlert).where(
        CriticalAlert.organization_id == principal.organization_id)
    if principal.role == StaffRole.HOSPITAL_ADMIN:
        return query
    staff = _staff(principal)
    return query.where(or_(CriticalAlert.assigned_staff_id == staff.id,
                           CriticalAlert.department_code == staff.department_code)
                       if staff.department_code else CriticalAlert.assigned_staff_id == staff.id)


def list_for(principal: Principal, open_only: bool) -> list[CriticalAlert]:
    query = _visible(principal)
    if open_only:
        query = query.where(CriticalAlert.status == "open")
    rows = list(db.session.execute(query.order_by(CriticalAlert.created_at.desc()).limit(200))
                .scalars())
    audit.record("critical_value.list", "critical_alert", None, {"count": len(rows)})
    db.session.commit()
    return rows


def acknowledge(principal: Principal, alert_id, note: str | None) -> CriticalAlert:
    alert = db.session.execute(_visible(principal).where(
        CriticalAlert.external_id == parse_id(alert_id)).with_for_update()).scalar_one_or_none()
    if alert is None:
        raise NotFound("没有找到这条危急值。")
    if alert.status == "open":
        alert.status, alert.acknowledged_at = "acknowledged", utcnow()
        alert.acknowledged_by, alert.next_escalation_at = principal.staff_id, None
        alert.acknowledgement_note = note
        audit.record("critical_value.acknowledged", "critical_alert", str(alert.external_id),
                     {"level": LEVELS[alert.level], "note": note})
        tell_patient(alert)
        commit()
    return alert
