"""At the clinic: the health questionnaire before the visit, 留观 after the dose, the after-care
answers a day later, and a suspected AEFI the clinic reviews. Nobody else's child."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine
from sqlalchemy import select

from backend.extensions import db
from backend.models import AdminAlert
from tests.booking_support import session
from tests.vaccination_support import book, clinic, family, give, vaccination_sessions

T0 = datetime(2026, 12, 5, 2, 0, tzinfo=UTC)  # Saturday 10:00 in the clinic
ITEMS = ("fever_now", "ill_now", "chronic_flare", "vaccine_allergy", "other_allergy",
         "previous_reaction", "immune", "blood_products", "convulsions", "recent_vaccine")
ALL_WELL = {"fever": "none", "swelling": "none", "rash": "none", "crying": "none",
            "convulsion": "none", "breathing": "none"}


def _answers(**yes):
    return {q: ({"yes": True, "detail": yes[q]} if q in yes else {"yes": False})
            for q in ITEMS}


def _visit(web, days_ahead=1):
    _, [slots] = vaccination_sessions(web, session(days_ahead=days_ahead, department="PREV",
                                                   fee_fen=0))
    kid = family()
    made = book(web, kid, slots[0])
    assert made.status_code == 201, made.json
    return kid, made.json["data"]["id"]


def test_the_parent_answers_the_day_before_and_the_clinic_sees_the_doctors_items_first(web):
    with time_machine.travel(T0, tick=False):
        calm, calm_booking = _visit(web)
        worried, worried_booking = _visit(web)
        questions = web.get("/api/v1/mp/vaccination/health-questions", headers=calm.headers)
        assert len(questions.json["data"]["questions"]) == 10
        assert "预防接种工作规范" in questions.json["data"]["source"]
        url = "/api/v1/mp/bookings/{}/vaccination-screening"
        assert web.put(url.format(calm_booking), headers=calm.headers,
                       json={"answers": _answers()}).status_code == 200
        saved = web.put(url.format(worried_booking), headers=worried.headers,
                        json={"answers": _answers(fever_now="昨晚38度", immune=None)})
        assert saved.status_code == 200, saved.json
        data = saved.json["data"]
        assert data["needs_doctor"] is True
        assert [i["id"] for i in data["items"][:2]] == ["fever_now", "immune"]
        assert data["items"][0]["detail"] == "昨晚38度"
        # The clinic's list for tomorrow: the worried parent's visit on top.
        nurse = clinic(org=_c001())
        day = (T0 + timedelta(days=1)).date().isoformat()
        visits = web.get(f"/api/v1/admin/vaccination/visits?day={day}", headers=nurse.headers)
        assert visits.status_code == 200, visits.json
        assert [v["child"]["id"] for v in visits.json["data"]] == [worried.child_id,
                                                                   calm.child_id]
        # Another parent cannot read or answer it.
        assert web.get(url.format(worried_booking), headers=calm.headers).status_code == 404
        assert web.put(url.format(worried_booking), headers=calm.headers,
                       json={"answers": _answers()}).status_code == 404


def test_an_incomplete_questionnaire_names_the_missing_question(web):
    with time_machine.travel(T0, tick=False):
        kid, booking_id = _visit(web)
        answers = _answers()
        del answers["convulsions"]
        refused = web.put(f"/api/v1/mp/bookings/{booking_id}/vaccination-screening",
                          headers=kid.headers, json={"answers": answers})
        assert refused.status_code == 422
        assert refused.json["error"]["field"] == "answers.convulsions"


def test_the_questionnaire_opens_three_days_before_the_visit(web):
    with time_machine.travel(T0, tick=False):
        kid, booking_id = _visit(web, days_ahead=6)
        early = web.put(f"/api/v1/mp/bookings/{booking_id}/vaccination-screening",
                        headers=kid.headers, json={"answers": _answers()})
        assert early.status_code == 409 and early.json["error"]["code"] == "screening_not_open"


def test_observation_counts_down_and_warns_before_the_parent_may_leave(web):
    with time_machine.travel(T0, tick=False) as clock:
        kid, at = family(), clinic()
        record_id = give(web, at, kid, "DTaP", 1).json["data"]["id"]
        url = f"/api/v1/mp/vaccination/records/{record_id}/observation"
        clock.shift(timedelta(minutes=12))
        early = web.get(url, headers=kid.headers).json["data"]
        assert (early["seconds_left"], early["may_leave"]) == (18 * 60, False)
        assert "还需约18分钟" in early["message"] and "来不及" in early["message"]
        clock.shift(timedelta(minutes=18))
        done = web.get(url, headers=kid.headers).json["data"]
        assert done["may_leave"] is True and "可以离开" in done["message"]
        assert web.get(url, headers=family(name="小红").headers).status_code == 404


def test_serious_after_care_answers_alert_the_clinic_and_open_an_aefi_report(web):
    with time_machine.travel(T0, tick=False) as clock:
        kid, at = family(), clinic()
        record_id = give(web, at, kid, "DTaP", 1, lot_number="202611A").json["data"]["id"]
        clock.shift(timedelta(hours=26))
        url = f"/api/v1/mp/vaccination/records/{record_id}/after-care"
        answered = web.post(url, headers=kid.headers,
                            json={"answers": {**ALL_WELL, "fever": "high"}})
        assert answered.status_code == 201, answered.json
        data = answered.json["data"]
        assert (data["level"], data["suspected_aefi"]) == ("aefi", True)
        assert "尽快带孩子去医院" in data["advice"]
        assert web.post(url, headers=kid.headers,
                        json={"answers": ALL_WELL}).json["error"]["code"] == "after_care_done"
        alert = db.session.execute(select(AdminAlert)).scalar_one()
        assert alert.kind == "suspected_aefi" and alert.organization_id == at.org.id
        reports = web.get("/api/v1/admin/vaccination/aefi", headers=at.headers).json["data"]
        assert len(reports) == 1 and reports[0]["lot_number"] == "202611A"
        assert reports[0]["answers"][0]["answer"] == "发高烧（38.6℃及以上）"
        reviewed = web.post(f"/api/v1/admin/vaccination/aefi/{reports[0]['id']}/review",
                            headers=at.headers, json={"note": "已电话随访，已就诊"})
        assert reviewed.json["data"]["review_status"] == "reviewed"
        assert web.get("/api/v1/admin/vaccination/aefi", headers=at.headers).json["data"] == []
        elsewhere = clinic()
        assert web.post(f"/api/v1/admin/vaccination/aefi/{reports[0]['id']}/review",
                        headers=elsewhere.headers, json={"note": "x"}).status_code == 404


def test_mild_answers_get_home_care_advice_and_no_report(web):
    with time_machine.travel(T0, tick=False) as clock:
        kid, at = family(), clinic()
        record_id = give(web, at, kid, "DTaP", 1).json["data"]["id"]
        clock.shift(timedelta(hours=25))
        data = web.post(f"/api/v1/mp/vaccination/records/{record_id}/after-care",
                        headers=kid.headers,
                        json={"answers": {**ALL_WELL, "fever": "low"}}).json["data"]
        assert (data["level"], data["suspected_aefi"]) == ("watch", False)
        assert "多喝水" in data["advice"]
        assert db.session.execute(select(AdminAlert)).first() is None
        other = family(name="小红")
        assert web.post(f"/api/v1/mp/vaccination/records/{record_id}/after-care",
                        headers=other.headers, json={"answers": ALL_WELL}).status_code == 404


def _c001():
    from backend.models import Organization

    return db.session.execute(select(Organization).where(Organization.code == "C001")
                              ).scalar_one()
