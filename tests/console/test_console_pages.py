"""The console through its pages: sign-in with the staff accounts, CSRF, idle sign-out, roles,
the worklist's counts and one-click acknowledge, search, a resident's timeline, the clinic's
pre-visit notes; every view of a person's data audited; nobody else's resident reachable."""

from __future__ import annotations

import re
import time

import time_machine
from sqlalchemy import select

from backend.extensions import db
from backend.models import AuditEntry, AuthSession, CriticalAlert
from tests import factories as f
from tests import report_support as rs
from tests.console.console_support import (
    csrf_token,
    hgb_later,
    login,
    receive,
    visit_today_with_note,
)


def _actions() -> list[str]:
    return list(db.session.execute(select(AuditEntry.action).order_by(AuditEntry.seq)).scalars())


def test_sign_in_sets_a_safe_cookie_and_lands_on_the_worklist(ctx, client):
    doctor = f.staff(f.organization(), username="doctor.a")
    response = login(client, "doctor.a")
    assert response.status_code == 302 and response.headers["Location"] == "/console/worklist"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/console" in cookie
    page = client.get("/console/worklist")
    assert page.status_code == 200 and "工作台" in page.get_data(as_text=True)
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert "staff.login" in _actions() and "console.worklist" in _actions()
    assert doctor.id  # the account of the API signs in to the console unchanged


def test_a_wrong_password_is_refused_and_a_failing_address_waits(ctx, client):
    f.staff(f.organization(), username="doctor.b")
    wrong = login(client, "doctor.b", "not-the-password")
    assert wrong.status_code == 401 and "用户名或密码不正确" in wrong.get_data(as_text=True)
    for _ in range(ctx.config["STAFF_LOCKOUT_ATTEMPTS"]):
        login(client, "doctor.b", "not-the-password")
    # The address now waits: even the right password gets the same refusal.
    locked = login(client, "doctor.b")
    assert locked.status_code == 401 and client.get("/console/worklist").status_code == 302


def test_a_form_without_its_csrf_token_is_refused(ctx, client):
    f.staff(f.organization(), username="doctor.c")
    response = client.post("/console/login", data={"username": "doctor.c",
                                                   "password": f.STAFF_PASSWORD})
    assert response.status_code == 400 and "页面已过期" in response.get_data(as_text=True)
    assert "staff.login" not in _actions()
    login(client, "doctor.c")
    forged = client.post("/console/logout", data={"csrf_token": "forged"})
    assert forged.status_code == 400 and client.get("/console/worklist").status_code == 200


def test_idle_sign_out_revokes_the_session(ctx, client):
    f.staff(f.organization(), username="doctor.d")
    login(client, "doctor.d")
    later = time.time() + ctx.config["CONSOLE_IDLE_MINUTES"] * 60 + 5
    with time_machine.travel(later, tick=False):
        response = client.get("/console/worklist")
    assert response.status_code == 302 and "reason=idle" in response.headers["Location"]
    assert db.session.execute(select(AuthSession.revoked_at)).scalar_one() is not None
    assert client.get("/console/worklist").status_code == 302


def test_sign_out_needs_the_token_and_revokes_the_session(ctx, client):
    f.staff(f.organization(), username="doctor.e")
    login(client, "doctor.e")
    page = client.get("/console/worklist").get_data(as_text=True)
    out = client.post("/console/logout", data={"csrf_token": csrf_token(page)})
    assert out.status_code == 302 and "reason=signed_out" in out.headers["Location"]
    assert db.session.execute(select(AuthSession.revoked_at)).scalar_one() is not None


def test_an_interface_account_cannot_use_the_console(ctx, client):
    f.staff(f.organization(), role="integration", username="lis.x")
    response = login(client, "lis.x")
    assert response.status_code == 401 and "不能登录工作台" in response.get_data(as_text=True)
    assert db.session.execute(select(AuthSession.revoked_at)).scalar_one() is not None


