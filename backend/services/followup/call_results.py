"""What a follow-up call found, written down in one transaction: the attempt (transcript and
recording encrypted, with their purge date), the next try or the hand-over to the doctor, the
follow-up record (电话随访, 待医生确认, classified by the standard's rules), a red flag brought to
the family doctor at once, and the audit entry.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from backend.errors import Conflict, ValidationFailed
from backend.extensions import db
from backend.models import (
    AdminAlert,
    CallAttempt,
    CallState,
    FollowUpCall,
    FollowUpMethod,
    FollowUpTask,
    ProgrammeEnrolment,
    Resident,
    TaskStatus,
)
from backend.services import audit
from backend.services.followup import call_storage
from backend.services.followup.records import store_visit
from backend.timeutil import local_today, utcnow
from followup import default_rules
from followup.calls.outcome import CallOutcome, CallStatus
from followup.calls.policy import CallPolicy, Disposition
from followup.calls.runner import CallReport

log = logging.getLogger(__name__)
MAX_RESCHEDULES = 3
# Why the doctor now has the follow-up (the open task's due_rule on the worklist).
HANDED_OVER = {CallStatus.WRONG_PERSON: "ai_call_wrong_person",
               CallStatus.IDENTITY_FAILED: "ai_call_identity_failed",
               CallStatus.REFUSED: "ai_call_refused",
               CallStatus.TRANSFERRED: "ai_call_transferred"}
REVIEW_RULE = "ai_call_review"  # a record waits for the doctor's confirmation
RED_FLAG_RULE = "ai_call_red_flag"
UNREACHED_RULE = "ai_call_unreached"
CALLBACK_RULE = "ai_call_callback"


def record_report(attempt_id: int, report: CallReport, policy: CallPolicy,
                  now: datetime) -> FollowUpCall:
    attempt = db.session.get(CallAttempt, attempt_id)
    call = attempt.call
    resident = call.resident
    outcome = report.outcome
    attempt.ended_at, attempt.disposition = now, report.disposition.value
    attempt.cause, attempt.barge_ins = report.cause[:64], report.barge_ins
    attempt.outcome = outcome.status.value if outcome else None
    if outcome is not None:
        attempt.answers = _answers(outcome)
        attempt.transcript = json.dumps([asdict(line) for line in outcome.transcript],
                                        ensure_ascii=False)
    if report.recording:
        attempt.recording_file = call_storage.store_recording(attempt, report.recording)
    if outcome is not None or report.recording:
        attempt.purge_after = now + timedelta(days=policy.retention_days)
    call.lease_until = None
    call.last_result = attempt.outcome or attempt.disposition
    record = None
    if outcome is None or report.disposition is Disposition.DROPPED:
        _retry_or_hand_over(call, report.disposition, policy, now)
    else:
        record = _talked(call, resident, outcome, policy, now)
    audit.record("followup.call.attempt", "resident", str(resident.external_id),
                 {"call": str(call.external_id), "attempt": attempt.number,
                  "provider": attempt.provider, "disposition": attempt.disposition,
                  "outcome": attempt.outcome, "barge_ins": attempt.barge_ins,
                  "record": str(record.external_id) if record else None,
                  "red_flags": [f.rule for f in outcome.red_flags] if outcome else [],
                  "next_attempt_at": call.next_attempt_at.isoformat()
                  if call.status == CallState.SCHEDULED.value else None},
                 actor_kind="system", actor_id="ai-caller",
                 organization_id=resident.organization_id)
    db.session.commit()
    log.info("follow-up call recorded", extra={"call": str(call.external_id),
                                               "attempt": attempt.number,
                                               "disposition": attempt.disposition,
                                               "outcome": attempt.outcome})
    return call


def _retry_or_hand_over(call: FollowUpCall, disposition: Disposition, policy: CallPolicy,
                        now: datetime) -> None:
    kind = disposition.value
    call.failures = {**call.failures, kind: call.failures.get(kind, 0) + 1}
    again = policy.after_attempt(disposition, call.failures[kind], now)
    if again is None:
        _hand_over(call, UNREACHED_RULE)
        return
    call.status, call.next_attempt_at = CallState.SCHEDULED.value, again


def _talked(call: FollowUpCall, resident: Resident, outcome: CallOutcome, policy: CallPolicy,
            now: datetime):
    if outcome.status is CallStatus.RESCHEDULED:
        count = call.failures.get("rescheduled", 0) + 1
        call.failures = {**call.failures, "rescheduled": count}
        if count > MAX_RESCHEDULES:
            _hand_over(call, UNREACHED_RULE)
        else:
            when = outcome.reschedule
            call.status = CallState.SCHEDULED.value
            call.next_attempt_at = policy.reschedule_at(when.day_offset, when.period, now)
        return None
    if outcome.status in HANDED_OVER:
        _hand_over(call, HANDED_OVER[outcome.status])
        return None
    if outcome.status in (CallStatus.HUNG_UP, CallStatus.NO_RESPONSE):
        _retry_or_hand_over(call, Disposition.DROPPED, policy, now)
        return None
    record = _store_record(call, resident, outcome) if outcome.identity_confirmed else None
    call.status, call.record_id = CallState.DONE.value, record.id if record else None
    if outcome.red_flags:
        _raise_red_flag(call, resident, outcome)
    elif outcome.callback_requested:
        _set_task_rule(call, CALLBACK_RULE)
    elif record is None:
        _set_task_rule(call, UNREACHED_RULE)
    return record


def _store_record(call: FollowUpCall, resident: Resident, outcome: CallOutcome):
    """The call's answers as a 随访记录 (电话随访, 待医生确认) for every programme whose readings
    were given; none when no programme could be classified."""
    answers, rules = outcome.answers, default_rules()
    enrolled = [e for e in resident.enrolments if e.ended_on is None]
    programmes = {e.programme: {"adverse_reactions": [a[:100] for a in answers.adverse_reactions]}
                  for e in enrolled
                  if all(r in answers.readings for r in rules.programme(e.programme)
                         .control_requires)}
    if not programmes:
        return None
    notes = ["AI电话随访，待医生确认。", *answers.notes]
    if answers.unanswered:
        notes.append("未答：" + "、".join(answers.unanswered))
    data: dict[str, Any] = {
        "visited_on": local_today(), "method": FollowUpMethod.PHONE.value,
        "programmes": programmes, "readings": dict(answers.readings),
        "symptoms": sorted(answers.symptoms), "adherence": answers.adherence or "unknown",
        "hypoglycaemia": answers.hypoglycaemia, "note": " ".join(notes)[:1000]}
    doctor_id = min(enrolled, key=lambda e: e.id).doctor_id
    try:
        with db.session.begin_nested():
            record, _, _ = store_visit(resident, doctor_id, data, pending_review=True)
    except (Conflict, ValidationFailed) as exc:
        log.warning("call answers not stored as a record", extra={
            "call": str(call.external_id), "reason": str(exc)})
        return None
    _set_task_rule(call, REVIEW_RULE)
    return record


def _raise_red_flag(call: FollowUpCall, resident: Resident, outcome: CallOutcome) -> None:
    """Bring the follow-up to today on the doctor's worklist and alert the centre at once."""
    today = local_today()
    for enrolment in (e for e in resident.enrolments if e.ended_on is None):
        if enrolment.next_due_on > today:
            enrolment.next_due_on = today
            db.session.execute(update(FollowUpTask).where(
                FollowUpTask.enrolment_id == enrolment.id, FollowUpTask.due_on > today,
                FollowUpTask.status == TaskStatus.OPEN.value).values(
                status=TaskStatus.CANCELLED.value, closed_at=utcnow()))
        enrolment.next_due_rule = RED_FLAG_RULE
        task = db.session.execute(select(FollowUpTask).where(
            FollowUpTask.enrolment_id == enrolment.id,
            FollowUpTask.due_on == enrolment.next_due_on)).scalar_one_or_none()
        if task is None:
            db.session.add(FollowUpTask(enrolment_id=enrolment.id, doctor_id=enrolment.doctor_id,
                                        due_on=enrolment.next_due_on, due_rule=RED_FLAG_RULE))
        else:
            task.status, task.due_rule, task.closed_at = (TaskStatus.OPEN.value, RED_FLAG_RULE,
                                                          None)
    names = "、".join(flag.name for flag in outcome.red_flags)[:200]
    db.session.add(AdminAlert(
        organization_id=resident.organization_id, kind="followup_call_red_flag",
        subject_id=str(call.external_id),
        message=f"AI电话随访发现危急情况（{names}），已建议居民{resident.name}立即拨打120。"
                "请责任医生马上联系居民。"))


