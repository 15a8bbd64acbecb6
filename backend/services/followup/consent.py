"""A resident's own choice of how the follow-up team may remind them outside the mini-program:
texts (短信) and the AI phone call (智能语音电话). Consent is the resident's, given or withdrawn
in the mini-program at any time (个人信息保护法 第十五条); each change is audited."""

from __future__ import annotations

from typing import Any

from backend.auth import Principal
from backend.extensions import db
from backend.services import audit
from backend.services.followup.vitals import resident_of
from backend.timeutil import utcnow


def reminder_consent(principal: Principal, patient_id: Any) -> dict[str, Any]:
    resident, _ = resident_of(principal, patient_id)
    return _view(resident)


def set_reminder_consent(principal: Principal, data: dict[str, Any]) -> dict[str, Any]:
    resident, _ = resident_of(principal, data["patient_id"])
    now = utcnow()
    for field, column in (("sms", "sms_consented_at"), ("call", "call_consented_at")):
        if field in data:
            agreed = data[field]
            if agreed and getattr(resident, column) is None:
                setattr(resident, column, now)
            elif not agreed:
                setattr(resident, column, None)
    if data.get("phone_works"):  # the resident says the number on file reaches them again
        resident.phone_unreachable_at = None
    audit.record("followup.reminder_consent", "resident", str(resident.external_id),
                 {key: data[key] for key in ("sms", "call", "phone_works") if key in data})
    db.session.commit()
    return _view(resident)


def _view(resident) -> dict[str, Any]:
    return {"sms": resident.sms_consented_at is not None,
            "call": resident.call_consented_at is not None,
            "phone": resident.phone_masked,
            "phone_unreachable": resident.phone_unreachable_at is not None}
