"""`frontdoor demo`: the whole service on a laptop — SQLite, inline jobs, simulated vendors.

Starts the WeChat and Alipay simulators on loopback, migrates and seeds an SQLite database,
runs the scheduler in-process and serves the API with Flask's server on 127.0.0.1.
"""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import click
import requests
from flask_migrate import upgrade
from werkzeug.serving import make_server

from backend.app import create_app
from backend.demo.calls import start_telephony
from backend.demo.followup import seed_followup
from backend.demo.reports import send_demo_reports
from backend.demo.schedules import seed_schedules
from backend.demo.seed import seed, staff_wecom_ids
from backend.demo.vaccination import seed_vaccination
from backend.interop.mllp import MllpServer
from backend.scheduler import build_scheduler
from backend.services.reports.hl7_inbound import listener
from backend.services.voice import engines as voice_engines
from simulators.alipay import create_alipay_simulator
from simulators.aliyun_sms import create_aliyun_sms_simulator
from simulators.fhir_receiver import create_fhir_receiver
from simulators.keys import generate_rsa_keypair
from simulators.server import SimulatorServer
from simulators.wechat import create_wechat_simulator
from simulators.wechatpay import create_wechatpay_simulator
from simulators.wechatpay_protocol import MerchantAccount
from simulators.wecom import create_wecom_simulator

ROOT = Path(__file__).resolve().parents[2]
DEMO_WECHAT_APP = ("wx-demo-appid", "wx-demo-secret")
DEMO_ALIPAY_APP_ID = "2021000000000000"


DEMO_EMR_BEARER = "demo-emr-bearer"
DEMO_WECHATPAY = {"mchid": "1900000001", "serial": "DEMO0000000000000000000000000001",
                  "apiv3_key": "demo-apiv3-key-32-bytes-long-001",
                  "public_key_id": "PUB_KEY_ID_DEMO"}
DEMO_WECOM = {"corp_id": "wwdemo0000000001", "agent_id": 1000002,
              "secret": "demo-wecom-secret"}
DEMO_SMS = {"access_key_id": "LTAIdemo0000000000000001", "access_key_secret": "demo-sms-secret",
            "sign_name": "社区卫生服务中心",
            "templates": {"followup_due": "SMS_900000001", "followup_overdue": "SMS_900000002"}}
# What the hospital had Alibaba Cloud approve for those codes (the simulator fills them in).
DEMO_SMS_TEXTS = {
    "SMS_900000001": "${name}您好，您在${centre}的慢病随访约在${date}，请按时来，带上药盒。",
    "SMS_900000002": "${name}您好，您${date}的慢病随访还没有做。请尽快联系${centre}的家庭医生。",
}
DEMO_TEMPLATES = ("booked=tmpl-booked,reminder=tmpl-reminder,cancelled=tmpl-cancelled,"
                  "refunded=tmpl-refunded,report=tmpl-report,followup=tmpl-followup,"
                  "education=tmpl-education,vaccination=tmpl-vaccination,medication=tmpl-medication")


@dataclass
class RunningSimulators:
    servers: tuple[SimulatorServer, ...]
    config: dict[str, str]

    NAMES = ("wechat", "alipay", "emr", "wechatpay", "wecom", "aliyun_sms")

    def url(self, name: str) -> str:
        return self.servers[self.NAMES.index(name)].url

    def stop(self) -> None:
        for server in self.servers:
            server.stop()


