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


def test_an_address_that_keeps_failing_waits_longer_each_time_others_do_not(client, ctx):
    f.staff(f.organization(), username="doctor.sun")
    attacker = {"REMOTE_ADDR": "10.9.9.9"}

    def attempt(password, environ=attacker):
        return client.post("/api/v1/admin/auth/login", environ_base=environ,
                           json={"username": "doctor.sun", "password": password})

    for _ in range(5):
        assert attempt("wrong-password").status_code == 401
    # Now this address waits 30 s, even with the right password; the answer looks the same.
    waiting = attempt(f.STAFF_PASSWORD)
    assert waiting.status_code == 401 and waiting.json["error"]["code"] == "bad_credentials"
    # The real user, elsewhere, is not locked out.
    assert attempt(f.STAFF_PASSWORD, {"REMOTE_ADDR": "10.1.1.1"}).status_code == 200
    with time_machine.travel(utcnow() + timedelta(seconds=31), tick=False):
        assert attempt("wrong-password").status_code == 401  # the 6th failure: 60 s now
        assert attempt(f.STAFF_PASSWORD).status_code == 401
    with time_machine.travel(utcnow() + timedelta(seconds=31 + 61), tick=False):
        assert attempt(f.STAFF_PASSWORD).status_code == 200


def test_unknown_and_waiting_accounts_get_the_same_answer(client, ctx):
    f.staff(f.organization(), username="doctor.qian")
    answers = []
    for username in ("doctor.qian", "nobody.here"):
        for _ in range(6):
            response = login(client, username, "wrong-password")
        answers.append((response.status_code, response.json["error"]["code"],
                        response.json["error"]["message"]))
    assert answers[0] == answers[1] == (401, "bad_credentials",
                                        "用户名或密码不正确。多次输错后，请等几分钟再试。")


def test_a_burst_of_wrong_passwords_on_one_account_alerts_its_admins(client, ctx):
    org = f.organization()
    target = f.staff(org, username="doctor.zhou")
    for index in range(20):  # from twenty addresses: nobody waits, but the admins hear of it
        client.post("/api/v1/admin/auth/login", environ_base={"REMOTE_ADDR": f"10.0.0.{index}"},
                    json={"username": "doctor.zhou", "password": "wrong-password"})
    admin = f.bearer(f.staff_token(f.staff(org, role="hospital_admin")))
    alerts = client.get("/api/v1/admin/alerts", headers=admin).json["data"]
    assert [a["kind"] for a in alerts] == ["staff_login_burst"]
    assert alerts[0]["subject_id"] == str(target.external_id)
    other = f.bearer(f.staff_token(f.staff(f.organization(), role="hospital_admin")))
    assert client.get("/api/v1/admin/alerts", headers=other).json["data"] == []


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


def test_a_group_auditor_is_created_from_the_command_line(app, client, ctx):
    from click.testing import CliRunner

    org = f.organization()
    result = CliRunner().invoke(app.cli, [
        "staff", "create", "--username", "auditor.group", "--name", "集团审计",
        "--role", "group_auditor", "--organization", org.code],
        input="Audit-Pass-2026\nAudit-Pass-2026\n")
    assert result.exit_code == 0, result.output
    token = login(client, "auditor.group", "Audit-Pass-2026").json["data"]["token"]
    assert client.get("/api/v1/admin/audit-log", headers=f.bearer(token)).status_code == 200
