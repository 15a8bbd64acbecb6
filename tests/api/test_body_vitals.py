"""Weight, SpO₂ and temperature from the mini-program take the same path as blood pressure:
checked with clear Chinese errors, assessed at once, urgent → 120 and the family doctor's
follow-up moves to today; an abnormal value the hospital wants seen today moves it too; the
doctor sees the reading and its basis."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from backend.extensions import db
from backend.models import FollowUpTask
from tests import factories as f
from tests import followup_support as fs

NOW = datetime(2026, 12, 5, 1, 0, tzinfo=UTC)  # 09:00 in China
TODAY = date(2026, 12, 5)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture()
def world(ctx):
    world = fs.resident_with_account()
    world["hypertension"] = fs.enrol(world["person"], world["doctor"],
                                     next_due_on=date(2027, 2, 1))
    world["colleague_h"] = f.bearer(f.staff_token(f.staff(world["org"])))
    return world


def _post(client, world, kind, who="me", **values):
    return client.post("/api/v1/mp/vitals", headers=world[who], json={
        "patient_id": str(world["profile"].external_id), "kind": kind, **values})


def _open_tasks():
    db.session.remove()
    return sorted(db.session.execute(select(FollowUpTask.due_on, FollowUpTask.due_rule).where(
        FollowUpTask.status == "open")).all())


def test_a_very_low_spo2_says_call_120_and_the_doctor_sees_it_today(client, world):
    response = _post(client, world, "spo2", spo2=88)
    assert response.status_code == 201, response.json
    data = response.json["data"]
    assert data["urgent"] is True and "120" in data["advice"]["text"]
    assert data["doctor_told"] is True
    assert _open_tasks() == [(TODAY, "urgent_home_reading")]
    worklist = client.get("/api/v1/admin/followup/tasks", headers=world["doctor_h"]).json["data"]
    assert worklist["items"][0]["due_rule"] == "urgent_home_reading"
    url = f"/api/v1/admin/followup/residents/{world['person'].external_id}/readings"
    seen = client.get(url, headers=world["doctor_h"]).json["data"]["readings"]
    assert seen[0]["kind"] == "spo2" and seen[0]["level"] == "urgent"
    assert "血氧饱和度低于90%: value=88 < 90" in seen[0]["findings"]["above_target"]


def test_a_high_fever_in_a_hypertension_resident_tells_the_doctor_without_120(client, world):
    data = _post(client, world, "temperature", temperature=39.4).json["data"]
    assert (data["level"], data["urgent"], data["doctor_told"]) == ("high", False, True)
    assert data["advice"]["title"] == "体温很高"
    assert _open_tasks() == [(TODAY, "abnormal_home_reading")]


def test_a_mild_fever_is_explained_but_leaves_the_follow_up_date(client, world):
    data = _post(client, world, "temperature", temperature=37.6).json["data"]
    assert (data["level"], data["doctor_told"]) == ("high", False)
    assert "多喝温水" in data["advice"]["text"]
    assert _open_tasks() == []


def test_overweight_is_told_and_three_of_them_do_not_move_the_follow_up(client, world):
    first = _post(client, world, "weight", weight=75, height_cm=168).json["data"]
    assert first["level"] == "high" and first["advice"]["title"] == "体重有点超重"
    for _ in range(3):  # the height given once is used again
        assert _post(client, world, "weight", weight=75).json["data"]["level"] == "high"
    assert _open_tasks() == []  # only blood pressure and glucose count as repeated highs


def test_losing_more_than_five_percent_in_six_months_tells_the_doctor(client, world):
    earlier = (NOW - timedelta(days=20)).isoformat()
    assert _post(client, world, "weight", weight=70, height_cm=175,
                 measured_at=earlier).json["data"]["level"] == "normal"
    data = _post(client, world, "weight", weight=66).json["data"]
    assert (data["level"], data["doctor_told"]) == ("high", True)
    assert _open_tasks() == [(TODAY, "abnormal_home_reading")]


@pytest.mark.parametrize(("values", "field", "words"), [
    ({"kind": "spo2", "spo2": 130}, "spo2", "血氧饱和度130%不在可能的范围内"),
    ({"kind": "temperature", "temperature": 49}, "temperature", "体温"),
    ({"kind": "weight", "weight": 7}, "weight", "体重"),
    ({"kind": "weight", "weight": 70, "height_cm": 60}, "height", "身高"),
    ({"kind": "spo2"}, "spo2", "请填写血氧饱和度"),
])
def test_wrong_values_are_refused_in_plain_chinese(client, world, values, field, words):
    response = _post(client, world, **values)
    assert response.status_code == 422, response.json
    assert response.json["error"]["field"] == field
    assert words in response.json["error"]["message"]


def test_another_account_cannot_record_for_this_resident(client, world):
    assert _post(client, world, "spo2", who="stranger", spo2=88).status_code == 404
    assert _open_tasks() == []
