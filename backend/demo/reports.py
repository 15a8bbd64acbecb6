"""Reports the demo's LIS/PACS sends to the demo patients, so a newcomer sees the whole loop:
张伟's blood count, lipids, a chest CT and an electrolyte panel with a critical potassium (to
王立新, who ordered it), over real MLLP; his father's glucose panel as a FHIR Bundle over HTTP.
Accession numbers are fixed, so a restarted demo replays them without duplicates."""

from __future__ import annotations

from datetime import datetime, timedelta

import requests

from backend.timeutil import CLINIC_TZ
from simulators.lis import LisPatient, LisReport, LisResult, LisSimulator

ZHANG_WEI = LisPatient("H001-0000001", "110105198203150033", "张", "伟", "M", "19820315")
ZHANG_JIANGUO = LisPatient("H001-0000002", "110105195205180013", "张", "建国", "M", "19520518")
ORDERER = ("D001", "王立新")
LIS_ACCOUNT = ("lis.h001", "Demo-Lis-Interface-2026")


def demo_reports(today: datetime) -> list[LisReport]:
    morning = today.replace(hour=7, minute=30, second=0, microsecond=0)
    done = morning + timedelta(hours=2)
    lab = {"collected": morning, "reported": done, "orderer": ORDERER, "department": "CARD"}
    return [
        LisReport("DEMO-L0001", ("CBC", "血常规"), results=(
            LisResult("WBC", "白细胞计数", "6.2", "10^9/L", "3.5-9.5"),
            LisResult("NEUT%", "中性粒细胞百分比", "61.0", "%", "40-75"),
            LisResult("HGB", "血红蛋白", "126", "g/L", "130-175", "L"),
            LisResult("PLT", "血小板计数", "231", "10^9/L", "125-350")), **lab),
        LisReport("DEMO-L0002", ("LIP", "血脂四项"), results=(
            LisResult("TC", "总胆固醇", "5.9", "mmol/L", "<5.2", "H"),
            LisResult("TG", "甘油三酯", "1.4", "mmol/L", "<1.7"),
            LisResult("HDL-C", "高密度脂蛋白胆固醇", "1.1", "mmol/L", ">1.0"),
            LisResult("LDL-C", "低密度脂蛋白胆固醇", "3.8", "mmol/L", "<3.4", "H")), **lab),
        LisReport("DEMO-L0003", ("ELE", "电解质"), results=(
            LisResult("K", "钾", "6.6", "mmol/L", "3.5-5.3", "HH"),
            LisResult("NA", "钠", "139", "mmol/L", "137-147")), **lab),
        LisReport("DEMO-R0001", ("CT0101", "胸部CT平扫"), section="CT",
                  collected=morning, reported=done + timedelta(hours=1), orderer=ORDERER,
                  department="CARD",
                  findings="右肺上叶见一磨玻璃密度结节，直径约5mm。纵隔内未见肿大淋巴结。",
                  impression="1.右肺上叶磨玻璃结节，Lung-RADS 2类\n2.主动脉硬化"),
    ]


def _glucose(today: datetime) -> LisReport:
    morning = today.replace(hour=7, minute=40, second=0, microsecond=0)
    return LisReport("DEMO-L0101", ("GLU", "血糖+糖化血红蛋白"), collected=morning,
                     reported=morning + timedelta(hours=2), orderer=("D009", "赵敏"),
                     department="CARD", results=(
                         LisResult("GLU", "空腹血糖", "7.4", "mmol/L", "3.9-6.1", "H",
                                   loinc="14771-0"),
                         LisResult("HBA1C", "糖化血红蛋白", "7.1", "%", "4.0-6.0", "H",
                                   loinc="4548-4")))


def send_demo_reports(mllp_port: int, api_base: str) -> list[str]:
    """Send them; returns one line per report saying what the receiver answered."""
    today = datetime.now(CLINIC_TZ)
    lis = LisSimulator("H001")
    reports = demo_reports(today)
    acks = lis.send_mllp("127.0.0.1", mllp_port, [lis.oru(ZHANG_WEI, r) for r in reports])
    lines = [f"HL7 {report.accession} {report.service[1]}: "
             f"{ack.split(b'MSA|', 1)[1][:2].decode()}" for report, ack in zip(reports, acks,
                                                                              strict=True)]
    login = requests.post(f"{api_base}/api/v1/admin/auth/login", timeout=10,
                          json={"username": LIS_ACCOUNT[0], "password": LIS_ACCOUNT[1]})
    login.raise_for_status()
    glucose = _glucose(today)
    answer = lis.send_fhir(f"{api_base}/fhir/r4", login.json()["data"]["token"],
                           lis.bundle(ZHANG_JIANGUO, glucose))
    lines.append(f"FHIR {glucose.accession} {glucose.service[1]}: {answer.status_code}")
    return lines
