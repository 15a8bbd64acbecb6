"""Vitals in the console: a resident's home readings and follow-up visits in the timeline, the
blood pressure chart with the target band, and new abnormal readings on the worklist."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from backend.extensions import db
from backend.models import AuditEntry, PatientMessage
from tests import factories as f
from tests import followup_support as fs
from tests.console.console_support import csrf_token, login

NOW = datetime(2026, 12, 5, 2, 0, tzinfo=UTC)  # 10:00 in China
CHART = re.compile(r'<figure class="trend" data-trend>.*?<script type="application/json">'
                   r"(.*?)</script>", re.S)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture()
def world(ctx):
    world = fs.resident_with_account()
    world["doctor"].username = "doctor.wu"
    f.sign(world["doctor"], world["profile"])
    fs.enrol(world["person"], world["doctor"], next_due_on=date(2027, 2, 1),
             plan={"targets": {"systolic_below": 135},
                   "medications": [{"name": "氨氯地平", "dose": "5mg", "times": ["07:30"]}],
                   "monitoring": {"blood_pressure_per_week": 3}})
    return world


def _bp(client, world, systolic, diastolic, days_ago=0):
    answer = client.post("/api/v1/mp/vitals", headers=world["me"], json={
        "patient_id": str(world["profile"].external_id), "kind": "blood_pressure",
        "systolic": systolic, "diastolic": diastolic,
        "measured_at": (NOW - timedelta(days=days_ago)).isoformat()})
    assert answer.status_code == 201, answer.json


def _charts(html: str) -> dict[str, dict]:
    charts = [json.loads(raw) for raw in CHART.findall(html)]
    return {c["name"]: c for c in charts}


def test_home_readings_and_a_follow_up_are_in_the_timeline_and_the_chart(world, client):
    _bp(client, world, 128, 80, days_ago=20)
    _bp(client, world, 152, 92, days_ago=2)
    login(client, "doctor.wu")
    form_url = f"/console/followup/residents/{world['person'].external_id}/record"
    token = csrf_token(client.get(form_url).get_data(as_text=True))
    saved = client.post(form_url, data={
        "csrf_token": token, "visited_on": "2026-12-04", "method": "clinic",
        "programme-hypertension": "1", "systolic": "146", "diastolic": "88",
        "adherence": "regular"})
    assert saved.status_code == 200, saved.get_data(as_text=True)

    page = client.get(f"/console/residents/{world['profile'].external_id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "家庭自测血压 152/92mmHg" in html and "高于目标" in html
    assert "门诊随访" in html and "血压146/88mmHg，高血压控制满意" in html
    assert form_url in html  # the resident's page opens the follow-up form
    charts = _charts(html)
    systolic = charts["收缩压"]
    # the resident's own target (135) is stricter than the standard's 140 for their age
    assert systolic["high"] == 135 and systolic["low"] is None
    assert systolic["points"] == [128, 152, 146]
    assert systolic["flags"] == ["自测", "自测", "随访"]
    assert charts["舒张压"]["high"] == 90
    assert "最近一次146mmHg，未达标" in html
    # the current plan
    assert "当前管理计划" in html and "高血压" in html and "一级管理" in html
    assert "氨氯地平 5mg（07:30）" in html and "收缩压低于135mmHg" in html
    assert "每周量血压3次" in html and "下次随访：2027-03-04" in html
    reads = db.session.execute(select(AuditEntry.action).where(
        AuditEntry.action == "resident.read")).scalars().all()
    assert reads


def test_a_resident_without_a_programme_file_has_no_vitals(ctx, client):
    org = f.organization("CHC21")
    doctor = f.staff(org, username="doctor.qin")
    profile = f.profile(f.account(), name="赵敏")
    f.sign(doctor, profile)
    login(client, "doctor.qin")
    html = client.get(f"/console/residents/{profile.external_id}").get_data(as_text=True)
    assert "还没有家庭自测或随访测量的血压、血糖。" in html
    assert "填写随访记录" not in html


def test_new_abnormal_readings_on_the_worklist_latest_per_resident(world, client):
    _bp(client, world, 150, 90, days_ago=3)
    _bp(client, world, 156, 94, days_ago=1)
    _bp(client, world, 120, 78, days_ago=0)  # a normal one later is not listed
    other = fs.resident(world["org"], name="钱桂芝", birth=date(1950, 5, 1), male=False,
                        phone="13900000002")
    fs.enrol(other, world["doctor"], next_due_on=date(2027, 2, 1))
    login(client, "doctor.wu")
    html = client.get("/console/worklist").get_data(as_text=True)
    section = html[html.index('id="abnormal_readings"'):]
    section = section[:section.index("</section>")]
    assert "近7天异常自测" in section
    assert "王建国" in section and "家庭自测血压 156/94mmHg" in section
    assert "近一周异常2次" in section and "钱桂芝" not in section
    assert f"/console/followup/residents/{world['person'].external_id}/record" in section
    assert f"/console/residents/{world['profile'].external_id}" in section
    assert 'data-count="abnormal_readings"' in html


def test_another_doctors_residents_readings_are_not_listed(world, client):
    colleague = f.staff(world["org"], username="doctor.zhou")
    _bp(client, world, 158, 96, days_ago=1)
    login(client, "doctor.zhou")
    html = client.get("/console/worklist").get_data(as_text=True)
    assert "近一周您的居民没有异常的家庭自测。" in html and "王建国" not in html
    assert colleague.username == "doctor.zhou"


def test_messages_sent_are_in_the_timeline_with_whether_they_arrived(world, client):
    profile = world["profile"]
    for n, (kind, status, error) in enumerate((("followup_due", "sent", None),
                                               ("report_ready", "skipped", "用户未授权"))):
        db.session.add(PatientMessage(
            dedupe_key=f"t-{n}", account_id=profile.account_id, patient_id=profile.id,
            kind=kind, channel="wechat", status=status, data={}, last_error=error,
            sent_at=NOW - timedelta(days=n + 1) if status == "sent" else None))
    db.session.commit()
    login(client, "doctor.wu")
    html = client.get(f"/console/residents/{profile.external_id}").get_data(as_text=True)
    assert "随访提醒" in html and "已送达" in html
    assert "报告已出通知" in html and "未发送（用户未授权）" in html
