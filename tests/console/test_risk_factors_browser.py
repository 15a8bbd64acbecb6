"""The cardiovascular risk inputs in a real browser (headless Debian Chromium, Playwright): from
the resident's page to the form, every field labelled, saved from the keyboard, then the
portrait's line saying the risk waits for the coefficients and what is still missing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from backend.extensions import db
from backend.timeutil import local_today
from tests import factories as f
from tests import followup_support as fs
from tests.console.conftest import screenshot
from tests.console.test_browser import sign_in

pytestmark = pytest.mark.slow


def test_record_waist_and_smoking_then_the_portrait_lists_what_is_missing(ctx, page):
    today = local_today()
    centre = f.organization("CHC27B")
    centre.province = "11"
    doctor = f.staff(centre, username="doctor.heart")
    profile = f.profile(f.account(), name="孙玉梅", male=False,
                        birth=today.replace(year=today.year - 58))
    f.sign(doctor, profile)
    person = fs.resident(centre, name="孙玉梅", male=False,
                         birth=today.replace(year=today.year - 58))
    person.patient_id = profile.id
    fs.enrol(person, doctor, enrolled_on=today - timedelta(days=100),
             next_due_on=today + timedelta(days=30))
    db.session.commit()

    sign_in(page, "doctor.heart")
    page.goto(f"/console/residents/{profile.external_id}")
    page.get_by_role("link", name="心血管病风险资料").click()
    expect(page.get_by_role("heading", name="心血管病风险资料：孙玉梅")).to_be_visible()
    expect(page.locator("#risk-current")).to_contain_text("北方")
    unlabelled = page.evaluate("""() => [...document.querySelectorAll(
        '#risk-form input:not([type=hidden]), #risk-form select')]
        .filter((el) => !el.labels || el.labels.length === 0).map((el) => el.name)""")
    assert unlabelled == []
    page.get_by_label("现在吸烟").select_option(label="不吸烟或已戒烟")
    page.get_by_label("居住地").select_option(label="城市")
    waist = page.get_by_label("腰围（cm）")
    waist.fill("84")
    waist.press("Enter")  # saved from the keyboard
    expect(page.locator("#risk-saved")).to_contain_text("腰围")
    expect(page.locator("#risk-current")).to_contain_text("84cm")
    expect(page.locator("#risk-current")).to_contain_text("医生登记")
    screenshot(page, "risk-factors-saved")

    page.get_by_role("link", name="返回居民页").click()
    page.get_by_role("button", name="生成健康画像").click()
    portrait = page.locator("#portrait")
    expect(portrait).to_contain_text("10年心血管病风险：尚未计算（风险方程的系数待医务部确认）")
    expect(portrait).to_contain_text("还缺：收缩压（随访测量）")
    expect(portrait).to_contain_text("腰围：84cm（医生登记）")
    screenshot(page, "portrait-cardiovascular-line")
    assert page.problems == []
