"""The console in a real browser (headless Debian Chromium, Playwright) against a real server
on PostgreSQL: sign-in and the wait after failures, CSRF refusal, the worklist's counts and
one-click acknowledge, search, a trend chart drawn, another hospital's resident refused, and
accessibility basics (labels, keyboard, contrast). Screenshots of each page are kept."""

from __future__ import annotations

import re

import pytest
import requests
from playwright.sync_api import expect
from sqlalchemy import select

from backend.extensions import db
from backend.models import CriticalAlert
from tests import factories as f
from tests import report_support as rs
from tests.console.conftest import screenshot
from tests.console.console_support import hgb_later, receive, visit_today_with_note

pytestmark = pytest.mark.slow


def sign_in(page, username: str, password: str = f.STAFF_PASSWORD) -> None:
    page.goto("/console/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def _count(page, key: str) -> str:
    return page.locator(f'[data-count="{key}"] .count-number').inner_text()


def test_sign_in_the_wait_after_failures_and_sign_out(ctx, page):
    f.staff(f.organization(), username="doctor.browser")
    page.goto("/console/worklist")
    expect(page).to_have_url(re.compile(r"/console/login"))
    screenshot(page, "login")
    for _ in range(ctx.config["STAFF_LOCKOUT_ATTEMPTS"]):
        sign_in(page, "doctor.browser", "wrong-password-1")
        expect(page.locator("#login-error")).to_contain_text("用户名或密码不正确")
    sign_in(page, "doctor.browser")  # right password, but this address must wait now
    expect(page.locator("#login-error")).to_contain_text("用户名或密码不正确")
    screenshot(page, "login-refused")
    assert page.problems == []


def test_a_tampered_csrf_token_is_refused(ctx, page):
    f.staff(f.organization(), username="doctor.csrf")
    page.goto("/console/login")
    page.eval_on_selector("input[name=csrf_token]", "el => el.value = 'forged'")
    page.get_by_label("用户名").fill("doctor.csrf")
    page.get_by_label("密码").fill(f.STAFF_PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.locator("#error-title")).to_have_text("页面已过期")
    screenshot(page, "csrf-refused")


def test_worklist_counts_and_one_click_acknowledge(ctx, page):
    hospital = rs.hospital()
    rs.zhang(f.account())
    receive("electrolytes_critical")
    sign_in(page, hospital.clinician.username)
    expect(page.get_by_role("heading", name="工作台", exact=True)).to_be_visible()
    assert _count(page, "critical_values") == "1"
    screenshot(page, "worklist-clinician")
    page.get_by_role("button", name="确认已知晓").click()
    expect(page.get_by_role("status").first).to_contain_text("已确认危急值")
    assert _count(page, "critical_values") == "0"
    alert = db.session.execute(select(CriticalAlert)).scalar_one()
    db.session.refresh(alert)
    assert alert.status == "acknowledged"
    assert page.problems == []


def test_search_a_trend_drawn_and_the_tablet_layout(ctx, page):
    rs.hospital()
    patient = rs.zhang(f.account())
    receive("cbc", hgb_later())
    clinic = f.organization()
    doctor = f.staff(clinic, username="doctor.trend")
    f.sign(doctor, patient)
    for n in range(25):
        f.sign(doctor, f.profile(f.account(), name=f"居民{n:02d}", phone=None))
    sign_in(page, "doctor.trend")
    page.get_by_role("link", name="签约居民").click()
    expect(page.locator("#result-count")).to_contain_text("共找到 26 位居民")
    screenshot(page, "residents")
    page.get_by_label("姓名、身份证号、手机号或尾号后四位").fill(patient.document_number[-4:])
    page.get_by_role("button", name="查找").click()
    expect(page.locator("#result-count")).to_contain_text("共找到 1 位居民")
    page.get_by_role("link", name="张伟").click()
    chart = page.locator("[data-trend] .chart").first
    expect(chart).to_have_attribute("data-drawn", "true")
    assert chart.locator("canvas").count() >= 1
    screenshot(page, "resident")
    page.set_viewport_size({"width": 768, "height": 1024})
    screenshot(page, "resident-tablet")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 768, "the tablet layout scrolls sideways"
    assert page.problems == []


def test_another_hospitals_resident_is_refused(ctx, page):
    patient = f.profile(f.account(), name="别院居民")
    f.sign(f.staff(f.organization()), patient)
    f.staff(f.organization(), role="hospital_admin", username="admin.other")
    sign_in(page, "admin.other")
    response = page.goto(f"/console/residents/{patient.external_id}")
    assert response.status == 404
    expect(page.locator("#error-message")).to_have_text("没有找到这位就诊人。")
    assert "别院居民" not in page.content()
    screenshot(page, "refused")


def test_the_pre_visit_notes_page_prints_red_flags_first(ctx, page):
    hospital = rs.hospital()
    visit_today_with_note(hospital.organization, f.profile(f.account(), name="复诊者"),
                          "CARD", 8, "心慌两天。")
    visit_today_with_note(hospital.organization, f.profile(f.account(), name="胸痛者"),
                          "CARD", 10, "胸痛伴大汗一小时。",
                          red_flag="chest_pain_with_sweating_or_breathlessness")
    sign_in(page, hospital.clinician.username)
    page.get_by_role("link", name="今日预问诊", exact=True).click()
    names = page.locator("article.note-card h2").all_inner_texts()
    assert names[0].startswith("胸痛者") and names[1].startswith("复诊者")
    screenshot(page, "previsit")
    page.emulate_media(media="print")
    expect(page.locator("header.top")).to_be_hidden()
    screenshot(page, "previsit-print")


def _contrast(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    def luminance(rgb):
        def channel(c):
            c = c / 255
            return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
        r, g, b_ = (channel(c) for c in rgb[:3])
        return 0.2126 * r + 0.7152 * g + 0.0722 * b_
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _colours(page, selector: str) -> tuple[tuple[float, ...], tuple[float, ...]]:
    text, background = page.eval_on_selector(selector, """el => {
        const style = getComputedStyle(el);
        let bg = style.backgroundColor, node = el;
        while (bg === 'rgba(0, 0, 0, 0)' && node.parentElement) {
            node = node.parentElement; bg = getComputedStyle(node).backgroundColor;
        }
        return [style.color, bg];
    }""")
    return _rgb(text), _rgb(background)


def _rgb(css: str) -> tuple[float, ...]:
    return tuple(float(x) for x in re.findall(r"[\d.]+", css))


def test_accessibility_basics_labels_keyboard_and_contrast(ctx, page):
    hospital = rs.hospital()
    rs.zhang(f.account())
    receive("electrolytes_critical")
    page.goto("/console/login")
    # Keyboard only: the cursor starts in the user name, Tab to the password, Enter submits.
    assert page.evaluate("document.activeElement.name") == "username"
    page.keyboard.type(hospital.clinician.username)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "password"
    page.keyboard.type(f.STAFF_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="工作台", exact=True)).to_be_visible()
    for path in ("/console/worklist", "/console/previsit"):
        page.goto(path)
        unlabelled = page.evaluate("""() => [...document.querySelectorAll(
            'input:not([type=hidden]), select, textarea')]
            .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
            .map(el => el.name)""")
        assert unlabelled == [], (path, unlabelled)
    page.goto("/console/worklist")
    page.keyboard.press("Tab")  # the first stop is the skip link, then the menu
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "工作台"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "今日预问诊"
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/console/previsit"))
    page.goto("/console/worklist")
    for selector in ("body", ".top nav a", "button.primary", ".count-card.urgent .count-number",
                     ".muted", ".value-critical"):
        text, background = _colours(page, selector)
        assert _contrast(text, background) >= 4.5, selector


def test_a_portrait_approved_in_the_browser_reaches_the_patient_api(ctx, page, console_url):
    rs.hospital()
    account = f.account()
    patient = rs.zhang(account)
    receive("lipids_glucose")
    doctor = f.staff(f.organization(), username="doctor.portrait")
    f.sign(doctor, patient)
    token = f.account_token(account)
    api = f"{console_url}/api/v1/mp/portrait?patient_id={patient.external_id}"
    headers = f.bearer(token)
    assert requests.get(api, headers=headers, timeout=10).status_code == 404
    sign_in(page, "doctor.portrait")
    page.goto(f"/console/residents/{patient.external_id}")
    page.get_by_role("button", name="生成健康画像").click()
    expect(page.get_by_role("status").first).to_contain_text("已生成第1版健康画像")
    first = page.locator("#portrait-review textarea").first
    first.fill("总胆固醇 5.86mmol/L，偏高，请少吃肥肉。")
    screenshot(page, "portrait-review")
    page.get_by_role("button", name="审核通过，发布给居民").click()
    expect(page.get_by_role("status").first).to_contain_text("审核通过")
    screenshot(page, "portrait-approved")
    shown = requests.get(api, headers=headers, timeout=10)
    assert shown.status_code == 200
    texts = [s["text"] for section in shown.json()["data"]["sections"]
             for s in section["statements"]]
    assert "总胆固醇 5.86mmol/L，偏高，请少吃肥肉。" in texts
    assert page.problems == []


def test_the_admin_filters_residents_by_signed_doctor(ctx, page):
    clinic = f.organization()
    li, huang = f.staff(clinic), f.staff(clinic)
    li.display_name, huang.display_name = "李医生", "黄医生"
    db.session.commit()
    f.staff(clinic, role="hospital_admin", username="admin.filter")
    f.sign(li, f.profile(f.account(), name="李家居民"))
    f.sign(huang, f.profile(f.account(), name="黄家居民"))
    sign_in(page, "admin.filter")
    page.get_by_role("link", name="签约居民").click()
    expect(page.locator("#result-count")).to_contain_text("共找到 2 位居民")
    page.get_by_label("签约医生").select_option(label="黄医生")
    page.get_by_role("button", name="查找").click()
    expect(page.locator("#result-count")).to_contain_text("共找到 1 位居民")
    expect(page.locator("#resident-list")).to_contain_text("黄家居民")
    expect(page.locator("#resident-list")).not_to_contain_text("李家居民")
