"""`frontdoor demo` on a fresh SQLite file serves the API and answers /readyz with 200."""

from __future__ import annotations

import re
import socket
import threading
import time
from pathlib import Path

import pytest
import requests

from tests.helpers_process import frontdoor


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Demo:
    """A running `frontdoor demo` process with its output collected by a reader thread."""

    def __init__(self, port: int, database: str) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.process = frontdoor("demo", "--port", str(port), "--database", database,
                                 REDIS_URL="")
        self.lines: list[str] = []
        self._reader = threading.Thread(target=lambda: self.lines.extend(self.process.stdout),
                                        daemon=True)
        self._reader.start()

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def wait_ready(self, seconds: float = 60) -> requests.Response | None:
        """Wait for the banner (it names the API's address: the port asked for, or a free one
        when that was taken), then for /readyz."""
        deadline = time.monotonic() + seconds
        api = re.search(r"API\s+(http://\S+)/api/v1/", _wait_for_banner(self.lines, seconds))
        if api:
            self.base = api.group(1)
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                return requests.get(f"{self.base}/readyz", timeout=2)
            except requests.ConnectionError:
                time.sleep(0.3)
        return None

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=20)
        self._reader.join(timeout=5)


def _start_demo(tmp_path) -> tuple[_Demo, requests.Response | None]:
    demo = _Demo(_free_port(), f"sqlite:///{tmp_path / 'demo.db'}")
    return demo, demo.wait_ready()


@pytest.mark.slow
def test_demo_serves_seeded_data_and_is_ready(tmp_path):
    demo, ready = _start_demo(tmp_path)
    base = demo.base
    try:
        assert ready is not None and ready.status_code == 200, (demo.process.poll(), demo.output)
        assert ready.json()["checks"] == {"database": "ok", "redis": "embedded"}
        hospitals = requests.get(f"{base}/api/v1/mp/hospitals", timeout=5).json()["data"]
        names = {h["name"] for h in hospitals}
        assert {"华康市第一人民医院", "华康市东城社区卫生服务中心"} <= names
        login = requests.post(f"{base}/api/v1/admin/auth/login", timeout=10,
                              json={"username": "doctor.li", "password": "Demo-Doctor-2026"})
        assert login.status_code == 200
        token = login.json()["data"]["token"]
        residents = requests.get(f"{base}/api/v1/admin/residents", timeout=5,
                                 headers={"Authorization": f"Bearer {token}"}).json()["data"]
        assert residents["total"] == 3
        worklist = requests.get(f"{base}/api/v1/admin/followup/tasks", timeout=5,
                                headers={"Authorization": f"Bearer {token}"}).json()["data"]
        assert worklist["total"] > 0  # the family doctor's follow-up worklist is not empty
        output = _wait_for_banner(demo.lines)
        assert "Front Door demo is running" in output
        _a_patient_confirms_a_note_that_reaches_the_local_emr(base, output)
        _a_patient_speaks_to_the_assistant_and_hears_the_reply(base, output)
        _the_demo_lis_reports_reach_the_patient_and_the_clinician(demo, base, output)
        _the_console_worklist_holds_the_critical_value(base, output)
    finally:
        demo.stop()


def _the_console_worklist_holds_the_critical_value(base: str, banner: str) -> None:
    """The banner's console login lands on a worklist that is not empty."""
    assert f"{base}/console/" in banner and "doctor.wang / Demo-Doctor-2026" in banner
    browser = requests.Session()
    page = browser.get(f"{base}/console/login", timeout=5).text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    worklist = browser.post(f"{base}/console/login", timeout=10, data={
        "csrf_token": token, "username": "doctor.wang", "password": "Demo-Doctor-2026"})
    assert worklist.url.endswith("/console/worklist") and "确认已知晓" in worklist.text
    assert re.search(r'data-count="critical_values">\s*<span class="count-number">[1-9]',
                     worklist.text)