def _hand_over(call: FollowUpCall, rule: str) -> None:
    call.status, call.next_attempt_at = CallState.TO_DOCTOR.value, None
    _set_task_rule(call, rule)


def _set_task_rule(call: FollowUpCall, rule: str) -> None:
    """Name on the doctor's open tasks of this resident why the call needs them."""
    tasks = db.session.execute(select(FollowUpTask).join(
        ProgrammeEnrolment, ProgrammeEnrolment.id == FollowUpTask.enrolment_id).where(
        ProgrammeEnrolment.resident_id == call.resident_id,
        FollowUpTask.status == TaskStatus.OPEN.value)).scalars()
    for task in tasks:
        if task.due_rule != RED_FLAG_RULE:
            task.due_rule = rule


def _answers(outcome: CallOutcome) -> dict[str, Any]:
    """What the call heard, in the record form's words (no transcript text)."""
    answers = outcome.answers
    return {"readings": answers.readings, "adherence": answers.adherence,
            "adverse_reactions": answers.adverse_reactions,
            "hypoglycaemia": answers.hypoglycaemia, "symptoms": sorted(answers.symptoms),
            "unanswered": answers.unanswered, "notes": answers.notes,
            "identity_confirmed": outcome.identity_confirmed,
            "callback_requested": outcome.callback_requested,
            "red_flags": [asdict(f) for f in outcome.red_flags],
            "reschedule": asdict(outcome.reschedule) if outcome.reschedule else None}
