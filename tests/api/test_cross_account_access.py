"""Every endpoint, walked as someone who must not see the data: 401/403/404, never a leak.

The walk is driven by the app's URL map, so an endpoint added later is covered without editing
this file; an endpoint the table below does not know fails the test until it is classified.
"""

from __future__ import annotations

import re

import pytest

from tests import factories as f

PUBLIC = {"/healthz", "/readyz", "/api/v1/openapi.json", "/api/v1/mp/auth/wechat",
          "/api/v1/mp/auth/alipay", "/api/v1/admin/auth/login", "/api/v1/mp/hospitals",
          "/api/v1/mp/hospitals/<uuid:hospital_id>/departments",
          "/api/v1/mp/hospitals/<uuid:hospital_id>/schedules"}

# A spoken sentence, opened by the mini-program's audio player, which cannot send a bearer token:
# the link's unguessable, expiring token is the credential (an unknown one is 404, tested in
# tests/api/test_voice.py).
CAPABILITY_LINKS = {"/api/v1/mp/speech/<string:token>"}

# Authenticated by the payment gateway's signature, not a session (forged callbacks are refused in
# tests/api/test_booking_payments.py), or by the call provider's secret token in the URL
# (refused without it in tests/backend/followup/test_ai_calls_aliyun.py).
GATEWAY_CALLBACKS = {"/api/v1/notify/<channel>", "/api/v1/notify/calls/aliyun",
                     "/api/v1/notify/calls/aliyun/report", "/api/v1/notify/sms/aliyun/report"}

# The staff console: HTML pages behind a session cookie, not a bearer token; walked the same way
# (anonymous, other doctors, other hospitals) in tests/console/test_console_pages.py.
CONSOLE = "/console/"

# Not about any person: every staff member may read it.
STAFF_REFERENCE_DATA = {"/fhir/r4/Questionnaire/pre-visit"}


@pytest.fixture()
def world(ctx):
    victim = f.account()
    victim_profile = f.profile(victim, name="受害者")
    attacker = f.account()
    f.profile(attacker, name="旁人")
    clinic, other_clinic = f.organization(), f.organization()
    own_doctor, other_doctor = f.staff(clinic), f.staff(clinic)
    other_admin = f.staff(other_clinic, role="hospital_admin")
    f.sign(own_doctor, victim_profile)
    return {
        "victim_profile": victim_profile,
        "attacker": f.bearer(f.account_token(attacker)),
        "other_doctor": f.bearer(f.staff_token(other_doctor)),
        "other_admin": f.bearer(f.staff_token(other_admin)),
        "own_doctor": f.bearer(f.staff_token(own_doctor)),
    }


def _routes(app, own_audience: str = "/api/v1/mp") -> list[tuple[str, str]]:
    """(method, rule) pairs; the caller's own logout last, since it ends the session."""
    routes = [(method, rule.rule) for rule in app.url_map.iter_rules()
              if rule.endpoint != "static"
              and rule.rule not in PUBLIC | GATEWAY_CALLBACKS | CAPABILITY_LINKS
              and not rule.rule.startswith(CONSOLE)
              for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return sorted(routes, key=lambda route: route[1] == f"{own_audience}/auth/logout")


def _fill(rule: str, victim_id: str) -> str:
    return re.sub(r"<(?:[a-z]+:)?[a-z_]+>", victim_id, rule)


def test_every_protected_endpoint_refuses_anonymous_callers(app, client, world):
    routes = list(_routes(app))
    assert len(routes) >= 10
    for method, rule in routes:
        url = _fill(rule, str(world["victim_profile"].external_id))
        response = client.open(url, method=method, json={})
        assert response.status_code == 401, (method, rule, response.status_code)
        assert response.json["error"]["code"] == "unauthenticated"


def test_another_patient_account_reaches_nothing_of_the_victim(app, client, world):
    victim_id = str(world["victim_profile"].external_id)
    for method, rule in _routes(app):
        response = client.open(_fill(rule, victim_id), method=method, json={},
                               headers=world["attacker"])
        body = response.get_data(as_text=True)
        assert victim_id not in body and "受害者" not in body, (method, rule)
        if rule.startswith(("/api/v1/admin", "/fhir")):
            assert response.status_code == 403, (method, rule)
        elif "<" in rule:
            assert response.status_code in {404, 422}, (method, rule, response.status_code)


@pytest.mark.parametrize("who", ["other_doctor", "other_admin"])
def test_staff_without_a_contract_reach_nothing_of_the_resident(app, client, world, who):
    victim_id = str(world["victim_profile"].external_id)
    for method, rule in _routes(app, "/api/v1/admin"):
        response = client.open(_fill(rule, victim_id), method=method, json={},
                               headers=world[who])
        body = response.get_data(as_text=True)
        assert victim_id not in body and "受害者" not in body, (who, method, rule)
        if rule.startswith("/api/v1/mp"):
            assert response.status_code == 403, (who, method, rule)
        elif rule in STAFF_REFERENCE_DATA:
            assert response.status_code == 200, (who, method, rule)
        elif "<" in rule or rule.startswith("/fhir"):
            assert response.status_code in {403, 404, 422}, (who, method, rule)


def test_the_signed_family_doctor_does_see_the_resident(client, world):
    victim_id = str(world["victim_profile"].external_id)
    response = client.get(f"/api/v1/admin/residents/{victim_id}", headers=world["own_doctor"])
    assert response.status_code == 200
    assert response.json["data"]["name"] == "受害者"
    listed = client.get("/api/v1/admin/residents", headers=world["own_doctor"]).json["data"]
    assert [r["id"] for r in listed["items"]] == [victim_id]
