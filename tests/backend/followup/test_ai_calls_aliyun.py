"""AI follow-up calls through Aliyun 智能外呼, end to end: the backend signs SmartCall to the VMS
simulator, the simulator's callbacks reach our notify endpoints over HTTP (token-checked), the
web side and the call worker meet in Redis, and the result is stored like any call."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from backend.extensions import db
from backend.models import FollowUpCall, FollowUpRecord
from backend.services.followup.call_exchange import RedisExchange
from backend.services.followup.due_scan import scan
from backend.timeutil import local_today
from followup.calls.telephony.aliyun import CallEvent
from simulators.aliyun_vms import AliyunVmsSimulator, TextCallee
from simulators.server import SimulatorServer
from tests import factories as f
from tests import followup_support as fs
from tests.backend.followup.test_ai_calls import dispatch_at, morning
from tests.conftest import make_app

TOKEN = "callback-token-for-tests"


@pytest.fixture(scope="module")
def vms():
    simulator = AliyunVmsSimulator({"LTAI-backend": "backend-secret"})
    with SimulatorServer(simulator.app) as server:
        simulator.url = server.url + "/"
        yield simulator


@pytest.fixture(scope="module")
def aliyun_app(app, simulators, vms, tmp_path_factory):
    calling = make_app(simulators, TELEPHONY_PROVIDER="aliyun",
                       ALIYUN_VMS_ACCESS_KEY_ID="LTAI-backend",
                       ALIYUN_VMS_ACCESS_KEY_SECRET="backend-secret",
                       ALIYUN_VMS_ENDPOINT=vms.url, ALIYUN_VMS_SHOW_NUMBER="057188880000",
                       ALIYUN_VMS_VOICE_CODE="TTS_followup_0001",
                       ALIYUN_VMS_CALLBACK_TOKEN=TOKEN, JOBS_INLINE=True,
                       CALL_RECORDINGS_DIR=str(tmp_path_factory.mktemp("recordings")))
    with SimulatorServer(calling) as server:
        base = f"{server.url}/api/v1/notify/calls/aliyun"
        vms.callback_url, vms.report_url = f"{base}?token={TOKEN}", f"{base}/report?token={TOKEN}"
        yield calling


@pytest.fixture()
def actx(app, aliyun_app):
    with aliyun_app.app_context():
        yield aliyun_app
        db.session.remove()


def test_a_call_through_aliyun_is_stored_like_any_other(actx, vms):
    vms.callees["13922220001"] = TextCallee(["answer"], [
        "是我", "一九五八年", "高压138低压84", "每天都按时吃", "没有", "都没有"])
    org = f.organization()
    person = fs.resident(org, name="张建国", birth=date(1958, 4, 2), phone="13922220001")
    person.followup_channel = "ai_call"
    db.session.commit()
    fs.enrol(person, f.staff(org), next_due_on=local_today() + timedelta(days=1))
    scan(local_today())
    person_id = person.id
    dispatch_at(morning())
    db.session.remove()
    call = db.session.execute(select(FollowUpCall).where(
        FollowUpCall.resident_id == person_id)).scalar_one()
    assert call.status == "done" and call.attempt_rows[0].provider == "aliyun"
    record = db.session.get(FollowUpRecord, call.record_id)
    assert record.readings == {"systolic": 138, "diastolic": 84}
    assert record.review_status == "pending"
    assert vms.finished("13922220001").actions[-1]["action"] == "hangup"


def test_callbacks_need_the_token(actx):
    client = actx.test_client()
    answer = client.post("/api/v1/notify/calls/aliyun?token=wrong",
                         data={"call_id": "1^2", "content_type": "normal",
                               "content": '{"words": "喂"}'})
    assert answer.status_code == 403
    RedisExchange(actx.extensions["redis"]).put_reply("1^3", {"action": "hangup"})
    answer = client.post(f"/api/v1/notify/calls/aliyun?token={TOKEN}",
                         data={"call_id": "1^3", "content_type": "normal",
                               "content": '{"words": "喂"}'})
    assert answer.status_code == 200 and answer.get_json() == {"action": "hangup"}
    heard = RedisExchange(actx.extensions["redis"]).next_event("1^3", 1)
    assert heard == CallEvent("words", "喂")