def test_an_outside_next_link_is_not_followed(ctx, client):
    f.staff(f.organization(), username="doctor.f")
    page = client.get("/console/login?next=//evil.example/")
    response = client.post("/console/login?next=//evil.example/", data={
        "csrf_token": csrf_token(page.get_data(as_text=True)),
        "username": "doctor.f", "password": f.STAFF_PASSWORD})
    assert response.headers["Location"] == "/console/worklist"


def test_the_clinician_acknowledges_a_critical_value_in_one_click(ctx, client):
    hospital = rs.hospital()
    rs.zhang(f.account())
    receive("electrolytes_critical")
    login(client, hospital.clinician.username)
    page = client.get("/console/worklist").get_data(as_text=True)
    assert 'data-count="critical_values"' in page and "确认已知晓" in page
    alert = db.session.execute(select(CriticalAlert)).scalar_one()
    response = client.post(f"/console/critical-values/{alert.external_id}/acknowledge",
                           data={"csrf_token": csrf_token(page), "note": "已电话通知病房"})
    assert response.status_code == 302
    db.session.refresh(alert)
    assert alert.status == "acknowledged" and alert.acknowledged_by == hospital.clinician.id
    assert "critical_value.acknowledged" in _actions()
    after = client.get("/console/worklist").get_data(as_text=True)
    assert "已确认危急值" in after and "没有待确认的危急值" in after


def test_a_family_doctor_cannot_acknowledge_or_open_clinic_pages(ctx, client):
    clinic = f.organization()
    f.staff(clinic, username="doctor.g")
    login(client, "doctor.g")
    page = client.get("/console/worklist").get_data(as_text=True)
    assert "危急值待确认" not in page
    assert client.get("/console/previsit").status_code == 403


def test_search_by_name_tail_and_full_number_within_my_residents(ctx, client):
    clinic = f.organization()
    doctor, other = f.staff(clinic, username="doctor.h"), f.staff(clinic)
    mine = f.profile(f.account(), name="王秀英", phone="13912345678")
    theirs = f.profile(f.account(), name="王秀兰", phone="13912345678")
    f.sign(doctor, mine)
    f.sign(other, theirs)
    login(client, "doctor.h")
    for query in ("王秀", "5678", "139****5678", mine.document_number,
                  mine.document_number[-4:], "13912345678"):
        page = client.get("/console/residents", query_string={"q": query})
        html = page.get_data(as_text=True)
        assert page.status_code == 200 and "王秀英" in html, query
        assert "王秀兰" not in html, query
        listed = html.split('id="resident-list"')[1]
        assert mine.document_number not in listed and "13912345678" not in listed
    search = db.session.execute(select(AuditEntry).where(
        AuditEntry.action == "resident.search").order_by(AuditEntry.seq.desc())).scalars()
    entries = list(search)
    assert {e.detail["by"] for e in entries} == {"name", "tail", "id_number", "phone"}
    assert all("13912345678" not in str(e.detail) for e in entries)


def test_the_list_pages_through_many_residents(ctx, client):
    clinic = f.organization()
    doctor = f.staff(clinic, username="doctor.i")
    for n in range(45):
        f.sign(doctor, f.profile(f.account(), name=f"居民{n:02d}", phone=None))
    login(client, "doctor.i")
    first = client.get("/console/residents").get_data(as_text=True)
    assert "共找到 45 位居民，第 1 / 3 页" in first and "居民00" in first and "居民20" not in first
    last = client.get("/console/residents?page=3").get_data(as_text=True)
    assert "居民44" in last and 'rel="prev"' in last and 'rel="next"' not in last


def test_the_admin_filters_by_signed_doctor(ctx, client):
    clinic = f.organization()
    li, huang = f.staff(clinic), f.staff(clinic)
    f.staff(clinic, role="hospital_admin", username="admin.j")
    f.sign(li, f.profile(f.account(), name="李家人"))
    f.sign(huang, f.profile(f.account(), name="黄家人"))
    login(client, "admin.j")
    both = client.get("/console/residents").get_data(as_text=True)
    assert "李家人" in both and "黄家人" in both
    only = client.get(f"/console/residents?doctor={li.external_id}").get_data(as_text=True)
    assert "李家人" in only and "黄家人" not in only


