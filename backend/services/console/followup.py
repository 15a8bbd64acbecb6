"""The family doctor's follow-up in the console: the worklist's 随访待办, and the record form's
fields read into the shape `services.followup.records` takes (the one way a visit is saved)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from marshmallow import ValidationError

from backend.auth import Principal
from backend.errors import ValidationFailed
from backend.extensions import db
from backend.models import FollowUpRecord, Programme, StaffRole
from backend.schemas.followup import FollowUpRecordCreateSchema
from backend.services import audit
from backend.services.console.worklist import MAX_ITEMS, Section, section
from backend.services.followup import questionnaire
from backend.services.followup import worklist as followup_worklist
from backend.services.followup.access import load_resident
from backend.timeutil import local_today
from followup import FollowUpResult, default_rules

PROGRAMME_NAMES = {Programme.HYPERTENSION.value: "高血压",
                   Programme.TYPE2_DIABETES.value: "2型糖尿病"}
# Form field → (where it goes, its name in the error a doctor reads).
NUMBERS = {"systolic": ("readings", "收缩压"), "diastolic": ("readings", "舒张压"),
           "heart_rate": ("readings", "心率"), "fasting_glucose": ("readings", "空腹血糖"),
           "random_glucose": ("readings", "随机血糖"), "weight_kg": ("body", "体重"),
           "height_cm": ("body", "身高"), "hba1c": ("tests", "糖化血红蛋白")}
CHOICES = {"method": "随访方式", "adherence": "服药依从性", "hypoglycaemia": "低血糖反应",
           "visited_on": "随访日期", "note": "备注"}
REFERRALS = {"urgent": "紧急转诊", "routine": "建议转诊"}


@section(StaffRole.FAMILY_DOCTOR)
def followup_due(principal: Principal) -> Section:
    """My open follow-up tasks, most overdue first; each links to the record form."""
    tasks, total = followup_worklist.open_tasks(principal, None, MAX_ITEMS, 0)
    today = local_today()
    items = [{"task": t, "resident": t.enrolment.resident, "overdue": t.due_on < today,
              "programme": PROGRAMME_NAMES.get(t.enrolment.programme, t.enrolment.programme)}
             for t in tasks]
    overdue = sum(1 for i in items if i["overdue"])
    return Section("followup_due", "随访待办", total, items, urgent=bool(overdue),
                   empty_words="没有到期的随访。")


@section(StaffRole.FAMILY_DOCTOR)
def questionnaires_review(principal: Principal) -> Section:
    """Residents' between-visit questionnaires waiting for me, urgent first: each counts as a
    follow-up only once accepted here."""
    items = [{"questionnaire": q, "resident": q.resident,
              "classes": "；".join(f"{PROGRAMME_NAMES.get(p, p)}{c}"
                                  for p, c in q.provisional["classes"].items())}
             for q in questionnaire.pending(principal)[:MAX_ITEMS]]
    return Section("questionnaires_review", "居民问卷待审核", len(items), items,
                   urgent=any(i["questionnaire"].urgent for i in items),
                   empty_words="没有等待审核的居民问卷。")


def form_context(principal: Principal, resident_external_id: Any) -> dict[str, Any]:
    """The resident and the programmes the form can record (their open enrolments); audited,
    like every console page that shows a resident."""
    resident = load_resident(principal, resident_external_id)
    enrolments = [e for e in resident.enrolments if e.ended_on is None]
    audit.record("console.followup.form", "resident", str(resident.external_id),
                 {"programmes": sorted(e.programme for e in enrolments)})
    db.session.commit()
    return {"resident": resident, "enrolments": enrolments, "names": PROGRAMME_NAMES,
            "today": local_today()}


def read_form(form: Mapping[str, str]) -> dict[str, Any]:
    """The posted fields as the follow-up service's input; a wrong value gets a plain sentence."""
    raw: dict[str, Any] = {"programmes": {}, "readings": {}, "body": {}, "tests": {}}
    for key in ("visited_on", "method", "adherence", "hypoglycaemia", "note"):
        value = (form.get(key) or "").strip()
        if value:
            raw[key] = value
    for programme in PROGRAMME_NAMES:
        if form.get(f"programme-{programme}"):
            reactions = (form.get(f"{programme}-adverse") or "").strip()
            raw["programmes"][programme] = {
                "adverse_reactions": [reactions[:100]] if reactions else [],
                "medication_changed": bool(form.get(f"{programme}-medication_changed"))}
    if not raw["programmes"]:
        raise ValidationFailed("请至少选择一项慢病管理（高血压或2型糖尿病）。", field="programmes")
    for key, (group, label) in NUMBERS.items():
        value = (form.get(key) or "").strip()
        if not value:
            continue
        try:
            number = float(value)
        except ValueError:
            raise ValidationFailed(f"{label}请填写数字。", field=key) from None
        if number != number or number in (float("inf"), float("-inf")):
            raise ValidationFailed(f"{label}请填写数字。", field=key)
        raw[group][key] = number
    try:
        return FollowUpRecordCreateSchema().load(raw)
    except ValidationError as exc:
        raise ValidationFailed(_plain(exc.messages), field=_first_field(exc.messages)) from None


