"""The between-visit questionnaire (随访问卷): a resident answers in the mini-program, sees at once
what the standard's rules make of it (urgent: call 120, and the doctor is told today), and the
responsible doctor reviews it; only an accepted questionnaire counts as a follow-up.
"""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from backend.auth import Principal
from backend.errors import Conflict, NotFound, ValidationFailed
from backend.extensions import db
from backend.models import FollowUpQuestionnaire, Resident, VitalReading
from backend.services import audit
from backend.services.access import parse_id
from backend.services.followup.access import visible_residents
from backend.services.followup.records import last_outcome, store_visit
from backend.services.followup.vitals import URGENT_RULE, bring_forward, resident_of
from backend.timeutil import CLINIC_TZ, age_on, local_today, utcnow
from followup import FollowUpInputError, classify, default_rules
from followup.questionnaire import check_answers, questionnaire, visit_from_answers
from followup.readings import default_home_rules

log = logging.getLogger(__name__)
READING_NAMES = {"systolic": "高压", "diastolic": "低压", "fasting_glucose": "空腹血糖"}


def questions_for(principal: Principal, patient_id: Any) -> dict[str, Any]:
    _, enrolments = resident_of(principal, patient_id)
    programmes = {e.programme for e in enrolments}
    form = questionnaire()
    return {"edition": form.edition, "source": form.source, "programmes": sorted(programmes),
            "readings_needed": _needed(programmes),
            "questions": [{"id": q.id, "text": q.text, "kind": q.kind,
                           "options": [{"code": c, "name": n} for c, n in q.options.items()],
                           "required": q.required, "min": q.minimum, "max": q.maximum}
                          for q in form.for_programmes(programmes)]}


def submit(principal: Principal, data: dict[str, Any]) -> dict[str, Any]:
    """Check, classify provisionally and store the answers; urgent ones reach the doctor now."""
    resident, enrolments = resident_of(principal, data["patient_id"])
    programmes = {e.programme for e in enrolments}
    form, today = questionnaire(), local_today()
    try:
        answered = check_answers(data["answers"], form.for_programmes(programmes))
    except FollowUpInputError as exc:
        field, _, message = str(exc).partition(": ")
        raise ValidationFailed(message, field=field) from exc
    readings, origin = _readings(resident, programmes, data.get("readings") or {},
                                 form.readings_within_days)
    visit = visit_from_answers(answered, programmes, today,
                               age_on(resident.birth_date, today), readings)
    previous = {e.programme: last for e in enrolments
                if (last := last_outcome(e)) is not None and last.visited_on < today}
    try:
        result = classify(visit, previous)
    except FollowUpInputError as exc:
        field, _, message = str(exc).partition(": ")
        raise ValidationFailed(message, field=field) from exc
    row = FollowUpQuestionnaire(
        resident_id=resident.id, account_id=principal.account_id, answered_on=today,
        edition=form.edition, programmes=sorted(programmes), answers=dict(data["answers"]),
        readings={"values": readings, "from": origin},
        provisional={"classes": {p: o.class_name for p, o in result.outcomes.items()},
                     "next_followup_on": result.next_followup_on.isoformat(),
                     "emergencies": list({d.rule: d.says for o in result.outcomes.values()
                                          for d in reversed(o.emergencies)}.values())},
        urgent=result.urgent_referral, status="submitted")
    db.session.add(row)
    db.session.flush()
    if result.urgent_referral:
        bring_forward(enrolments, URGENT_RULE)
    audit.record("followup.questionnaire.submit", "resident", str(resident.external_id),
                 {"questionnaire": str(row.external_id), "urgent": row.urgent})
    db.session.commit()
    advice = default_home_rules().advice["urgent"] if row.urgent else form.submitted
    return {"questionnaire": row, "advice": advice}


def _needed(programmes: set[str]) -> list[str]:
    rules = default_rules()
    return sorted({name for p in programmes for name in rules.programme(p).control_requires})


