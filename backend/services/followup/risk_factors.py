"""Recording a resident's cardiovascular risk inputs (腰围, 吸烟, 家族史, 城乡, 既往心血管病):
by the family doctor in the console, or waist and smoking by the resident in the mini-program.

Each answer becomes one dated entry with its source (RiskFactorEntry); nothing is overwritten,
so a portrait's evidence keeps pointing at the entry it used. Every recording is audited.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from backend.auth import Principal
from backend.errors import ValidationFailed
from backend.extensions import db
from backend.models import Resident, RiskFactorEntry
from backend.services import audit
from backend.services.followup.access import load_resident
from backend.services.followup.vitals import resident_of
from backend.services.portraits.china_par import settings
from backend.services.portraits.cvd_facts import latest_entries
from backend.timeutil import local_today

# How far back a doctor may date an answer (a measurement from an earlier visit's paper form).
MAX_BACKDATE_DAYS = 365


def factors() -> dict[str, dict[str, Any]]:
    return settings()["factors"]


def _value(name: str, raw: Any) -> str:
    """The stored form of one answer, or a ValidationFailed naming the field in words."""
    factor = factors()[name]
    text = str(raw).strip()
    if "number" in factor:
        limits = factor["number"]
        try:
            number = round(float(text), 1)
        except ValueError:
            raise ValidationFailed(f"{factor['words']}请填写数字。", field=name) from None
        if not limits["min"] <= number <= limits["max"]:
            raise ValidationFailed(f"{factor['words']}应在{limits['min']}～{limits['max']}"
                                   f"{factor['unit']}之间，请核对。", field=name)
        return f"{number:g}"
    if text not in factor["values"]:
        raise ValidationFailed(f"请选择{factor['words']}。", field=name)
    return text


def _observed_on(raw: Any, birth_date: date) -> date:
    if isinstance(raw, date):
        day = raw
    else:
        try:
            day = date.fromisoformat(str(raw or "").strip())
        except ValueError:
            raise ValidationFailed("请填写日期，例如2026-12-05。", field="observed_on") from None
    today = local_today()
    if day > today or day < max(birth_date, today - timedelta(days=MAX_BACKDATE_DAYS)):
        raise ValidationFailed(f"日期应在今天和{MAX_BACKDATE_DAYS}天以前之间。",
                               field="observed_on")
    return day


def _store(resident: Resident, answers: Mapping[str, Any], observed_on: date, source: str,
           staff_id: int | None, account_id: int | None) -> list[RiskFactorEntry]:
    rows = [RiskFactorEntry(resident_id=resident.id, factor=name, value=_value(name, raw),
                            observed_on=observed_on, source=source, staff_id=staff_id,
                            account_id=account_id)
            for name, raw in answers.items()]
    if not rows:
        raise ValidationFailed("请至少填写一项。", field="answers")
    db.session.add_all(rows)
    db.session.flush()
    audit.record("risk_factors.recorded", "resident", str(resident.external_id),
                 {"factors": sorted(r.factor for r in rows), "source": source,
                  "observed_on": observed_on.isoformat(),
                  "entries": [str(r.external_id) for r in rows]})
    db.session.commit()
    return rows


def record_by_doctor(principal: Principal, resident_id: Any, answers: Mapping[str, Any],
                     observed_on: Any) -> list[RiskFactorEntry]:
    """`answers`: factor id → value, only the ones the doctor filled in."""
    resident = load_resident(principal, resident_id)
    unknown = set(answers) - set(factors())
    if unknown:
        raise ValidationFailed("有不认识的项目，请刷新页面。", field=sorted(unknown)[0])
    return _store(resident, answers, _observed_on(observed_on, resident.birth_date), "doctor",
                  principal.staff_id, None)


def record_by_resident(principal: Principal, patient_id: Any,
                       answers: Mapping[str, Any]) -> list[RiskFactorEntry]:
    """Only what a resident can say about themselves (`resident: true`), dated today."""
    resident, _ = resident_of(principal, patient_id)
    allowed = {name for name, factor in factors().items() if factor.get("resident")}
    if set(answers) - allowed:
        raise ValidationFailed("这一项请由家庭医生登记。", field=sorted(set(answers) - allowed)[0])
    return _store(resident, answers, local_today(), "resident", None, principal.account_id)


def self_reportable(principal: Principal, patient_id: Any) -> list[RiskFactorEntry]:
    """The newest entries of what a resident may report (for their own page)."""
    resident, _ = resident_of(principal, patient_id)
    allowed = {name for name, factor in factors().items() if factor.get("resident")}
    entries = [entry for name, entry in current(resident).items() if name in allowed]
    audit.record("risk_factors.read", "resident", str(resident.external_id),
                 {"factors": sorted(e.factor for e in entries)})
    db.session.commit()
    return entries


def current(resident: Resident) -> dict[str, RiskFactorEntry]:
    """The newest entry of each factor (shown beside the form)."""
    return latest_entries(resident)


def shown(principal: Principal, resident_id: Any) -> tuple[Resident, dict[str, RiskFactorEntry]]:
    """The resident and their newest entries for the console form; the view is audited."""
    resident = load_resident(principal, resident_id)
    entries = current(resident)
    audit.record("risk_factors.viewed", "resident", str(resident.external_id),
                 {"factors": sorted(entries)})
    db.session.commit()
    return resident, entries
