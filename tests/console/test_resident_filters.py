"""Narrowing the resident list by programme, control at the latest follow-up, an overdue
follow-up and risk level (分级管理); filters kept across pages; a wrong value refused plainly."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine
from sqlalchemy import select

from backend.extensions import db
from backend.models import AuditEntry, FollowUpOutcome, FollowUpRecord
from tests import factories as f
from tests import followup_support as fs
from tests.console.console_support import login

NOW = datetime(2026, 12, 5, 2, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _signed_with_file(org, doctor, name: str, birth: date, phone: str):
    profile = f.profile(f.account(), name=name, birth=birth, phone=phone)
    f.sign(doctor, profile)
    person = fs.resident(org, name=name, birth=birth, phone=phone)
    person.patient_id = profile.id
    db.session.commit()
    return person


def _visit(person, enrolment, doctor, day: date, satisfied: bool) -> None:
    record = FollowUpRecord(resident_id=person.id, doctor_id=doctor.id, visited_on=day,
                            method="clinic", age=person.age, readings={}, adherence="regular",
                            next_followup_on=date(2027, 3, 1), next_followup_rule="test")
    db.session.add(record)
    db.session.flush()
    db.session.add(FollowUpOutcome(
        record_id=record.id, enrolment_id=enrolment.id, programme=enrolment.programme,
        visited_on=day, follow_up_class="satisfied" if satisfied else "unsatisfied",
        class_name="控制满意" if satisfied else "控制不满意", control_satisfied=satisfied,
        adverse_reaction=False, decisions=[], emergencies=[],
        next_followup_on=date(2027, 3, 1), next_followup_rule="test", source="test"))
    db.session.commit()


@pytest.fixture()
def world(ctx):
    org = f.organization("CHC31")
    doctor = f.staff(org, username="doctor.lin")
    yi = _signed_with_file(org, doctor, "王一", date(1950, 1, 1), "13900000011")
    er = _signed_with_file(org, doctor, "王二", date(1960, 1, 1), "13900000012")
    san = _signed_with_file(org, doctor, "王三", date(1965, 1, 1), "13900000013")
    f.sign(doctor, f.profile(f.account(), name="王四", phone=None))  # no programme file
    e_yi = fs.enrol(yi, doctor, next_due_on=date(2026, 11, 20))
    e_yi.management_level = 3
    e_er = fs.enrol(er, doctor, programme="type2_diabetes", next_due_on=date(2027, 1, 10))
    e_san = fs.enrol(san, doctor, next_due_on=date(2026, 12, 1))
    e_san.management_level = 2
    db.session.commit()
    _visit(yi, e_yi, doctor, date(2026, 6, 1), satisfied=True)
    _visit(yi, e_yi, doctor, date(2026, 9, 1), satisfied=False)  # the latest counts
    _visit(er, e_er, doctor, date(2026, 6, 1), satisfied=False)
    _visit(er, e_er, doctor, date(2026, 10, 1), satisfied=True)
    return {"org": org, "doctor": doctor}


def _names(client, query: str) -> set[str]:
    html = client.get(f"/console/residents?{query}").get_data(as_text=True)
    return {name for name in ("王一", "王二", "王三", "王四") if f">{name}</a>" in html}


@pytest.mark.parametrize(("query", "names"), [
    ("", {"王一", "王二", "王三", "王四"}),
    ("programme=hypertension", {"王一", "王三"}),
    ("programme=type2_diabetes", {"王二"}),
    ("control=unsatisfied", {"王一"}),
    ("control=satisfied", {"王二"}),
    ("control=not_yet", {"王三"}),
    ("overdue=1", {"王一", "王三"}),
    ("risk=3", {"王一"}),
    ("risk=1", {"王二"}),
    ("overdue=1&risk=2", {"王三"}),
    ("programme=hypertension&control=satisfied", set()),
    ("q=王三&overdue=1", {"王三"}),
])
def test_filters_narrow_the_list(world, client, query, names):
    login(client, "doctor.lin")
    assert _names(client, query) == names


def test_the_filters_are_audited_without_their_values(world, client):
    login(client, "doctor.lin")
    client.get("/console/residents?overdue=1&risk=3")
    entry = db.session.execute(select(AuditEntry).where(
        AuditEntry.action == "resident.search").order_by(AuditEntry.id.desc())).scalars().first()
    assert entry.detail["filters"] == ["overdue", "risk"] and entry.detail["total"] == 1


def test_a_wrong_filter_value_is_refused_on_its_field(world, client):
    login(client, "doctor.lin")
    answer = client.get("/console/residents?risk=9")
    assert answer.status_code == 422
    assert "请从列表里选择" in answer.get_data(as_text=True)


def test_pages_keep_the_filters(world, client):
    for n in range(25):
        person = _signed_with_file(world["org"], world["doctor"], f"李{n:02d}",
                                   date(1955, 1, 1), f"139100000{n:02d}")
        fs.enrol(person, world["doctor"], next_due_on=date(2026, 11, 1))
    login(client, "doctor.lin")
    first = client.get("/console/residents?overdue=1").get_data(as_text=True)
    assert "共找到 27 位居民，第 1 / 2 页" in first
    assert "overdue=1" in first[first.index('rel="next"') - 200:first.index('rel="next"') + 200]
