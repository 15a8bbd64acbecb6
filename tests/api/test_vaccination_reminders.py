"""Reminders from the schedule (3 days before, on the day, overdue), the end of 留观 and the
after-care call: rows with `next_due_at`, one dispatch job, the message outbox; twice is once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import requests
import time_machine
from sqlalchemy import select

from backend.extensions import db
from backend.jobs.vaccination import dispatch_due
from backend.models import PatientMessage
from tests.vaccination_support import clinic, family, give

T0 = datetime(2026, 12, 5, 2, 0, tzinfo=UTC)  # 10:00 in the clinic


def _messages() -> list[tuple[str, str]]:
    db.session.expire_all()
    return [(m.kind, m.data["vaccines"]) for m in db.session.execute(
        select(PatientMessage).where(PatientMessage.patient_id.is_not(None))
        .order_by(PatientMessage.id)).scalars()]


def _child_with_a_record(web):
    kid, at = family(), clinic()
    for vaccine, dose, day in (("HepB", 1, "2026-06-01"), ("BCG", 1, "2026-06-02"),
                               ("HepB", 2, "2026-07-01")):
        assert give(web, at, kid, vaccine, dose, day).status_code == 201
    return kid, at


def test_due_doses_are_told_once_in_one_message(web):
    with time_machine.travel(T0, tick=False):
        _child_with_a_record(web)
        dispatch_due()
        assert _messages() == [
            ("vaccine_due", "乙肝疫苗第3剂、脊灰疫苗第1剂、百白破疫苗第1剂、A群流脑多糖疫苗第1剂")]
        dispatch_due()
        assert len(_messages()) == 1


def test_before_on_the_day_and_overdue_follow_the_schedule(web):
    with time_machine.travel(T0, tick=False) as clock:
        kid, at = _child_with_a_record(web)
        for vaccine in ("IPV", "DTaP", "MPSV-A"):
            give(web, at, kid, vaccine, 1)
        give(web, at, kid, "HepB", 3)
        dispatch_due()  # 留观 rows are not due yet; nothing else is due today
        assert _messages() == []
        clock.move_to(datetime(2026, 12, 30, 1, 5, tzinfo=UTC))  # 09:05, 3 days before
        dispatch_due()
        assert _messages()[-1] == ("vaccine_before", "脊灰疫苗第2剂、百白破疫苗第2剂")
        clock.move_to(datetime(2027, 1, 2, 1, 5, tzinfo=UTC))
        dispatch_due()
        assert _messages()[-1] == ("vaccine_due", "脊灰疫苗第2剂、百白破疫苗第2剂")
        clock.move_to(datetime(2027, 5, 4, 1, 5, tzinfo=UTC))  # the day after 2027-05-03
        dispatch_due()
        assert ("vaccine_overdue", "脊灰疫苗第2剂、百白破疫苗第2剂") in _messages()
        count = len(_messages())
        dispatch_due()
        assert len(_messages()) == count


def test_the_end_of_observation_and_the_after_care_call(web):
    with time_machine.travel(T0, tick=False) as clock:
        kid, at = family(), clinic()
        give(web, at, kid, "DTaP", 1, "2026-12-05")
        dispatch_due()
        assert "observation_done" not in [k for k, _ in _messages()]
        clock.shift(timedelta(minutes=29))
        dispatch_due()
        assert "observation_done" not in [k for k, _ in _messages()]
        clock.shift(timedelta(minutes=2))
        dispatch_due()
        assert _messages()[-1] == ("observation_done", "百白破疫苗第1剂")
        clock.shift(timedelta(hours=24))
        dispatch_due()
        dispatch_due()
        assert [k for k, _ in _messages()].count("after_care") == 1


def test_a_parent_who_subscribed_receives_the_reminder(web, simulators):
    from tests import factories as f

    with time_machine.travel(T0, tick=False):
        kid, _ = _child_with_a_record(web)
        f.wechat_code(simulators, kid.openid)
        requests.post(simulators.url("wechat") + "/_sim/subscriptions", timeout=5,
                      json={"openid": kid.openid, "template_id": "tmpl-vaccination"})
        web.put("/api/v1/mp/subscriptions", headers=kid.headers,
                json={"results": {"tmpl-vaccination": "accept"}})
        dispatch_due()
    sent = requests.get(simulators.url("wechat") + "/_sim/messages",
                        params={"openid": kid.openid}, timeout=5).json()["messages"]
    assert len(sent) == 1 and sent[0]["template_id"] == "tmpl-vaccination"
    assert sent[0]["data"]["thing1"]["value"] == "小明"
    assert sent[0]["page"] == f"vaccination/pages/child/index?id={kid.child_id}"
