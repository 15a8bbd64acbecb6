"""AI follow-up calls in the console (AI电话随访): every call for the residents a staff member
may see, with its state and attempts, and one call's attempts with what was said and the record
it left waiting for the family doctor's confirmation (待医生确认). Both reads are audited; the
transcript is shown until its retention ends.
"""

from __future__ import annotations

import json
import math
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from backend.auth import Principal
from backend.errors import NotFound, ValidationFailed
from backend.extensions import db
from backend.models import CallAttempt, CallState, FollowUpCall, FollowUpRecord, Resident
from backend.services import audit
from backend.services.access import parse_id
from backend.services.followup.access import load_resident, visible_residents

PER_PAGE = 50
COUNT_CAP = 10_000
REVIEW = "review"  # the filter: a record waits for the doctor's confirmation
STATE_WORDS = {CallState.SCHEDULED.value: "等待拨打", CallState.DIALLING.value: "正在拨打",
               CallState.DONE.value: "已完成", CallState.TO_DOCTOR.value: "转医生跟进",
               CallState.CANCELLED.value: "已取消"}
SHOW = {"": "全部", REVIEW: "待医生确认", **STATE_WORDS}
RESULT_WORDS = {"answered": "已接通", "busy": "占线", "no_answer": "无人接听",
                "voicemail": "语音信箱", "failed": "呼叫失败", "dropped": "通话中断",
                "completed": "问答完成", "wrong_person": "打错人", "identity_failed": "身份未核实",
                "refused": "拒绝随访", "rescheduled": "约了改时间", "red_flag": "发现危急情况",
                "transferred": "已转人工", "hung_up": "中途挂断", "no_response": "没有回答"}
ADHERENCE_WORDS = {"regular": "规律服药", "intermittent": "间断服药", "none": "不服药"}


@dataclass
class CallPage:
    rows: list[dict[str, Any]]
    total: int
    page: int
    pages: int
    capped: bool


def list_calls(principal: Principal, show: str, resident_id: str, page: int) -> CallPage:
    """The calls of the residents `principal` may see, the latest follow-up date first."""
    if show not in SHOW:
        raise ValidationFailed("没有这种通话状态。", field="show")
    query = select(FollowUpCall, Resident, FollowUpRecord.review_status).join(
        Resident, Resident.id == FollowUpCall.resident_id).outerjoin(
        FollowUpRecord, FollowUpRecord.id == FollowUpCall.record_id).where(
        FollowUpCall.resident_id.in_(visible_residents(principal).with_only_columns(Resident.id)))
    if show == REVIEW:
        query = query.where(FollowUpRecord.review_status == "pending")
    elif show:
        query = query.where(FollowUpCall.status == show)
    if resident_id:
        query = query.where(Resident.id == load_resident(principal, resident_id).id)
    total = db.session.execute(select(func.count()).select_from(
        query.with_only_columns(FollowUpCall.id).limit(COUNT_CAP + 1).subquery())).scalar_one()
    capped, total = total > COUNT_CAP, min(total, COUNT_CAP)
    pages = max(1, math.ceil(total / PER_PAGE))
    page = min(max(page, 1), pages)
    found = db.session.execute(query.order_by(FollowUpCall.due_on.desc(), FollowUpCall.id.desc())
                               .limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    rows = [{"call": call, "resident": resident, "state": STATE_WORDS.get(call.status, call.status),
             "result": RESULT_WORDS.get(call.last_result or "", call.last_result or "—"),
             "pending": review == "pending"} for call, resident, review in found]
    audit.record("followup.call.list", "staff", principal.actor_external_id,
                 {"show": show or "all", "resident": resident_id or None, "count": len(rows),
                  "total": total, "page": page})
    db.session.commit()
    return CallPage(rows, total, page, pages, capped)


def call_detail(principal: Principal, call_external_id: str | uuid.UUID) -> dict[str, Any]:
    """One call: its attempts with what was said (an audited read of the resident's words) and
    the record it made."""
    visible = visible_residents(principal).with_only_columns(Resident.id)
    call = db.session.execute(select(FollowUpCall).where(
        FollowUpCall.external_id == parse_id(call_external_id),
        FollowUpCall.resident_id.in_(visible))).scalar_one_or_none()
    if call is None:
        raise NotFound("没有找到这通随访电话。")
    attempts = sorted(call.attempt_rows, key=lambda a: a.number)
    view = {"call": call, "resident": call.resident,
            "state": STATE_WORDS.get(call.status, call.status),
            "attempts": [_attempt(a) for a in attempts], "record": _record(call.record)}
    audit.record("followup.call.read", "resident", str(call.resident.external_id),
                 {"call": str(call.external_id),
                  "attempts": [str(a.external_id) for a in attempts]})
    db.session.commit()
    return view


def _attempt(attempt: CallAttempt) -> dict[str, Any]:
    return {"attempt": attempt,
            "disposition": RESULT_WORDS.get(attempt.disposition or "", attempt.disposition),
            "outcome": RESULT_WORDS.get(attempt.outcome or "", attempt.outcome),
            "transcript": json.loads(attempt.transcript) if attempt.transcript else [],
            "purged": attempt.purged_at is not None}


def _record(record: FollowUpRecord | None) -> dict[str, Any] | None:
    if record is None:
        return None
    readings = record.readings or {}
    said = []
    if readings.get("systolic"):
        said.append(f"血压 {readings['systolic']}/{readings.get('diastolic') or '—'} mmHg")
    for key, words in (("fasting_glucose", "空腹血糖"), ("random_glucose", "随机血糖")):
        if readings.get(key):
            said.append(f"{words} {readings[key]} mmol/L")
    said.append(ADHERENCE_WORDS.get(record.adherence, record.adherence))
    return {"record": record, "said": said, "pending": record.review_status == "pending",
            "classes": [o.class_name for o in record.outcomes]}
