"""The portrait's statements from the chronic-disease programmes: the programmes themselves,
the blood pressure course against the resident's target, three readings in a row above it, an
overdue follow-up; each with its evidence and the action it leads to."""

from __future__ import annotations

from datetime import date, datetime

from backend.services.portraits import programme_rules as pr
from backend.services.portraits import rules
from backend.timeutil import CLINIC_TZ

TODAY = date(2026, 12, 5)
HYPERTENSION = pr.EnrolmentFact("e1", "高血压", date(2026, 1, 5), date(2027, 2, 1), "一级管理")


def _bp(day: int, systolic: float, diastolic: float, kind: str = "reading") -> pr.BloodPressure:
    return pr.BloodPressure(f"{kind}-{day}", kind, datetime(2026, 11, day, 8, tzinfo=CLINIC_TZ),
                            systolic, diastolic)


def _held(*readings, enrolment=HYPERTENSION, target=(140.0, 90.0)) -> rules.Held:
    return rules.Held("p1", 60, date(1966, 1, 1), TODAY, enrolments=[enrolment],
                      blood_pressure=list(readings), bp_target=target)


def _by_key(held: rules.Held) -> dict[str, dict]:
    return {s["key"]: s for s in pr.build(held)}


def test_the_programme_is_a_problem_with_its_file_as_evidence():
    made = _by_key(_held())
    assert made["programme:e1"]["text"] == "高血压，已纳入慢病健康管理（2026-01-05起，一级管理）。"
    assert made["programme:e1"]["evidence"] == [
        {"kind": "enrolment", "id": "e1", "date": "2026-01-05", "label": "高血压患者健康管理档案"}]
    assert "control:blood_pressure" not in made  # no readings, no course


def test_the_course_shows_the_latest_four_readings_against_the_target():
    made = _by_key(_held(_bp(1, 150, 95), _bp(8, 138, 86), _bp(15, 142, 88),
                         _bp(22, 136, 92, "followup"), _bp(29, 128, 80)))
    course = made["control:blood_pressure"]
    assert course["text"] == ("血压最近4次：138/86→142/88→136/92→128/80mmHg；"
                              "目标低于140/90mmHg，2次未达标。")
    assert [e["date"] for e in course["evidence"]] == [
        "2026-11-08", "2026-11-15", "2026-11-22", "2026-11-29"]
    assert course["evidence"][2]["label"] == "随访测量血压 136/92mmHg"
    assert "gap:bp_uncontrolled" not in made  # the latest is in target


def test_three_readings_in_a_row_above_target_is_a_gap_with_an_action():
    readings = (_bp(1, 128, 80), _bp(8, 146, 88), _bp(15, 138, 92), _bp(22, 152, 94))
    made = _by_key(_held(*readings))
    gap = made["gap:bp_uncontrolled"]
    assert gap["text"] == "最近连续3次血压没有达到目标（低于140/90mmHg）。"
    assert [e["id"] for e in gap["evidence"]] == ["reading-8", "reading-15", "reading-22"]
    action = made["action:gap:bp_uncontrolled"]
    assert action["evidence"] == gap["evidence"] and "面对面随访" in action["text"]
    # the resident's own stricter target counts the same way
    strict = _by_key(_held(_bp(1, 132, 80), _bp(8, 134, 82), _bp(15, 131, 79),
                           target=(130.0, 80.0)))
    assert "gap:bp_uncontrolled" in strict
    # two readings are not three
    assert "gap:bp_uncontrolled" not in _by_key(_held(_bp(8, 150, 95), _bp(15, 152, 96)))


def test_an_overdue_follow_up_is_a_gap_until_its_date():
    overdue = pr.EnrolmentFact("e2", "2型糖尿病", date(2026, 3, 1), date(2026, 11, 20), "二级管理")
    made = _by_key(_held(enrolment=overdue))
    assert made["gap:overdue:e2"]["text"] == "2型糖尿病随访已逾期：应在2026-11-20随访。"
    assert made["gap:overdue:e2"]["evidence"][0]["date"] == "2026-11-20"
    assert made["action:gap:overdue:e2"]["text"] == "建议尽快安排2型糖尿病随访。"
    due_today = pr.EnrolmentFact("e3", "高血压", date(2026, 3, 1), TODAY, "一级管理")
    assert "gap:overdue:e3" not in _by_key(_held(enrolment=due_today))


def test_every_programme_statement_keeps_its_evidence_through_the_portrait():
    held = _held(_bp(8, 146, 88), _bp(15, 148, 92), _bp(22, 152, 94))
    built = rules.build(held, lambda code, series: "", pr.build(held))
    assert built and all(s["evidence"] for s in built)
    assert {s["section"] for s in built} >= {"problems", "control", "gaps", "actions"}
