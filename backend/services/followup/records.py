"""Follow-up visits (随访记录): stored with their classification by followup.classify, which
moves each programme's next due date and closes the tasks the visit fulfils.
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from typing import Any

from sqlalchemy import select, update

from backend.auth import Principal
from backend.errors import Conflict, ValidationFailed
from backend.extensions import db
from backend.models import (
    FollowUpOutcome,
    FollowUpRecord,
    FollowUpTask,
    ProgrammeEnrolment,
    Resident,
    TaskStatus,
)
from backend.services import audit
from backend.services.followup import education
from backend.services.followup.access import load_resident
from backend.timeutil import age_on, local_today, utcnow
from followup import (
    FollowUpInputError,
    FollowUpResult,
    FollowUpVisit,
    ProgrammeFindings,
    classify,
)

log = logging.getLogger(__name__)


def preview_followup(principal: Principal, resident_external_id: str,
                     data: dict[str, Any]) -> FollowUpResult:
    """What the visit would be classified as, without storing it (the console's live view):
    the same checks and the same pure function as `record_followup`."""
    resident = load_resident(principal, resident_external_id)
    return _classified(resident, data)[2]


def record_followup(principal: Principal, resident_external_id: str,
                    data: dict[str, Any]) -> FollowUpRecord:
    """Classify and store one visit. A visit older than one already stored for the same
    programme is refused: the standard's 连续两次 rule reads the visits in order."""
    resident = load_resident(principal, resident_external_id)
    record, result, _ = store_visit(resident, principal.staff_id, data)
    db.session.commit()
    log.info("follow-up recorded", extra={"record": str(record.external_id),
                                          "urgent_referral": result.urgent_referral})
    return record


def store_visit(resident: Resident, doctor_id: int, data: dict[str, Any], *,
                pending_review: bool = False) -> tuple[FollowUpRecord, FollowUpResult, int]:
    """Classify and add one visit to the session (the caller commits): the doctor's own, a
    questionnaire the doctor accepted, or the AI caller's. A confirmed visit moves the due
    dates, closes the tasks it fulfils, offers the class's education and is audited; one
    waiting for the doctor's confirmation (待医生确认, the AI caller's) keeps the tasks open
    and the due date where it is until the doctor confirms it (`confirm_pending`).
    Returns the record, its classification and the tasks closed."""
    enrolments, visit, result = _classified(resident, data)
    visited_on = data["visited_on"]
    record = FollowUpRecord(
        resident_id=resident.id, doctor_id=doctor_id, visited_on=visited_on,
        method=data["method"], age=visit.age, readings=dict(data["readings"]),
        body=data.get("body", {}), tests=data.get("tests", {}),
        symptoms=sorted(visit.symptoms), flags=sorted(visit.flags),
        lifestyle=data.get("lifestyle", {}), adherence=data["adherence"],
        medications=data.get("medications", []), hypoglycaemia=data.get("hypoglycaemia"),
        note=data.get("note"), urgent_referral=result.urgent_referral,
        next_followup_on=result.next_followup_on, next_followup_rule=result.next_followup_rule,
        review_status="pending" if pending_review else None)
    db.session.add(record)
    db.session.flush()
    for programme, outcome in result.outcomes.items():
        enrolment, findings = enrolments[programme], data["programmes"][programme]
        db.session.add(FollowUpOutcome(
            record_id=record.id, enrolment_id=enrolment.id, programme=programme,
            visited_on=visited_on, follow_up_class=outcome.follow_up_class,
            class_name=outcome.class_name, control_satisfied=outcome.control_satisfied,
            adverse_reaction=outcome.adverse_reaction,
            adverse_reactions=list(findings.get("adverse_reactions", ())),
            complications=sorted(findings.get("complications", ())),
            medication_changed=findings.get("medication_changed", False),
            referral=outcome.referral,
            decisions=[_decision(d) for d in outcome.decisions],
            emergencies=[_decision(d) for d in outcome.emergencies],
            next_followup_on=outcome.next_followup_on,
            next_followup_rule=outcome.next_followup_rule, source=outcome.source))
    if pending_review:
        return record, result, 0
    closed = _apply(record, list(enrolments.values()))
    education.offer(resident, {f"class_{o.follow_up_class}" for o in result.outcomes.values()},
                    "followup")
    audit.record("followup.record.create", "resident", str(resident.external_id),
                 {"record": str(record.external_id), "programmes": sorted(result.outcomes),
                  "classes": {p: o.follow_up_class for p, o in result.outcomes.items()},
                  "urgent_referral": result.urgent_referral, "tasks_closed": closed})
    return record, result, closed


def confirm_pending(record: FollowUpRecord) -> int:
    """The doctor confirmed a visit the AI caller recorded: its dates now count."""
    db.session.flush()
    enrolments = [o.enrolment for o in record.outcomes]
    record.review_status = None
    return _apply(record, enrolments)


def _apply(record: FollowUpRecord, enrolments: list[ProgrammeEnrolment]) -> int:
    """Move each programme's next due date and close the open tasks the visit fulfils."""
    by_id = {e.id: e for e in enrolments}
    for outcome in db.session.execute(select(FollowUpOutcome).where(
            FollowUpOutcome.record_id == record.id)).scalars():
        enrolment = by_id[outcome.enrolment_id]
        enrolment.next_due_on = outcome.next_followup_on
        enrolment.next_due_rule = outcome.next_followup_rule
    return db.session.execute(update(FollowUpTask).where(
        FollowUpTask.enrolment_id.in_(list(by_id)),
        FollowUpTask.status == TaskStatus.OPEN.value).values(
        status=TaskStatus.DONE.value, closed_at=utcnow(), record_id=record.id)).rowcount


def _classified(resident: Resident, data: dict[str, Any]
                ) -> tuple[dict[str, ProgrammeEnrolment], FollowUpVisit, FollowUpResult]:
    """The visit's checks and followup.classify, shared by saving and previewing."""
    visited_on = data["visited_on"]
    if visited_on > local_today():
        raise ValidationFailed("随访日期不能晚于今天。", field="visited_on")
    enrolments = _enrolments(resident, data["programmes"])
    previous = {}
    for programme, enrolment in enrolments.items():
        if visited_on < enrolment.enrolled_on:
            raise ValidationFailed("随访日期不能早于纳入管理的日期。", field="visited_on")
        last = last_outcome(enrolment)
        if last is not None and last.visited_on >= visited_on:
            raise Conflict(f"该居民{last.visited_on}已有一次随访记录，不能补录更早或同一天的随访。",
                           code="later_followup_exists", field="visited_on")
        if last is not None:
            previous[programme] = last
    visit = FollowUpVisit(
        visited_on=visited_on, age=age_on(resident.birth_date, visited_on),
        programmes={p: ProgrammeFindings(
            adverse_reactions=tuple(f.get("adverse_reactions", ())),
            adverse_reaction_uncontrolled=f.get("adverse_reaction_uncontrolled", False),
            complications=frozenset(f.get("complications", ())),
            medication_changed=f.get("medication_changed", False))
            for p, f in data["programmes"].items()},
        readings=data["readings"], symptoms=frozenset(data.get("symptoms", ())),
        flags=frozenset(data.get("flags", ())))
    try:
        result = classify(visit, previous)
    except FollowUpInputError as exc:
        field, _, _reason = str(exc).partition(":")
        raise ValidationFailed(str(exc), field=field) from exc
    return enrolments, visit, result


def list_records(principal: Principal, resident_external_id: str,
                 limit: int) -> list[FollowUpRecord]:
    resident = load_resident(principal, resident_external_id)
    rows = db.session.execute(select(FollowUpRecord).where(
        FollowUpRecord.resident_id == resident.id).order_by(
        FollowUpRecord.visited_on.desc(), FollowUpRecord.id.desc()).limit(limit)).scalars().all()
    audit.record("followup.record.list", "resident", str(resident.external_id),
                 {"count": len(rows)})
    db.session.commit()
    return list(rows)


def _enrolments(resident: Resident, programmes: dict[str, Any]
                ) -> dict[str, ProgrammeEnrolment]:
    open_ = {e.programme: e for e in resident.enrolments if e.ended_on is None}
    for programme in programmes:
        if programme not in open_:
            raise ValidationFailed("这位居民没有在该项目管理中，请先纳入管理。",
                                   field=f"programmes.{programme}")
    return {programme: open_[programme] for programme in programmes}


def last_outcome(enrolment: ProgrammeEnrolment) -> FollowUpOutcome | None:
    return db.session.execute(select(FollowUpOutcome).where(
        FollowUpOutcome.enrolment_id == enrolment.id).order_by(
        FollowUpOutcome.visited_on.desc(), FollowUpOutcome.id.desc()).limit(1)
    ).scalar_one_or_none()


def _decision(decision) -> dict[str, Any]:
    found = asdict(decision)
    found["basis"] = list(found["basis"])
    return found
