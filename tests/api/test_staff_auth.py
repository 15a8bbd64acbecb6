"""Console login: Argon2 passwords, lockout after repeated failures, roles."""

from __future__ import annotations

from datetime import timedelta

import time_machine

from backend.timeutil import utcnow
from tests import factories as f


def login(client, username, password):
    return client.post("/api/v1/admin/auth/login",
                       json={"username": username, "password": password})


def test_staff_login_and_me(client, ctx):
    user = f.staff(f.organization(), username="doctor.wang")
    response = login(client, "Doctor.Wang ", f.STAFF_PASSWORD)
    assert response.status_code == 200, response.json
    assert "password" not in response.get_data(as_text=True)
    token = response.json["data"]["token"]
    me = client.get("/api/v1/admin/me", headers=f.bearer(token)).json["data"]
    assert me["username"] == user.username and me["role"] == "family_doctor"


def test_wrong_password_and_unknown_user_look_the_same(client, ctx):
    f.staff(f.organization(), username="doctor.zhao")
    wrong = login(client, "doctor.zhao", "nope")
    unknown = login(client, "nobody", "nope")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json["error"]["code"] == unknown.json["error"]["code"] == "bad_credentials"


def test_five_failures_lock_the_account_until_the_lock_expires(client, ctx):
    f.staff(f.organization(), username="doctor.sun")
    for _ in range(4):
        assert login(client, "doctor.sun", "wrong-password").status_code == 401
    fifth = login(client, "doctor.sun", "wrong-password")
    assert fifth.status_code == 423
    assert fifth.json["error"]["code"] == "account_locked"
    assert login(client, "doctor.sun", f.STAFF_PASSWORD).status_code == 423
    with time_machine.travel(utcnow() + timedelta(minutes=16), tick=False):
        assert login(client, "doctor.sun", f.STAFF_PASSWORD).status_code == 200


def test_a_family_doctor_cannot_read_the_audit_log(client, ctx):
    org = f.organization()
    doctor = f.bearer(f.staff_token(f.staff(org)))
    admin = f.bearer(f.staff_token(f.staff(org, role="hospital_admin")))
    assert client.get("/api/v1/admin/audit-log", headers=doctor).status_code == 403
    entries = client.get("/api/v1/admin/audit-log", headers=admin)
    assert entries.status_code == 200


def test_staff_logout_revokes(client, ctx):
    token = f.bearer(f.staff_token(f.staff(f.organization())))
    assert client.post("/api/v1/admin/auth/logout", headers=token).status_code == 200
    assert client.get("/api/v1/admin/me", headers=token).status_code == 401


def test_a_hospital_admin_reads_only_their_own_organizations_audit_log(client, ctx):
    first, second = f.organization(), f.organization()
    resident = f.profile(f.account())
    doctor = f.staff(second)
    f.sign(doctor, resident)
    doctor_headers = f.bearer(f.staff_token(doctor))
    read = client.get(f"/api/v1/admin/residents/{resident.external_id}", headers=doctor_headers)
    assert read.status_code == 200
    assert login(client, doctor.username, "wrong-password").status_code == 401
    own = f.bearer(f.staff_token(f.staff(first, role="hospital_admin")))
    entries = client.get("/api/v1/admin/audit-log?limit=200", headers=own).json["data"]
    text = str(entries)
    assert str(resident.external_id) not in text and str(doctor.external_id) not in text
    theirs = f.bearer(f.staff_token(f.staff(second, role="hospital_admin")))
    seen = client.get("/api/v1/admin/audit-log?limit=200", headers=theirs).json["data"]
    actions = {e["action"] for e in seen}
    assert {"resident.read", "staff.login_failed"} <= actions
    assert all(e["actor_kind"] == "staff" for e in seen)


def test_only_the_group_auditor_reads_every_organizations_audit_log(client, ctx):
    first, second = f.organization(), f.organization()
    f.staff(first)
    for org in (first, second):
        admin = f.bearer(f.staff_token(f.staff(org, role="hospital_admin")))
        assert client.get("/api/v1/admin/residents", headers=admin).status_code == 200
    auditor = f.bearer(f.staff_token(f.staff(first, role="group_auditor")))
    entries = client.get("/api/v1/admin/audit-log?limit=200", headers=auditor).json["data"]
    assert [e["action"] for e in entries].count("resident.list") == 2
    assert client.get("/api/v1/admin/residents", headers=auditor).status_code == 403
