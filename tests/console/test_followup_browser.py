"""The follow-up record form in a real browser (headless Debian Chromium, Playwright): from the
worklist's 随访待办 to the form, the class computed live while typing (a fetch under the strict
CSP), then saved and the next date shown."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from backend.extensions import db
from backend.models import FollowUpRecord
from backend.services.followup.due_scan import scan
from backend.timeutil import local_today
from tests import factories as f
from tests import followup_support as fs
from tests.console.conftest import screenshot
from tests.console.test_browser import sign_in

pytestmark = pytest.mark.slow


def test_fill_the_form_see_the_class_live_save_and_see_the_next_date(ctx, page):
    today = local_today()
    org = f.organization("CHC13B")
    doctor = f.staff(org, username="doctor.live")
    person = fs.resident(org, name="周桂兰")
    fs.enrol(person, doctor, enrolled_on=today - timedelta(days=200),
             next_due_on=today - timedelta(days=10))
    scan(today)
    sign_in(page, "doctor.live")
    section = page.locator("#followup_due")
    expect(section).to_contain_text("周桂兰")
    expect(section).to_contain_text("已逾期")
    section.get_by_role("link", name="填写随访记录").click()
    expect(page.get_by_role("heading", name="随访记录：周桂兰")).to_be_visible()

    page.get_by_label("收缩压（mmHg）").fill("152")
    page.get_by_label("舒张压（mmHg）").fill("92")
    live = page.locator("#live-result")
    expect(live.locator(".followup-class")).to_have_text("控制不满意")
    page.get_by_label("收缩压（mmHg）").fill("132")
    page.get_by_label("舒张压（mmHg）").fill("82")
    expect(live.locator(".followup-class")).to_have_text("控制满意")
    page.get_by_label("收缩压（mmHg）").fill("abc")
    expect(page.locator("#live-error")).to_have_text("收缩压请填写数字。")
    page.get_by_label("收缩压（mmHg）").fill("132")
    expect(live.locator(".followup-class")).to_have_text("控制满意")
    screenshot(page, "followup-form-live")

    page.get_by_role("button", name="保存随访记录").click()
    saved = page.locator("#saved-result")
    expect(page.get_by_role("heading", name="随访记录已保存")).to_be_visible()
    record = db.session.execute(select(FollowUpRecord)).scalar_one()
    expect(saved.locator("[data-next-date]")).to_have_text(record.next_followup_on.isoformat())
    expect(saved.locator(".followup-class")).to_have_text("控制满意")
    screenshot(page, "followup-form-saved")
    page.goto("/console/worklist")
    expect(page.locator("#followup_due")).to_contain_text("没有到期的随访。")
    assert page.problems == []