def start_simulators(preferred_ports: tuple[int, ...] = (0, 0, 0, 0, 0, 0)
                     ) -> RunningSimulators:
    """Start every vendor simulator and return the config that points the app at them.

    Each takes its preferred port (wechat, alipay, emr, wechatpay, wecom, aliyun_sms) when free,
    else any
    free one: a second demo or a test run on the same machine must not stop this one."""
    wechat_port, alipay_port, emr_port, wechatpay_port, wecom_port, sms_port = preferred_ports
    app_keys, alipay_keys = generate_rsa_keypair(), generate_rsa_keypair()
    merchant_keys, platform_keys = generate_rsa_keypair(), generate_rsa_keypair()
    wechat = _serve(create_wechat_simulator(dict([DEMO_WECHAT_APP])), wechat_port)
    alipay = _serve(create_alipay_simulator({DEMO_ALIPAY_APP_ID: app_keys.public_pem},
                                            alipay_keys.private_pem), alipay_port)
    emr = _serve(create_fhir_receiver({DEMO_EMR_BEARER}), emr_port)
    merchant = MerchantAccount(merchant_keys.public_pem, DEMO_WECHATPAY["serial"],
                               DEMO_WECHATPAY["apiv3_key"], frozenset({DEMO_WECHAT_APP[0]}))
    wechatpay = _serve(create_wechatpay_simulator(
        {DEMO_WECHATPAY["mchid"]: merchant}, platform_keys.private_pem,
        DEMO_WECHATPAY["public_key_id"], refund_mode="immediate"), wechatpay_port)
    wecom = _serve(create_wecom_simulator(DEMO_WECOM["corp_id"], DEMO_WECOM["secret"],
                                          DEMO_WECOM["agent_id"]), wecom_port)
    sms = _serve(create_aliyun_sms_simulator(
        {DEMO_SMS["access_key_id"]: DEMO_SMS["access_key_secret"]}, {DEMO_SMS["sign_name"]},
        DEMO_SMS_TEXTS), sms_port)
    return RunningSimulators(
        servers=(wechat, alipay, emr, wechatpay, wecom, sms),
        config={
            "WECHAT_APP_ID": DEMO_WECHAT_APP[0], "WECHAT_APP_SECRET": DEMO_WECHAT_APP[1],
            "WECHAT_API_BASE_URL": wechat.url + "/",
            "ALIPAY_APP_ID": DEMO_ALIPAY_APP_ID,
            "ALIPAY_APP_PRIVATE_KEY": app_keys.private_pem,
            "ALIPAY_PUBLIC_KEY": alipay_keys.public_pem,
            "ALIPAY_GATEWAY_URL": alipay.url + "/gateway.do",
            "EMR_FHIR_BASE_URL": emr.url + "/fhir", "EMR_BEARER_TOKEN": DEMO_EMR_BEARER,
            "WECHATPAY_MCH_ID": DEMO_WECHATPAY["mchid"],
            "WECHATPAY_PRIVATE_KEY": merchant_keys.private_pem,
            "WECHATPAY_CERT_SERIAL_NO": DEMO_WECHATPAY["serial"],
            "WECHATPAY_API_V3_KEY": DEMO_WECHATPAY["apiv3_key"],
            "WECHATPAY_PUBLIC_KEY": platform_keys.public_pem,
            "WECHATPAY_PUBLIC_KEY_ID": DEMO_WECHATPAY["public_key_id"],
            "WECHATPAY_API_BASE_URL": wechatpay.url,
            "WECHAT_SUBSCRIBE_TEMPLATES": DEMO_TEMPLATES,
            "ALIPAY_MESSAGE_TEMPLATES": DEMO_TEMPLATES,
            "WECOM_CORP_ID": DEMO_WECOM["corp_id"], "WECOM_AGENT_ID": DEMO_WECOM["agent_id"],
            "WECOM_SECRET": DEMO_WECOM["secret"], "WECOM_API_BASE_URL": wecom.url + "/",
            "ALIYUN_SMS_ACCESS_KEY_ID": DEMO_SMS["access_key_id"],
            "ALIYUN_SMS_ACCESS_KEY_SECRET": DEMO_SMS["access_key_secret"],
            "ALIYUN_SMS_SIGN_NAME": DEMO_SMS["sign_name"], "ALIYUN_SMS_ENDPOINT": sms.url,
            "ALIYUN_SMS_TEMPLATES": ",".join(f"{kind}={code}" for kind, code in
                                             DEMO_SMS["templates"].items()),
        },
    )


def _serve(app, port: int) -> SimulatorServer:
    return SimulatorServer(app, sock=_listen(port)).start()


def _listen(port: int) -> socket.socket:
    """A listening socket on `port`, or on a free one when that is taken (0: any free one).

    Bound here and handed to the server, so nothing can take the port in between; werkzeug's
    own bind would exit the whole demo with "Port … is in use"."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(("127.0.0.1", port if 0 <= port <= 65535 else 0))
    except OSError:
        sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    return sock


def _audit_checkpoints(database: str) -> Path:
    """The demo's audit checkpoints sit next to its SQLite file; a new demo database starts
    without the old database's checkpoints (they would say its chain was cut short)."""
    if not database.startswith("sqlite:///"):
        return ROOT / "instance" / "demo-audit-checkpoints.jsonl"
    db_file = Path(database.removeprefix("sqlite:///"))
    checkpoints = db_file.with_name(db_file.name + ".audit-checkpoints.jsonl")
    if not db_file.exists():
        checkpoints.unlink(missing_ok=True)
    return checkpoints


@click.command()
@click.option("--port", default=5000, show_default=True,
              help="API port on 127.0.0.1 (a free one when it is taken; the banner says which).")
