"""The family doctor's follow-up in the console: 随访待办 on the worklist, the record form saved
through the follow-up service with CSRF, the live classification, and plain refusals."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine
from sqlalchemy import select

from backend.extensions import db
from backend.models import AuditEntry, FollowUpRecord, FollowUpTask, TaskStatus
from backend.services.followup.due_scan import scan
from tests import factories as f
from tests import followup_support as fs
from tests.console.console_support import csrf_token, login

NOW = datetime(2026, 12, 5, 2, 0, tzinfo=UTC)  # 10:00 in China


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture()
def world(ctx):
    org = f.organization("CHC13")
    doctor = f.staff(org, username="doctor.fu")
    person = fs.resident(org, name="李秀英", birth=date(1958, 2, 1))
    fs.enrol(person, doctor, enrolled_on=date(2026, 6, 1), next_due_on=date(2026, 11, 20))
    scan(date(2026, 12, 5))
    return {"org": org, "doctor": doctor, "person": person}


def _form_url(person) -> str:
    return f"/console/followup/residents/{person.external_id}/record"


def _fields(token: str, **extra) -> dict:
    return {"csrf_token": token, "visited_on": "2026-12-05", "method": "clinic",
            "programme-hypertension": "1", "systolic": "132", "diastolic": "82",
            "adherence": "regular", **extra}


def test_the_worklist_lists_the_overdue_follow_up_with_one_click_to_the_form(world, client):
    login(client, "doctor.fu")
    html = client.get("/console/worklist").get_data(as_text=True)
    assert "随访待办" in html and "李秀英" in html and "已逾期" in html
    assert _form_url(world["person"]) in html
    form = client.get(_form_url(world["person"]))
    assert form.status_code == 200 and 'name="csrf_token"' in form.get_data(as_text=True)
    assert db.session.execute(select(AuditEntry).where(
        AuditEntry.action == "console.followup.form")).scalar_one()


def test_the_worklist_says_when_no_reminder_reached_the_resident(world, client):
    task = db.session.execute(select(FollowUpTask)).scalar_one()
    task.unreached_note = "提醒短信未送达（停机或空号），请电话或上门联系居民。"
    db.session.commit()
    login(client, "doctor.fu")
    html = client.get("/console/worklist").get_data(as_text=True)
    assert "提醒短信未送达（停机或空号）" in html and "data-unreached" in html


def test_a_saved_record_shows_the_class_and_next_date_and_leaves_the_worklist(world, client):
    login(client, "doctor.fu")
    token = csrf_token(client.get(_form_url(world["person"])).get_data(as_text=True))
    saved = client.post(_form_url(world["person"]), data=_fields(token))
    html = saved.get_data(as_text=True)
    assert saved.status_code == 200, html
    assert "随访记录已保存" in html and "控制满意" in html and "2027-03-05" in html
    record = db.session.execute(select(FollowUpRecord)).scalar_one()
    assert record.next_followup_on == date(2027, 3, 5)
    task = db.session.execute(select(FollowUpTask)).scalar_one()
    assert task.status == TaskStatus.DONE.value and task.record_id == record.id
    worklist = client.get("/console/worklist").get_data(as_text=True)
    assert "没有到期的随访。" in worklist and _form_url(world["person"]) not in worklist


def test_the_live_preview_classifies_without_saving(world, client):
    login(client, "doctor.fu")
    token = csrf_token(client.get(_form_url(world["person"])).get_data(as_text=True))
    url = f"/console/followup/residents/{world['person'].external_id}/preview"
    answer = client.post(url, data=_fields(token, systolic="152", diastolic="92"),
                         headers={"X-CSRFToken": token})
    assert answer.status_code == 200, answer.json
    outcome = answer.json["outcomes"][0]
    assert outcome["class_name"] == "控制不满意" and answer.json["next_followup_on"] == "2026-12-19"
    assert "收缩压152mmHg" in outcome["actions"][0]["basis"]
    assert any(why.startswith("控制目标：") for why in outcome["actions"][0]["basis"])
    refused = client.post(url, data=_fields(token, systolic="abc"))
    assert refused.status_code == 422 and refused.json["error"] == "收缩压请填写数字。"
    missing = client.post(url, data=_fields(token, diastolic=""))
    assert missing.status_code == 422 and "舒张压" in missing.json["error"]
    assert "readings" not in missing.json["error"] and "diastolic" not in missing.json["error"]
    assert db.session.execute(select(FollowUpRecord)).first() is None


def test_invalid_values_are_refused_in_plain_chinese_and_kept_in_the_form(world, client):
    login(client, "doctor.fu")
    token = csrf_token(client.get(_form_url(world["person"])).get_data(as_text=True))
    response = client.post(_form_url(world["person"]), data=_fields(token, systolic="500"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "收缩压500mmHg不在可能的范围内" in html
    assert 'value="500"' in html
    future = client.post(_form_url(world["person"]), data=_fields(token, visited_on="2026-12-09"))
    assert future.status_code == 422 and "随访日期不能晚于今天" in future.get_data(as_text=True)
    assert db.session.execute(select(FollowUpRecord)).first() is None


def test_a_form_without_its_csrf_token_is_refused(world, client):
    login(client, "doctor.fu")
    response = client.post(_form_url(world["person"]), data=_fields("forged"))
    assert response.status_code == 400 and "页面已过期" in response.get_data(as_text=True)
    preview = client.post(f"/console/followup/residents/{world['person'].external_id}/preview",
                          data=_fields(""))
    assert preview.status_code == 400
    assert db.session.execute(select(FollowUpRecord)).first() is None


def test_another_centres_resident_is_refused(world, client):
    other = f.organization("CHC99")
    stranger = fs.resident(other, name="赵大海", phone="13900000099")
    fs.enrol(stranger, f.staff(other))
    login(client, "doctor.fu")
    token = csrf_token(client.get(_form_url(world["person"])).get_data(as_text=True))
    page = client.get(_form_url(stranger))
    assert page.status_code == 404 and "赵大海" not in page.get_data(as_text=True)
    saved = client.post(_form_url(stranger), data=_fields(token))
    assert saved.status_code == 404
    assert db.session.execute(select(FollowUpRecord)).first() is None


def test_only_family_doctors_record_follow_ups(world, client):
    f.staff(world["org"], role="hospital_admin", username="admin.fu")
    login(client, "admin.fu")
    assert client.get(_form_url(world["person"])).status_code == 403
