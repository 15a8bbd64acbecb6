"""Vitals and list filters in a real browser (headless Debian Chromium, Playwright): a new high
home reading counted on the worklist, the resident's blood pressure chart drawn with its target
band, and the overdue and programme filters narrowing the resident list."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from backend.extensions import db
from backend.models import VitalReading
from backend.timeutil import local_today, utcnow
from tests import factories as f
from tests import followup_support as fs
from tests.console.conftest import screenshot
from tests.console.test_browser import sign_in

pytestmark = pytest.mark.slow


def _reading(person, days_ago: int, systolic: int, diastolic: int, level: str) -> None:
    db.session.add(VitalReading(
        resident_id=person.id, measured_at=utcnow() - timedelta(days=days_ago),
        kind="blood_pressure", readings={"systolic": systolic, "diastolic": diastolic},
        symptoms=[], source="manual", level=level, findings={"emergencies": [],
                                                             "above_target": []}))
    db.session.commit()


def test_a_high_reading_on_the_worklist_the_chart_drawn_and_the_filters(ctx, page):
    world = fs.resident_with_account("CHC13V")
    doctor, person = world["doctor"], world["person"]
    doctor.username = "doctor.vitals"
    f.sign(doctor, world["profile"])
    fs.enrol(person, doctor, next_due_on=local_today() - timedelta(days=5))
    other = f.profile(f.account(), name="陈没管理", phone=None)
    f.sign(doctor, other)
    _reading(person, 20, 132, 82, "normal")
    _reading(person, 1, 158, 96, "high")

    sign_in(page, "doctor.vitals")
    expect(page.locator('[data-count="abnormal_readings"] .count-number')).to_have_text("1")
    section = page.locator("#abnormal_readings")
    expect(section).to_contain_text("家庭自测血压 158/96mmHg")
    screenshot(page, "worklist-abnormal-readings")
    section.get_by_role("link", name="查看居民").click()

    vitals = page.locator("section[aria-labelledby='vitals-title']")
    chart = vitals.locator("[data-trend] .chart").first
    expect(chart).to_have_attribute("data-drawn", "true")
    assert chart.locator("canvas").count() >= 1
    expect(vitals).to_contain_text("收缩压（mmHg）：目标低于150mmHg；最近一次158mmHg，未达标")
    expect(page.get_by_role("link", name="填写随访记录")).to_be_visible()
    screenshot(page, "resident-vitals")

    page.goto("/console/residents")
    expect(page.locator("#result-count")).to_contain_text("共找到 2 位居民")
    page.get_by_label("只看随访已逾期").check()
    page.get_by_label("管理项目").select_option(label="高血压")
    page.get_by_role("button", name="查找").click()
    expect(page.locator("#result-count")).to_contain_text("共找到 1 位居民")
    expect(page.locator("#resident-list")).to_contain_text("王建国")
    expect(page.locator("#resident-list")).not_to_contain_text("陈没管理")
    screenshot(page, "residents-filtered")
    assert page.problems == []