@click.option("--database", default=None, help="SQLAlchemy URL (default: instance/demo.db).")
def demo(port: int, database: str | None) -> None:
    """Run the whole service locally with demo data and simulated vendors."""
    (ROOT / "instance").mkdir(exist_ok=True)
    database = database or f"sqlite:///{ROOT / 'instance' / 'demo.db'}"
    checkpoints = _audit_checkpoints(database)
    api_socket = _listen(port)
    if api_socket.getsockname()[1] != port:
        click.echo(f"Port {port} is in use: the API listens on port "
                   f"{api_socket.getsockname()[1]} instead.")
    port = api_socket.getsockname()[1]
    # The mini-program's develop build expects the simulators at API port + 101…105 when free.
    simulators = start_simulators((port + 101, port + 102, port + 103, port + 104, port + 105,
                                   port + 107))  # port + 106 is the MLLP listener's
    freeswitch, telephony = start_telephony(ROOT)  # the ESL simulator takes a free port
    app = create_app({"DATABASE_URL": database, "REDIS_URL": "", "FRONTDOOR_ENV": "development",
                      "AUDIT_CHECKPOINT_PATH": str(checkpoints),
                      "LOG_JSON": False, "PAYMENT_NOTIFY_BASE_URL": f"http://127.0.0.1:{port}",
                      **simulators.config, **telephony})
    with app.app_context():
        upgrade()
        counts = seed()
        counts["schedules"] = seed_schedules()
        counts["chronic-disease residents"] = seed_followup()
        counts["vaccination doses"] = seed_vaccination()
        for userid in staff_wecom_ids():  # the demo corp has every seeded clinician
            requests.post(f"{simulators.url('wecom')}/_sim/members", json={"userid": userid},
                          timeout=5)
    scheduler = build_scheduler(app)
    scheduler.start()
    sealing = threading.Event()  # the audit sealer, in-process like the scheduler
    threading.Thread(target=_seal_audit_log, args=(app, sealing), daemon=True).start()
    mllp = _serve_mllp(app, port + 106)
    wechat, alipay, emr, wechatpay, wecom, sms = simulators.servers
    base = f"http://127.0.0.1:{port}"
    click.echo(f"""
Front Door demo is running (SQLite {database}, jobs inline, vendors simulated).
Seeded: {", ".join(f"{k} {v}" for k, v in counts.items())}

  API           {base}/api/v1/
  OpenAPI       {base}/api/v1/openapi.json
  Readiness     {base}/readyz
  WeChat sim    {wechat.url}   Alipay sim {alipay.url}   WeChat Pay sim {wechatpay.url}
  EMR (FHIR)    {emr.url}/fhir   (what it received: {emr.url}/_sim/received)
  WeCom sim     {wecom.url}   (critical values sent to clinicians: {wecom.url}/_sim/messages)
  SMS sim       {sms.url}   (follow-up texts to residents: {sms.url}/_sim/messages)
  HL7 (MLLP)    127.0.0.1:{mllp.port}   results in; FHIR results: POST {base}/fhir/r4/Bundle
  FreeSWITCH    ESL 127.0.0.1:{freeswitch.port} (simulator): the AI caller rings 刘桂芳 at the
                first dispatch (every 5 min) in the dialling hours, 09:00–11:30, 14:30–17:30,
                18:30–20:00 China time; the first try meets no answer, the retry talks

Log in as the demo patient 张伟 (WeChat):
  CODE=$(curl -s -XPOST {wechat.url}/_sim/login-codes -H 'Content-Type: application/json' \\
         -d '{{"appid":"{DEMO_WECHAT_APP[0]}","openid":"oDEMO0000000000000000000zhang"}}' \\
         | python3 -c 'import json,sys;print(json.load(sys.stdin)["code"])')
  curl -s -XPOST {base}/api/v1/mp/auth/wechat -H 'Content-Type: application/json' \\
       -d "{{\\"code\\":\\"$CODE\\"}}"
Console       {base}/console/
  doctor.wang / Demo-Doctor-2026 (心血管内科 clinician: his worklist holds the demo's critical
  potassium to acknowledge), doctor.li / Demo-Doctor-2026 (family doctor: signed residents,
  their reports and trends; follow-up worklist: GET /api/v1/admin/followup/tasks),
  admin.east / Demo-Admin-2026 (hospital admin),
  nurse.east / Demo-Nurse-2026 (接种门诊: 张伟's children 张子涵 and 张小满 have doses due)
The demo LIS sends 张伟's reports (one with a critical value) once the API is up.
  curl -s -XPOST {base}/api/v1/admin/auth/login -H 'Content-Type: application/json' \\
       -d '{{"username":"doctor.li","password":"Demo-Doctor-2026"}}'
Press Ctrl+C to stop.
""")
    server = make_server("127.0.0.1", port, app, threaded=True, fd=api_socket.fileno())
    threading.Thread(target=_send_reports_when_ready, args=(base, mllp.port),
                     daemon=True).start()
    threading.Thread(target=voice_engines.warm_up, args=(dict(app.config),),
                     name="speech-warm-up", daemon=True).start()
    try:
        server.serve_forever()
    finally:
        server.server_close()
        api_socket.close()
        scheduler.shutdown(wait=False)
        sealing.set()
        mllp.shutdown()
        mllp.server_close()
        simulators.stop()
        freeswitch.stop()


def _serve_mllp(app, port: int) -> MllpServer:
    try:
        server = listener(app, "127.0.0.1", port)
    except OSError:
        server = listener(app, "127.0.0.1", 0)
    server.serve_in_thread()
    return server


def _seal_audit_log(app, stop: threading.Event) -> None:
    from backend.services.audit_seal import run_sealer

    with app.app_context():
        run_sealer(stop)


def _send_reports_when_ready(base: str, mllp_port: int) -> None:
    """The demo LIS waits for the API (the FHIR push needs it), then sends its reports."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{base}/readyz", timeout=2).status_code == 200:
                break
        except requests.RequestException:
            time.sleep(0.3)
    try:
        for line in send_demo_reports(mllp_port, base):
            click.echo(f"demo LIS: {line}")
    except (OSError, requests.RequestException) as exc:
        click.echo(f"demo LIS could not send its reports: {exc}", err=True)
