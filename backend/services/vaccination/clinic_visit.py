"""The visit itself: the health questionnaire before it, 留观 after the dose, the after-care
answers a day later and, when they are serious, a suspected AEFI for the clinic to review.

A parent reaches only their own child's bookings and doses; the clinic only its own bookings
and reports. Anything else is a 404.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from backend.auth import Principal
from backend.errors import Conflict, NotFound, ValidationFailed
from backend.extensions import db
from backend.models import (
    ACTIVE_STATUSES,
    AdminAlert,
    AfterCareReport,
    Booking,
    PatientProfile,
    Slot,
    VaccinationRecord,
    VaccinationScreening,
)
from backend.services import audit, bookings
from backend.services.access import parse_id
from backend.services.deferred import commit
from backend.services.vaccination.booking import vaccination_departments
from backend.timeutil import as_utc, utcnow
from vaccination import programme
from vaccination.questionnaires import (
    AnswerError,
    after_care,
    check_after_care,
    check_screening,
    health_enquiry,
)

log = logging.getLogger(__name__)
SCREENING_OPENS = timedelta(days=3)  # the questionnaire opens 3 days before the visit


def _vaccination_booking(principal: Principal, booking_id) -> Booking:
    booking = bookings.get(principal, booking_id)
    if booking.department.code not in vaccination_departments():
        raise NotFound("没有找到这个接种预约。")
    return booking


def submit_screening(principal: Principal, booking_id, answers: dict[str, Any]
                     ) -> VaccinationScreening:
    """The parent's answers for one visit; answering again before the visit replaces them."""
    booking = _vaccination_booking(principal, booking_id)
    if booking.status not in ACTIVE_STATUSES:
        raise Conflict("这个预约已经结束，不能再填写了。", code="booking_not_active")
    now, starts = utcnow(), bookings.slot_start(booking)
    if now < starts - SCREENING_OPENS:
        raise Conflict("接种前3天内才能填写健康询问。", code="screening_not_open")
    try:
        checked = check_screening(answers)
    except AnswerError as exc:
        raise ValidationFailed(str(exc), field=f"answers.{exc.question}") from exc
    bookings.lock(booking.id)
    row = db.session.execute(select(VaccinationScreening).where(
        VaccinationScreening.booking_id == booking.id)).scalar_one_or_none()
    if row is None:
        row = VaccinationScreening(patient_id=booking.patient_id, booking_id=booking.id,
                                   organization_id=booking.organization_id)
        db.session.add(row)
    row.question_set, row.answers = health_enquiry().version, checked.answers
    row.for_doctor, row.submitted_at = list(checked.for_doctor), now
    db.session.flush()
    audit.record("vaccination.screening", "booking", str(booking.external_id),
                 {"for_doctor": list(checked.for_doctor)})
    commit()
    return row


def screening_for(principal: Principal, booking_id) -> VaccinationScreening:
    booking = _vaccination_booking(principal, booking_id)
    row = db.session.execute(select(VaccinationScreening).where(
        VaccinationScreening.booking_id == booking.id)).scalar_one_or_none()
    if row is None:
        raise NotFound("还没有填写健康询问。")
    return row


def screening_view(row: VaccinationScreening) -> dict[str, Any]:
    """Answers in the question set's order, those for the doctor first."""
    questions = health_enquiry()
    items = [{"id": q.id, "text": q.text, "yes": row.answers[q.id]["yes"],
              "detail": row.answers[q.id]["detail"], "for_doctor": q.id in row.for_doctor}
             for q in questions.questions if q.id in row.answers]
    items.sort(key=lambda item: not item["for_doctor"])
    return {"id": row.external_id, "question_set": row.question_set,
            "submitted_at": row.submitted_at, "needs_doctor": bool(row.for_doctor),
            "items": items}


def clinic_screenings(principal: Principal, day: date) -> list[dict[str, Any]]:
    """The clinic's visits of one day with their questionnaires, doctor's items on top."""
    rows = db.session.execute(select(Booking, VaccinationScreening).outerjoin(
        VaccinationScreening, VaccinationScreening.booking_id == Booking.id).join(
        Slot, Slot.id == Booking.slot_id).where(
        Booking.organization_id == principal.organization_id, Booking.clinic_date == day,
        Booking.status.in_(ACTIVE_STATUSES)).order_by(Slot.starts_at, Booking.id)).all()
    visits = []
    for booking, screening in rows:
        if booking.department.code not in vaccination_departments():
            continue
        visits.append({"booking_id": booking.external_id,
                       "child": _child(booking.patient),
                       "starts_at": booking.slot.starts_at, "status": booking.status,
                       "screening": screening_view(screening) if screening else None})
    visits.sort(key=lambda v: not (v["screening"] and v["screening"]["needs_doctor"]))
    audit.record("vaccination.screenings_read", "organization", None,
                 {"day": day.isoformat(), "visits": len(visits)})
    db.session.commit()
    return visits


def _child(child: PatientProfile) -> dict[str, Any]:
    return {"id": child.external_id, "name": child.name, "birth_date": child.birth_date,
            "sex": child.sex}


def _own_record(principal: Principal, record_id) -> VaccinationRecord:
    record = db.session.execute(select(VaccinationRecord).join(
        PatientProfile, PatientProfile.id == VaccinationRecord.patient_id).where(
        VaccinationRecord.external_id == parse_id(record_id),
        PatientProfile.account_id == principal.account_id)).scalar_one_or_none()
    if record is None:
        raise NotFound("没有找到这次接种。")
    return record