def test_a_residents_timeline_and_trend_and_the_audit(ctx, client):
    rs.hospital()
    patient = rs.zhang(f.account())
    receive("cbc", hgb_later(), "electrolytes_critical")
    clinic = f.organization()
    doctor = f.staff(clinic, username="doctor.k")
    f.sign(doctor, patient)
    login(client, "doctor.k")
    worklist = client.get("/console/worklist").get_data(as_text=True)
    assert "张伟" in worklist and "电解质" in worklist  # abnormal reports of my residents
    page = client.get(f"/console/residents/{patient.external_id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "血常规" in html and "危急" in html and "data-trend" in html and "血红蛋白" in html
    reads = db.session.execute(select(AuditEntry).where(
        AuditEntry.subject_id == str(patient.external_id))).scalars().all()
    assert {"resident.read", "report.trend"} <= {e.action for e in reads}
    assert all(e.actor_id == str(doctor.external_id) for e in reads)


def test_another_doctors_or_hospitals_resident_is_not_found(ctx, client):
    patient = f.profile(f.account(), name="别家居民")
    f.sign(f.staff(f.organization()), patient)
    f.staff(f.organization(), username="doctor.l")
    f.staff(f.organization(), role="hospital_admin", username="admin.l")
    for username in ("doctor.l", "admin.l"):
        login(client, username)
        page = client.get(f"/console/residents/{patient.external_id}")
        assert page.status_code == 404 and "别家居民" not in page.get_data(as_text=True)
        assert "别家居民" not in client.get("/console/residents?q=别家").get_data(as_text=True)


def test_todays_notes_for_my_clinic_with_red_flags_first(ctx, client):
    hospital = rs.hospital()
    first = f.profile(f.account(), name="早到者")
    urgent = f.profile(f.account(), name="胸痛者")
    elsewhere = f.profile(f.account(), name="别科者")
    visit_today_with_note(hospital.organization, first, "CARD", 8, "心慌两天。")
    visit_today_with_note(hospital.organization, urgent, "CARD", 10, "胸痛伴大汗一小时。",
                          red_flag="chest_pain_with_sweating_or_breathlessness",
                          complaint="胸痛")
    visit_today_with_note(hospital.organization, elsewhere, "NEUR", 9, "头晕。")
    login(client, hospital.clinician.username)
    worklist = client.get("/console/worklist").get_data(as_text=True)
    assert "今天本科室有 <strong>2</strong> 份" in worklist
    html = client.get("/console/previsit").get_data(as_text=True)
    assert html.index("胸痛者") < html.index("早到者") and "别科者" not in html
    assert "危险信号：胸痛伴大汗或气促" in html and "data-print" in html
    entry = db.session.execute(select(AuditEntry).where(
        AuditEntry.action == "note.list")).scalars().all()[-1]
    assert entry.detail["count"] == 2 and len(entry.detail["notes"]) == 2


def test_every_console_page_refuses_the_signed_out_and_every_form_needs_its_token(app, client):
    """Driven by the URL map, so a page added later is covered without editing this test."""
    rules = [r for r in app.url_map.iter_rules() if r.rule.startswith("/console/")
             and r.endpoint not in {"console.login", "console.static"}]
    assert len(rules) >= 8
    some_id = "00000000-0000-0000-0000-000000000000"
    for rule in rules:
        url = re.sub(r"<(?:[a-z]+:)?[a-z_]+>", some_id, rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method)
            if method == "POST":
                assert response.status_code == 400, (method, rule.rule)  # no CSRF token
            else:
                assert response.status_code == 302, (method, rule.rule)
                assert "/console/login" in response.headers["Location"]
