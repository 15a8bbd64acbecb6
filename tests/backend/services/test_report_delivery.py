"""Every released report is accounted for: delivered, failed, declined or withheld; the daily
reconciliation repairs a report left without its message; admins read the coverage."""

from __future__ import annotations

import requests
from sqlalchemy import select

from backend.extensions import db
from backend.jobs.reports import reconcile_report_delivery
from backend.models import Account, MessageSubscription, PatientMessage, Report
from backend.timeutil import local_today
from tests import factories as f
from tests import report_support as rs


def _openid(number: str) -> str:
    return f"o{number}{'x' * 10}"[:28]


def _patient(simulators, number: str, subscribed_here: bool, subscribed_there: bool,
             known_to_wechat: bool = True):
    openid = _openid(number)
    if known_to_wechat:
        f.wechat_code(simulators, openid)  # the simulator now knows this WeChat user
    if subscribed_there:
        requests.post(simulators.url("wechat") + "/_sim/subscriptions", timeout=5,
                      json={"openid": openid, "template_id": "tmpl-report"}).raise_for_status()
    account = f.account(wechat_openid=openid)
    if subscribed_here:
        db.session.add(MessageSubscription(account_id=account.id, kind="report", grants=1,
                                           declined=False))
        db.session.commit()
    return rs.zhang(account, number=number)


def _for(number: str, accession: str, fixture: str = "cbc") -> bytes:
    accessions = {"cbc": "L20261201001", "hiv_confidential": "L20261201012"}
    return rs.edited(fixture, (rs.ZHANG_ID, number), (rs.ZHANG_MRN, f"M{number[-6:]}"),
                     (f"|{accessions[fixture]}|", f"|{accession}|"))


def test_push_coverage_counts_every_outcome(rctx, mllp, simulators):
    hospital = rs.hospital()
    _patient(simulators, "110105195301150101", True, True)
    _patient(simulators, "110105195301150202", False, False)
    _patient(simulators, "110105195301150303", True, False, known_to_wechat=False)
    acks = rs.send(mllp.port, _for("110105195301150101", "A1"),
                   _for("110105195301150202", "B1"), _for("110105195301150303", "C1"),
                   _for("110105195301150101", "A2", "hiv_confidential"))
    assert [rs.msa(a)[0] for a in acks] == ["AA"] * 4
    statuses = dict(db.session.execute(select(Report.accession, PatientMessage.status).join(
        PatientMessage, PatientMessage.report_id == Report.id)).all())
    assert statuses == {"A1": "sent", "B1": "skipped", "C1": "failed"}
    sent = requests.get(simulators.url("wechat") + "/_sim/messages", timeout=5,
                        params={"openid": _openid("110105195301150101")}).json()["messages"]
    assert [m["template_id"] for m in sent] == ["tmpl-report"]
    assert "118" not in str(sent[0]["data"])  # no value on a lock screen
    today = local_today().isoformat()
    response = rctx.test_client().get(
        f"/api/v1/admin/reports/coverage?date_from={today}&date_to={today}",
        headers=f.bearer(f.staff_token(hospital.admin)))
    assert response.status_code == 200, response.json
    assert response.json["data"] == {"released": 4, "delivered": 1, "failed": 1,
                                     "declined": 1, "withheld": 1, "pending": 0,
                                     "push_rate": 0.3333, "accounted_rate": 1.0}


def test_the_daily_reconciliation_queues_a_missing_message(rctx, mllp, simulators):
    rs.hospital()
    _patient(simulators, "110105195301150404", False, False)
    rs.send(mllp.port, _for("110105195301150404", "D1"))
    db.session.execute(PatientMessage.__table__.delete())
    db.session.commit()
    assert reconcile_report_delivery() == 1
    assert reconcile_report_delivery() == 0
    assert db.session.execute(select(PatientMessage.kind)).scalars().all() == ["report_ready"]


def test_coverage_is_for_admins_of_that_hospital_only(rctx, mllp, simulators):
    hospital = rs.hospital()
    other = f.staff(f.organization(kind="tertiary_hospital"), role="hospital_admin")
    _patient(simulators, "110105195301150505", False, False)
    rs.send(mllp.port, _for("110105195301150505", "E1"))
    today = local_today().isoformat()
    url = f"/api/v1/admin/reports/coverage?date_from={today}&date_to={today}"
    client = rctx.test_client()
    assert client.get(url, headers=f.bearer(f.staff_token(other))).json["data"]["released"] == 0
    assert client.get(url, headers=f.bearer(f.staff_token(hospital.clinician))).status_code == 403
    assert db.session.execute(select(Account)).scalars().first() is not None
