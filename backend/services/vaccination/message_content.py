"""Vaccination messages in the outbox (订阅消息, the "vaccination" template): what they say and
where they open. Short and calm; written with the event, sent by the message job."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from backend.extensions import db
from backend.models import PatientMessage, PatientProfile, VaccinationRecord
from backend.services.deferred import defer
from backend.timeutil import CLINIC_TZ, as_utc
from vaccination import programme

KINDS = ("vaccine_before", "vaccine_due", "vaccine_overdue", "observation_done", "after_care")
NOTES = {
    "vaccine_before": "疫苗快到接种时间了，可以预约接种门诊。",
    "vaccine_due": "今天起可以接种了，请预约接种门诊。",
    "vaccine_overdue": "已过推荐接种时间，请尽快补种。",
    "observation_done": "留观30分钟已到，孩子没有不适就可以离开了。",
    "after_care": "接种已满一天，请花一分钟告诉我们孩子的情况。",
}
SCHEDULE_PAGE = "vaccination/pages/child/index?id={child}"
DOSE_PAGES = {"observation_done": "vaccination/pages/observation/index?id={record}",
              "after_care": "vaccination/pages/after-care/index?id={record}"}


def _queue(key: str, child: PatientProfile, kind: str, data: dict[str, Any]) -> None:
    if db.session.execute(select(PatientMessage.id).where(
            PatientMessage.dedupe_key == key)).scalar_one_or_none() is not None:
        return
    message = PatientMessage(dedupe_key=key, account_id=child.account_id, patient_id=child.id,
                             kind=kind, status="pending", data=data, attempts=0)
    db.session.add(message)
    db.session.flush()
    defer("backend.jobs.messages:send_message", message.id)


def notify_schedule(child: PatientProfile, kind: str, told: list, today: date) -> None:
    """One message for the reminders of one kind that fall due together."""
    names = "、".join(dict.fromkeys(f"{e.series_name}第{e.dose}剂" for e in told))
    on = min(e.on for e in told)
    _queue(f"{kind}:{child.external_id}:{today.isoformat()}", child, kind,
           {"vaccines": names, "on": on.isoformat(), "child": str(child.external_id)})


def notify_dose(child: PatientProfile, record: VaccinationRecord, kind: str) -> None:
    message_kind = "observation_done" if kind == "observation" else "after_care"
    name = programme().vaccines[record.vaccine].name
    when = as_utc(record.given_at).astimezone(CLINIC_TZ) if record.given_at else None
    _queue(f"{message_kind}:{record.external_id}", child, message_kind,
           {"vaccines": f"{name}第{record.dose}剂", "on": record.given_on.isoformat(),
            "at": f"{when:%H:%M}" if when else None, "record": str(record.external_id),
            "child": str(child.external_id)})


def fields(message: PatientMessage) -> dict[str, dict[str, str]]:
    child = db.session.get(PatientProfile, message.patient_id)
    values = {"thing1": child.name, "thing2": message.data["vaccines"][:20],
              "time3": message.data["on"], "thing4": NOTES[message.kind][:20]}
    return {key: {"value": value} for key, value in values.items()}


def page(message: PatientMessage) -> str:
    if message.kind in DOSE_PAGES:
        return DOSE_PAGES[message.kind].format(record=message.data["record"])
    return SCHEDULE_PAGE.format(child=message.data["child"])