def plain_message(exc: ValidationFailed) -> str:
    """The service's refusal without its field prefix and codes (a doctor reads it)."""
    message = exc.message.partition(": ")[2] if ": " in exc.message else exc.message
    message = re.sub(r"（[A-Za-z0-9_, ]+）", "", message)
    if not re.search(r"[\u4e00-\u9fff]", message):
        return "填写的数值有误，请核对后再试。"
    return message


def _first_field(messages: dict) -> str:
    key = next(iter(messages))
    inner = messages[key]
    return next(iter(inner)) if isinstance(inner, dict) else key


def _plain(messages: dict) -> str:
    field = _first_field(messages)
    label = CHOICES.get(field) or NUMBERS.get(field, (None, None))[1]
    if label is None:
        return "填写的内容有误，请检查后重试。"
    if field == "visited_on":
        return "请填写随访日期（年-月-日）。"
    if field in NUMBERS:
        return f"{label}超出了合理范围，请核对。"
    if field == "note":
        return "备注最多1000个字。"
    return f"请选择{label}。"


def result_view(result: FollowUpResult) -> dict[str, Any]:
    """What followup.classify found, as the form shows it (and the live JSON answers)."""
    return {"next_followup_on": result.next_followup_on.isoformat(),
            "urgent_referral": result.urgent_referral,
            "outcomes": [_outcome(o.programme, o.follow_up_class, o.class_name, o.referral,
                                  o.next_followup_on, [d.says for d in o.emergencies],
                                  [{"says": d.says, "basis": list(d.basis)} for d in o.decisions],
                                  o.source)
                         for o in result.outcomes.values()]}


def record_view(record: FollowUpRecord) -> dict[str, Any]:
    """The saved record's outcomes, read back from the rows the service stored."""
    return {"next_followup_on": record.next_followup_on.isoformat(),
            "urgent_referral": record.urgent_referral,
            "outcomes": [_outcome(o.programme, o.follow_up_class, o.class_name, o.referral,
                                  o.next_followup_on, [d["says"] for d in o.emergencies],
                                  [{"says": d["says"], "basis": d["basis"]} for d in o.decisions],
                                  o.source)
                         for o in record.outcomes]}


def _why(basis: list[str]) -> list[str]:
    """The classification's basis in the doctor's words: 收缩压132mmHg, the target's name."""
    rules = default_rules()
    readings = rules.policy.readings
    targets = {t.id: t.name for p in rules.programmes.values() for t in p.targets}
    symptoms = {k: v for p in rules.programmes.values() for k, v in p.symptoms.items()}
    words = []
    for item in basis:
        name, sep, value = item.partition("=")
        if sep and name in readings:
            words.append(f"{readings[name].name}{value}{readings[name].unit}")
        elif item.startswith("target:") and item[7:] in targets:
            words.append(f"控制目标：{targets[item[7:]]}")
        elif item.startswith("symptom:") and item[8:] in symptoms:
            words.append(symptoms[item[8:]])
        elif item.startswith("flag:") and item[5:] in rules.policy.flags:
            words.append(rules.policy.flags[item[5:]])
        elif item.startswith("previous ") and item.endswith(": unsatisfactory"):
            words.append(f"上次随访（{item[9:19]}）控制不满意")
        else:
            words.append(item)
    return words


def _outcome(programme, follow_up_class, class_name, referral, next_on, emergencies, decisions,
             source) -> dict[str, Any]:
    return {"programme": PROGRAMME_NAMES.get(programme, programme),
            "follow_up_class": follow_up_class, "class_name": class_name,
            "referral": REFERRALS.get(referral) if referral else None,
            "next_followup_on": next_on.isoformat(), "emergencies": emergencies,
            "actions": [{"says": d["says"], "basis": _why(d["basis"])} for d in decisions],
            "source": source}