def _wait_for_banner(lines: list[str], seconds: float = 10) -> str:
    """The banner is flushed before the server serves; the reader thread may still be copying
    it."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and "Press Ctrl+C" not in "".join(lines):
        time.sleep(0.05)
    return "".join(lines)


def _zhang_wei(base: str, wechat: str) -> tuple[dict[str, str], dict]:
    """The demo patient signed in through the WeChat simulator: his headers and first 就诊人."""
    code = requests.post(f"{wechat}/_sim/login-codes", timeout=5, json={
        "appid": "wx-demo-appid", "openid": "oDEMO0000000000000000000zhang"}).json()["code"]
    token = requests.post(f"{base}/api/v1/mp/auth/wechat", json={"code": code},
                          timeout=10).json()["data"]["token"]
    auth = {"Authorization": f"Bearer {token}"}
    profile = requests.get(f"{base}/api/v1/mp/profiles", headers=auth,
                           timeout=5).json()["data"][0]
    return auth, profile


def _a_patient_confirms_a_note_that_reaches_the_local_emr(base: str, banner: str) -> None:
    wechat = re.search(r"WeChat sim\s+(http://\S+)", banner).group(1)
    emr_base = re.search(r"EMR \(FHIR\)\s+(http://\S+)/fhir", banner).group(1)
    auth, profile = _zhang_wei(base, wechat)
    conversation = requests.post(f"{base}/api/v1/mp/conversations", headers=auth, timeout=10,
                                 json={"patient_id": profile["id"],
                                       "mode": "pre_consultation"}).json()["data"]
    requests.post(f"{base}/api/v1/mp/conversations/{conversation['id']}/messages", headers=auth,
                  json={"text": "头疼三天了，有点恶心"}, timeout=10).raise_for_status()
    note = requests.post(f"{base}/api/v1/mp/conversations/{conversation['id']}/note/confirm",
                         headers=auth, json={}, timeout=30).json()["data"]
    assert note["delivery_label"] in {"已送达医生", "等待发送"}
    again = requests.get(f"{base}/api/v1/mp/notes/{note['id']}", headers=auth,
                         timeout=5).json()["data"]
    assert again["delivery_label"] == "已送达医生"
    emr = requests.get(f"{emr_base}/_sim/received", timeout=5).json()
    assert emr["counts"]["Composition"] == 1


def _a_patient_speaks_to_the_assistant_and_hears_the_reply(base: str, banner: str) -> None:
    """Voice in the demo runs on the offline engines: a hold-to-talk recording is understood
    and the assistant's reply comes back as audio."""
    auth, profile = _zhang_wei(base, re.search(r"WeChat sim\s+(http://\S+)", banner).group(1))
    conversation = requests.post(f"{base}/api/v1/mp/conversations", headers=auth, timeout=10,
                                 json={"patient_id": profile["id"],
                                       "mode": "pre_consultation"}).json()["data"]
    recording = (Path(__file__).parents[1] / "speech" / "corpus" / "ok01.ogg").read_bytes()
    answer = requests.post(f"{base}/api/v1/mp/conversations/{conversation['id']}/voice",
                           params={"format": "ogg"}, headers=auth, timeout=120,
                           files={"audio": ("voice.ogg", recording, "audio/ogg")})
    assert answer.status_code == 200, answer.text
    turn = answer.json()["data"]
    assert turn["transcript"].startswith("我要找医生") and turn["speech"]
    clip = requests.get(f"{base}{turn['speech'][0]['url']}", timeout=60)  # a capability link
    assert clip.status_code == 200 and clip.content[:4] == b"RIFF"


