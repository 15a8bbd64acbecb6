"""Reminders between follow-ups through the patient outbox: the HbA1c check when it is due
(糖化血红蛋白复查) and each dose at the times of the resident's own plan (服药提醒).

Both go to residents who use the mini-program, by the subscribe-message rules: the HbA1c one
with the follow-up template, doses with their own template, each only while the resident has
a grant left (`messages.send` checks). Walks enrolments in id pages (keyset), one commit a
page; each message is unique per resident and due date or dose, so a re-run adds none.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.dialects import postgresql, sqlite

from backend.extensions import db
from backend.models import (
    FollowUpRecord,
    MessageSubscription,
    Organization,
    PatientMessage,
    PatientProfile,
    ProgrammeEnrolment,
    Resident,
)
from backend.timeutil import utcnow
from followup.checks import check_rules, dose_window, doses_due, hba1c_due

log = logging.getLogger(__name__)
KINDS = ("hba1c_due", "medication")
PAGE = "followup/pages/vitals/index"
PAGE_SIZE = 5000


def queue_hba1c(today: date) -> int:
    """Queue an HbA1c reminder for every diabetes enrolment whose check is due by today."""
    rule, queued, after = check_rules().hba1c, 0, 0
    while True:
        page = db.session.execute(_linked_enrolments().where(
            ProgrammeEnrolment.id > after, ProgrammeEnrolment.programme == rule.programme)
            .order_by(ProgrammeEnrolment.id).limit(PAGE_SIZE)).all()
        if not page:
            break
        after = page[-1].id
        last = _last_hba1c({row.resident_id for row in page})
        rows = []
        for row in page:
            on, value = last.get(row.resident_id, (None, None))
            target = (row.plan or {}).get("targets", {}).get("hba1c_below")
            due = hba1c_due(on, value, row.enrolled_on, target)
            if due.due_on <= today:
                rows.append(_message(f"hba1c_due:{row.resident_id}:{due.due_on}", row,
                                     "hba1c_due", {"due_on": due.due_on.isoformat(),
                                                   "why": due.why}))
        queued += _insert(rows)
        db.session.commit()
    log.info("hba1c reminders queued", extra={"queued": queued})
    return queued


def queue_doses(now: datetime) -> int:
    """Queue the doses of the last minutes (China time `now`) for residents who accepted the
    medication template and have a grant left."""
    window = dose_window(now)
    if window is None:
        return 0
    granted = select(MessageSubscription.account_id).where(
        MessageSubscription.kind == "medication", MessageSubscription.grants > 0,
        MessageSubscription.declined.is_(False))
    plans: dict[tuple[int, int, int], list[Any]] = defaultdict(list)
    for row in db.session.execute(_linked_enrolments().where(
            PatientProfile.account_id.in_(granted)).execution_options(yield_per=2000)):
        for dose in doses_due(row.plan or {}, *window):
            plans[(row.resident_id, row.account_id, row.profile_id, dose.at)].extend(
                dose.medicines)
    rows = [_message(f"medication:{resident}:{now.date()}:{at}",
                     {"account_id": account, "profile_id": profile}, "medication",
                     {"at": at, "medicines": medicines})
            for (resident, account, profile, at), medicines in plans.items()]
    queued = _insert(rows)
    db.session.commit()
    log.info("dose reminders queued", extra={"queued": queued})
    return queued


def fields(message: PatientMessage) -> dict[str, dict[str, str]]:
    """No readings or diagnosis on a lock screen: who, what to do, when."""
    profile = db.session.get(PatientProfile, message.patient_id)
    if message.kind == "medication":
        values = {"thing1": profile.name, "time2": message.data["at"],
                  "thing3": "、".join(message.data["medicines"])[:20],
                  "thing4": "请按时服药，不要自己停药。"}
    else:
        resident = db.session.execute(select(Resident).where(
            Resident.patient_id == profile.id)).scalar_one()
        centre = db.session.get(Organization, resident.organization_id)
        values = {"thing1": profile.name, "thing2": centre.name[:20],
                  "time3": message.data["due_on"], "thing4": "请到社区查糖化血红蛋白。"}
    return {key: {"value": value} for key, value in values.items()}


def _linked_enrolments():
    """Open enrolments of residents who use the mini-program (a live 就诊人 profile)."""
    return select(ProgrammeEnrolment.id, ProgrammeEnrolment.resident_id,
                  ProgrammeEnrolment.enrolled_on, ProgrammeEnrolment.plan,
                  PatientProfile.account_id, PatientProfile.id.label("profile_id")).join(
        Resident, Resident.id == ProgrammeEnrolment.resident_id).join(
        PatientProfile, and_(PatientProfile.id == Resident.patient_id,
                             PatientProfile.archived_at.is_(None))).where(
        ProgrammeEnrolment.ended_on.is_(None))


def _last_hba1c(resident_ids: set[int]) -> dict[int, tuple[date, float]]:
    found: dict[int, tuple[date, float]] = {}
    for resident_id, visited_on, tests in db.session.execute(select(
            FollowUpRecord.resident_id, FollowUpRecord.visited_on, FollowUpRecord.tests).where(
            FollowUpRecord.resident_id.in_(resident_ids),
            FollowUpRecord.tests["hba1c"].as_string().is_not(None))):
        if resident_id not in found or visited_on > found[resident_id][0]:
            found[resident_id] = (visited_on, float(tests["hba1c"]))
    return found


def _message(key: str, row: Any, kind: str, data: dict[str, Any]) -> dict[str, Any]:
    get = row.get if isinstance(row, dict) else row._mapping.get
    return {"dedupe_key": key, "account_id": get("account_id"), "patient_id": get("profile_id"),
            "kind": kind, "status": "pending", "data": data, "attempts": 0}


def _insert(rows: list[dict[str, Any]]) -> int:
    if not rows:
        return 0
    insert = postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert
    now = utcnow()
    statement = insert(PatientMessage).values(
        [{**row, "created_at": now, "updated_at": now} for row in rows]
    ).on_conflict_do_nothing(index_elements=["dedupe_key"])
    return db.session.execute(statement.execution_options(preserve_rowcount=True)).rowcount