def observation(principal: Principal, record_id) -> dict[str, Any]:
    """留观: how long is left before the parent may leave (a dose given at the clinic today)."""
    record = _own_record(principal, record_id)
    if record.observe_until is None:
        raise Conflict("这次接种没有现场留观记录。", code="no_observation")
    until, now = as_utc(record.observe_until), utcnow()
    left = max(int((until - now).total_seconds()), 0)
    name = programme().vaccines[record.vaccine].name
    return {"record_id": record.external_id, "vaccine_name": name, "dose": record.dose,
            "given_at": record.given_at, "observe_until": until, "seconds_left": left,
            "may_leave": left == 0,
            "message": ("留观30分钟已到。孩子没有不适，就可以离开了。" if left == 0 else
                        f"请在接种门诊留观，还需约{(left + 59) // 60}分钟。"
                        "现在离开，万一出现过敏等反应，会来不及处理。")}


def submit_after_care(principal: Principal, record_id, answers: dict[str, Any]
                      ) -> AfterCareReport:
    """The parent's after-care answers; serious ones alert the clinic and open an AEFI report."""
    record = _own_record(principal, record_id)
    if record.organization_id is None or record.given_at is None:
        raise Conflict("这次接种不是在我们的接种门诊登记的，如有不适请联系接种单位或就医。",
                       code="not_our_dose")
    opens, closes = after_care().window_hours
    given, now = as_utc(record.given_at), utcnow()
    if not given + timedelta(hours=opens) <= now <= given + timedelta(hours=closes):
        raise Conflict("这次接种已超过一周，如有不适请直接就医或联系接种门诊。",
                       code="after_care_closed")
    try:
        checked = check_after_care(answers)
    except AnswerError as exc:
        raise ValidationFailed(str(exc), field=f"answers.{exc.question}") from exc
    db.session.execute(select(VaccinationRecord.id).where(VaccinationRecord.id == record.id)
                       .with_for_update())
    if db.session.execute(select(AfterCareReport.id).where(
            AfterCareReport.record_id == record.id)).scalar_one_or_none() is not None:
        db.session.rollback()
        raise Conflict("这次接种的随访已经填写过了。", code="after_care_done")
    aefi = bool(checked.serious)
    report = AfterCareReport(record_id=record.id, patient_id=record.patient_id,
                             organization_id=record.organization_id, answers=checked.answers,
                             serious=list(checked.serious), suspected_aefi=aefi,
                             review_status="open" if aefi else None)
    db.session.add(report)
    db.session.flush()
    if aefi:
        name = programme().vaccines[record.vaccine].name
        db.session.add(AdminAlert(
            organization_id=record.organization_id, kind="suspected_aefi",
            subject_id=str(report.external_id),
            message=(f"疑似预防接种异常反应：{record.patient.name}，{name}第{record.dose}剂"
                     f"（{record.given_on}），家长报告：{'、'.join(checked.serious)}。"
                     f"{'家长已被建议立即拨打120。' if checked.level == 'emergency' else ''}"
                     "请联系家长并审核。")[:500]))
        log.warning("suspected AEFI reported", extra={"after_care": str(report.external_id),
                                                      "level": checked.level})
    audit.record("vaccination.after_care", "vaccination_record", str(record.external_id),
                 {"level": checked.level, "serious": list(checked.serious)})
    commit()
    return report


def after_care_view(report: AfterCareReport) -> dict[str, Any]:
    checked = check_after_care(report.answers)
    return {"id": report.external_id, "level": checked.level, "advice": checked.advice,
            "serious": report.serious, "suspected_aefi": report.suspected_aefi,
            "created_at": report.created_at}


def aefi_reports(principal: Principal, open_only: bool) -> list[dict[str, Any]]:
    query = select(AfterCareReport).where(
        AfterCareReport.organization_id == principal.organization_id,
        AfterCareReport.suspected_aefi.is_(True))
    if open_only:
        query = query.where(AfterCareReport.review_status == "open")
    reports = db.session.execute(query.order_by(AfterCareReport.id.desc()).limit(200)).scalars()
    out = [_aefi_view(r) for r in reports]
    audit.record("vaccination.aefi_list", "organization", None, {"count": len(out)})
    db.session.commit()
    return out


def _aefi_view(report: AfterCareReport) -> dict[str, Any]:
    record = report.record
    questions = after_care()
    answers = []
    for question in questions.questions:
        choice = next(c for c in question.choices if c[0] == report.answers[question.id])
        answers.append({"id": question.id, "text": question.text, "answer": choice[1],
                        "level": choice[2]})
    return {"id": report.external_id, "child": _child(record.patient),
            "vaccine_name": programme().vaccines[record.vaccine].name, "dose": record.dose,
            "given_on": record.given_on, "lot_number": record.lot_number,
            "reported_at": report.created_at, "answers": answers,
            "level": check_after_care(report.answers).level,
            "review_status": report.review_status, "reviewed_at": report.reviewed_at,
            "review_note": report.review_note}


def review_aefi(principal: Principal, report_id, note: str) -> dict[str, Any]:
    report = db.session.execute(select(AfterCareReport).where(
        AfterCareReport.external_id == parse_id(report_id),
        AfterCareReport.organization_id == principal.organization_id,
        AfterCareReport.suspected_aefi.is_(True)).with_for_update()).scalar_one_or_none()
    if report is None:
        raise NotFound("没有找到这份报告。")
    if report.review_status != "reviewed":
        report.review_status, report.reviewed_at = "reviewed", utcnow()
        report.reviewed_by, report.review_note = principal.staff_id, note
        audit.record("vaccination.aefi_review", "after_care_report", str(report.external_id),
                     {"note": note})
    db.session.commit()
    return _aefi_view(report)