@pytest.mark.slow
def test_a_second_demo_takes_free_ports_instead_of_exiting(tmp_path):
    taken = [socket.socket() for _ in range(2)]
    port = _free_port()
    try:
        for sock, number in zip(taken, (port, port + 101), strict=True):
            sock.bind(("127.0.0.1", number))
            sock.listen(1)
        demo = _Demo(port, f"sqlite:///{tmp_path / 'second.db'}")
        try:
            banner = _wait_for_banner(demo.lines, seconds=90)
            assert f"Port {port} is in use" in banner, (demo.process.poll(), banner)
            api = re.search(r"API\s+(http://127\.0\.0\.1:(\d+))/api/v1/", banner)
            wechat = re.search(r"WeChat sim\s+http://127\.0\.0\.1:(\d+)", banner)
            assert int(api.group(2)) != port and int(wechat.group(1)) != port + 101
            ready = requests.get(f"{api.group(1)}/readyz", timeout=10)
            assert ready.status_code == 200
        finally:
            demo.stop()
    finally:
        for sock in taken:
            sock.close()


def test_a_new_demo_database_starts_without_the_old_ones_audit_checkpoints(tmp_path):
    from backend.demo.runner import _audit_checkpoints

    database = tmp_path / "demo.db"
    stale = tmp_path / "demo.db.audit-checkpoints.jsonl"
    stale.write_text('{"seq": 40}\n')
    assert _audit_checkpoints(f"sqlite:///{database}") == stale
    assert not stale.exists()  # the database it anchored is gone
    database.write_bytes(b"")
    stale.write_text('{"seq": 40}\n')
    assert _audit_checkpoints(f"sqlite:///{database}") == stale
    assert stale.exists()  # same database: its checkpoints stay


def _the_demo_lis_reports_reach_the_patient_and_the_clinician(demo, base: str,
                                                             banner: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and "FHIR DEMO-L0101" not in demo.output:
        time.sleep(0.2)
    assert "demo LIS: HL7 DEMO-L0003 电解质: AA" in demo.output, demo.output[-2000:]
    assert "demo LIS: FHIR DEMO-L0101 血糖+糖化血红蛋白: 200" in demo.output
    wechat = re.search(r"WeChat sim\s+(http://\S+)", banner).group(1)
    auth, profile = _zhang_wei(base, wechat)
    reports = requests.get(f"{base}/api/v1/mp/reports", params={"patient_id": profile["id"]},
                           headers=auth, timeout=10).json()["data"]
    assert {r["title"] for r in reports} == {"血常规", "血脂四项", "电解质", "胸部CT平扫"}
    assert [r["title"] for r in reports if r["critical"]] == ["电解质"]
    father = next(p for p in requests.get(f"{base}/api/v1/mp/profiles", headers=auth,
                                          timeout=5).json()["data"] if p["name"] == "张建国")
    readings = requests.get(f"{base}/api/v1/mp/vitals", params={"patient_id": father["id"]},
                            headers=auth, timeout=10).json()["data"]
    assert len(readings["readings"]) >= 14  # his trend is not empty
    login = requests.post(f"{base}/api/v1/admin/auth/login", timeout=10,
                          json={"username": "doctor.wang", "password": "Demo-Doctor-2026"})
    staff = {"Authorization": f"Bearer {login.json()['data']['token']}"}
    alerts = requests.get(f"{base}/api/v1/admin/critical-values", headers=staff,
                          timeout=10).json()["data"]
    assert [(a["test_code"], a["value"], a["level"]) for a in alerts] == \
        [("K", "6.6", "ordering_clinician")]
    wecom = re.search(r"WeCom sim\s+(http://\S+)", banner).group(1)
    paged = requests.get(f"{wecom}/_sim/messages", params={"userid": "WangLiXin"},
                         timeout=10).json()["messages"]
    [text] = [m["text"]["content"] for m in paged]  # 王立新 got it on WeCom
    assert text.startswith("【危急值】患者张*") and "钾 6.6mmol/L" in text, text
    assert [(m["staff"], m["level"], m["status"]) for m in alerts[0]["messages"]] == \
        [("王立新", "ordering_clinician", "sent")]