def _readings(resident: Resident, programmes: set[str], given: dict[str, float],
              within_days: int) -> tuple[dict[str, float], dict[str, str]]:
    """The readings the classification needs: typed with the answers, else the latest home
    reading of the last days; none at all is a clear error (measure first)."""
    values, origin = {}, {}
    since = datetime.combine(local_today() - timedelta(days=within_days), time.min, CLINIC_TZ)
    for name in _needed(programmes):
        if given.get(name) is not None:
            values[name], origin[name] = float(given[name]), "questionnaire"
            continue
        latest = db.session.execute(select(VitalReading).where(
            VitalReading.resident_id == resident.id, VitalReading.measured_at >= since,
            VitalReading.readings[name].as_string().is_not(None)).order_by(
            VitalReading.measured_at.desc()).limit(1)).scalar_one_or_none()
        if latest is None:
            raise ValidationFailed(f"请先测一次{READING_NAMES.get(name, name)}，再填写问卷。",
                                   field=f"readings.{name}")
        values[name] = float(latest.readings[name])
        origin[name] = f"home_reading:{latest.external_id}"
    return values, origin


def pending(principal: Principal) -> list[FollowUpQuestionnaire]:
    """Questionnaires waiting for review by the residents this doctor may see, urgent first."""
    visible = visible_residents(principal).with_only_columns(Resident.id)
    return list(db.session.execute(select(FollowUpQuestionnaire).where(
        FollowUpQuestionnaire.status == "submitted",
        FollowUpQuestionnaire.resident_id.in_(visible)).order_by(
        FollowUpQuestionnaire.urgent.desc(), FollowUpQuestionnaire.id).limit(200)).scalars())


def review(principal: Principal, questionnaire_id: Any, data: dict[str, Any]
           ) -> FollowUpQuestionnaire:
    """Accept (it becomes a follow-up record classified by the same rules, with what the
    doctor adds) or return it with a note to the resident."""
    visible = visible_residents(principal).with_only_columns(Resident.id)
    row = db.session.execute(select(FollowUpQuestionnaire).where(
        FollowUpQuestionnaire.external_id == parse_id(questionnaire_id),
        FollowUpQuestionnaire.resident_id.in_(visible)).with_for_update()
    ).scalar_one_or_none()
    if row is None:
        raise NotFound("没有找到这份问卷。")
    if row.status != "submitted":
        raise Conflict("这份问卷已经审核过了。", code="already_reviewed")
    row.reviewed_by, row.reviewed_at = principal.staff_id, utcnow()
    row.review_note = data.get("note")
    if data["decision"] == "return":
        if not row.review_note:
            raise ValidationFailed("退回时请写明原因，居民会看到。", field="note")
        row.status = "returned"
    else:
        try:
            answered = check_answers(row.answers, questionnaire().for_programmes(
                set(row.programmes)))
        except FollowUpInputError as exc:  # a new edition of the questions since it was sent
            raise Conflict("问卷的题目已经更新，这份答卷不能直接采用，请退回让居民重新填写。",
                           code="questionnaire_outdated") from exc
        findings = data.get("programmes", {})
        record, _, _ = store_visit(row.resident, principal.staff_id, {
            "visited_on": row.answered_on, "method": "questionnaire",
            "readings": row.readings["values"], "symptoms": sorted(answered.symptoms),
            "flags": [], "body": answered.body, "tests": {}, "lifestyle": answered.lifestyle,
            "adherence": answered.adherence, "hypoglycaemia": answered.hypoglycaemia,
            "medications": data.get("medications", []),
            "note": "居民在线问卷，经责任医生审核。" + (row.review_note or ""),
            "programmes": {p: {"adverse_reactions": list(answered.adverse_reactions),
                               **findings.get(p, {})} for p in row.programmes}})
        row.status, row.record_id = "accepted", record.id
    audit.record("followup.questionnaire.review", "resident", str(row.resident.external_id),
                 {"questionnaire": str(row.external_id), "decision": data["decision"]})
    db.session.commit()
    log.info("questionnaire reviewed", extra={"questionnaire": str(row.external_id),
                                              "decision": data["decision"]})
    return row
